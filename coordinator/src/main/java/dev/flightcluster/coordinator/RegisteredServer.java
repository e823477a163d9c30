package dev.flightcluster.coordinator;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.DatasetName;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import org.apache.arrow.flight.Location;

/**
 * What the coordinator knows of one data server at one moment. Immutable: the registry swaps whole
 * values, so a reader never sees a half-updated server.
 *
 * @param id the server's id
 * @param location where clients (and the coordinator's callback) reach it
 * @param registration distinguishes successive hellos of one id, so that a listing pulled for an
 *     earlier registration is never stored into a later one
 * @param listingVersion the listing version the held datasets belong to
 * @param datasets the server's datasets by name
 * @param activeStreams the load it reported in its last heartbeat
 * @param leaseExpiry the instant from which it counts as gone
 */
record RegisteredServer(
    String id,
    Location location,
    long registration,
    long listingVersion,
    Map<DatasetName, ServerDataset> datasets,
    int activeStreams,
    Instant leaseExpiry) {

  /** Order of the locations in a merged endpoint: clients try the first one first. */
  static final Comparator<RegisteredServer> LEAST_LOADED =
      Comparator.comparingInt(RegisteredServer::activeStreams).thenComparing(RegisteredServer::id);

  /**
   * Order of upload targets: besides the current load, spread datasets over the servers, since a
   * server with more datasets will serve more reads later.
   */
  static final Comparator<RegisteredServer> UPLOAD_ORDER =
      Comparator.comparingInt(RegisteredServer::activeStreams)
          .thenComparingInt(server -> server.datasets().size())
          .thenComparing(RegisteredServer::id);

  RegisteredServer {
    requireNonNull(id, "id is null");
    requireNonNull(location, "location is null");
    datasets = Map.copyOf(requireNonNull(datasets, "datasets is null"));
    requireNonNull(leaseExpiry, "leaseExpiry is null");
  }

  /** Whether the lease still runs at {@code now}. */
  boolean isLive(Instant now) {
    return now.isBefore(leaseExpiry);
  }

  RegisteredServer renewed(Instant newLeaseExpiry, int newActiveStreams) {
    return new RegisteredServer(
        id, location, registration, listingVersion, datasets, newActiveStreams, newLeaseExpiry);
  }

  RegisteredServer withListing(
      long newListingVersion, Map<DatasetName, ServerDataset> newDatasets) {
    return new RegisteredServer(
        id, location, registration, newListingVersion, newDatasets, activeStreams, leaseExpiry);
  }
}
