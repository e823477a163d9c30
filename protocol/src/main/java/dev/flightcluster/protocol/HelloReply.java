package dev.flightcluster.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Result of {@link ClusterActions#SAY_HELLO}: the lease the coordinator grants.
 *
 * @param leaseMillis a server that sends no heartbeat for this long is evicted
 * @param heartbeatIntervalMillis how often the coordinator expects a heartbeat
 */
public record HelloReply(
    @JsonProperty("lease_millis") long leaseMillis,
    @JsonProperty("heartbeat_interval_millis") long heartbeatIntervalMillis) {}
