package dev.flightcluster.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Result of {@link ClusterActions#CHOOSE_SERVER}: where to DoPut. */
public record ServerChoice(
    @JsonProperty("server_id") String serverId, @JsonProperty("location") String location) {
  public ServerChoice {
    requireNonNull(serverId, "server_id is null");
    requireNonNull(location, "location is null");
  }
}
