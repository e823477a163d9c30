package dev.flightcluster.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Body of {@link ClusterActions#SAY_HELLO}.
 *
 * @param serverId stable id of the data server, unique in the cluster
 * @param location the URI clients can reach the server at, e.g. {@code grpc+tcp://10.0.0.7:8889}
 * @param listingVersion the version of the server's dataset listing; it changes whenever the set or
 *     content of its datasets changes
 */
public record Hello(
    @JsonProperty("server_id") String serverId,
    @JsonProperty("location") String location,
    @JsonProperty("listing_version") long listingVersion) {
  public Hello {
    requireNonNull(serverId, "server_id is null");
    requireNonNull(location, "location is null");
  }
}
