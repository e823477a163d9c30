package dev.flightcluster.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Result of {@link ClusterActions#HEARTBEAT}.
 *
 * @param known false when the coordinator does not know the server (it restarted, or evicted the
 *     server): the server must say hello again
 */
public record HeartbeatReply(@JsonProperty("known") boolean known) {}
