package dev.flightcluster.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Body of {@link ClusterActions#HEARTBEAT}.
 *
 * @param serverId the id the server said hello with
 * @param listingVersion the server's current listing version; when it differs from the one the
 *     coordinator holds, the coordinator pulls the listing again before it answers
 * @param activeStreams DoGet and DoPut streams in progress, the server's load
 * @param stats the server's recent work for the status page; null from servers older than it, and
 *     ignored by coordinators older than it
 */
public record Heartbeat(
    @JsonProperty("server_id") String serverId,
    @JsonProperty("listing_version") long listingVersion,
    @JsonProperty("active_streams") int activeStreams,
    @JsonProperty("stats") @JsonInclude(JsonInclude.Include.NON_NULL) ServerStats stats) {
  public Heartbeat {
    requireNonNull(serverId, "server_id is null");
  }

  /** A heartbeat without stats, as servers sent before the status page. */
  public Heartbeat(String serverId, long listingVersion, int activeStreams) {
    this(serverId, listingVersion, activeStreams, null);
  }
}
