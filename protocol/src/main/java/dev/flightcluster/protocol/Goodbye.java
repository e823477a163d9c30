package dev.flightcluster.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Body of {@link ClusterActions#GOODBYE}. */
public record Goodbye(@JsonProperty("server_id") String serverId) {
  public Goodbye {
    requireNonNull(serverId, "server_id is null");
  }
}
