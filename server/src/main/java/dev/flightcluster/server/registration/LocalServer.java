package dev.flightcluster.server.registration;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.ServerStats;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.arrow.flight.Location;

/**
 * What a data server tells each coordinator about itself: its id, where clients reach it, and (read
 * at every call) its listing version, the DoGet streams it is serving and its recent work.
 */
public record LocalServer(
    String serverId,
    Location advertised,
    LongSupplier listingVersion,
    IntSupplier activeStreams,
    Supplier<ServerStats> stats) {
  public LocalServer {
    requireNonNull(serverId, "serverId is null");
    requireNonNull(advertised, "advertised is null");
    requireNonNull(listingVersion, "listingVersion is null");
    requireNonNull(activeStreams, "activeStreams is null");
    requireNonNull(stats, "stats is null");
  }
}
