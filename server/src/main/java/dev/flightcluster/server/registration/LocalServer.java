package dev.flightcluster.server.registration;

import static java.util.Objects.requireNonNull;

import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.apache.arrow.flight.Location;

/**
 * What a data server tells each coordinator about itself: its id, where clients reach it, and (read
 * at every call) its listing version and the DoGet streams it is serving.
 */
public record LocalServer(
    String serverId, Location advertised, LongSupplier listingVersion, IntSupplier activeStreams) {
  public LocalServer {
    requireNonNull(serverId, "serverId is null");
    requireNonNull(advertised, "advertised is null");
    requireNonNull(listingVersion, "listingVersion is null");
    requireNonNull(activeStreams, "activeStreams is null");
  }
}
