package dev.flightcluster.coordinator;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.DatasetName;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.arrow.flight.Location;

/**
 * The data servers the coordinator knows, with their leases, loads and datasets. Thread-safe: every
 * method holds the lock briefly and never calls out, and the values are immutable, so reads work on
 * a snapshot without further locking. A change of servers or listings merges the catalog again
 * under the lock, once, so that reads need not.
 *
 * <p>A server whose lease has run out stays here until {@link #removeExpired} (the sweeper) removes
 * it, but no read counts it from the moment it expired. A server that has sent no heartbeat for
 * more than two heartbeat intervals is overdue: still listed, but after the healthy replicas.
 *
 * <p>Once the coordinator is warm ({@link #markWarm}), the fingerprint served for each name is
 * remembered, so that a conflicting copy appearing later never takes over (decisions D26).
 */
final class Registry {
  private final InstantSource clock;
  private final Duration lease;
  private final Duration overdueAfter;
  private final long endpointGroupBytes;
  private final ConflictWarnings conflictWarnings = new ConflictWarnings();
  private final Map<String, RegisteredServer> servers = new HashMap<>();
  private long registrations;

  /**
   * The fingerprint served for each name since the coordinator became warm; empty before, so that
   * the order in which servers say hello during the warm-up decides nothing.
   */
  private Map<String, String> incumbents = Map.of();

  private boolean warm;

  /**
   * The live servers merged, rebuilt whenever a server joins, leaves or changes its listing, and
   * when a read finds that a lease ran out since. Heartbeats that only renew a lease or report a
   * load leave it as it is: merging is O(datasets), and reads are many.
   */
  private DatasetCatalog catalog = DatasetCatalog.empty();

  /**
   * @param heartbeatInterval the interval servers are asked to heartbeat at; a server silent for
   *     more than two of them is overdue
   */
  Registry(InstantSource clock, Duration lease, Duration heartbeatInterval) {
    this(clock, lease, heartbeatInterval, EndpointPlanner.DEFAULT_GROUP_BYTES);
  }

  /**
   * @param endpointGroupBytes the Parquet bytes an endpoint of a folder dataset carries at least
   *     ({@link EndpointPlanner})
   */
  Registry(
      InstantSource clock, Duration lease, Duration heartbeatInterval, long endpointGroupBytes) {
    this.endpointGroupBytes = endpointGroupBytes;
    this.clock = requireNonNull(clock, "clock is null");
    this.lease = requireNonNull(lease, "lease is null");
    this.overdueAfter =
        requireNonNull(heartbeatInterval, "heartbeatInterval is null").multipliedBy(2);
  }

  /** From now on, the variant served for each name keeps serving through conflicts. */
  synchronized void markWarm() {
    if (!warm) {
      warm = true;
      incumbents = catalog.servingFingerprints();
    }
  }

  /** Registers a server, replacing any earlier registration of its id, with a fresh lease. */
  synchronized RegisteredServer register(
      String id, Location location, long listingVersion, Map<DatasetName, ServerDataset> datasets) {
    RegisteredServer server =
        new RegisteredServer(
            id,
            location,
            ++registrations,
            listingVersion,
            datasets,
            0,
            clock.instant().plus(lease));
    servers.put(id, server);
    checkConflicts();
    return server;
  }

  /**
   * Renews the lease of a live server and records its load.
   *
   * @return the renewed server; empty when the id is unknown or its lease has already run out, in
   *     which case the server must say hello again
   */
  synchronized Optional<RegisteredServer> renew(String id, int activeStreams) {
    Instant now = clock.instant();
    RegisteredServer server = servers.get(id);
    if (server == null || !server.isLive(now)) {
      return Optional.empty();
    }
    RegisteredServer renewed = server.renewed(now.plus(lease), activeStreams);
    servers.put(id, renewed);
    return Optional.of(renewed);
  }

  /**
   * Replaces a server's datasets, unless it said hello again or left since {@code pulledFor} was
   * read: a listing belongs to the registration it was pulled for.
   *
   * @return whether the listing was stored
   */
  synchronized boolean updateListing(
      RegisteredServer pulledFor, long listingVersion, Map<DatasetName, ServerDataset> datasets) {
    RegisteredServer current = servers.get(pulledFor.id());
    if (current == null || current.registration() != pulledFor.registration()) {
      return false;
    }
    servers.put(current.id(), current.withListing(listingVersion, datasets));
    checkConflicts();
    return true;
  }

  /** Removes a server at once, whether or not its lease still runs. */
  synchronized Optional<RegisteredServer> remove(String id) {
    RegisteredServer removed = servers.remove(id);
    if (removed != null) {
      checkConflicts();
    }
    return Optional.ofNullable(removed);
  }

  /** Removes every server whose lease has run out. */
  synchronized List<RegisteredServer> removeExpired() {
    Instant now = clock.instant();
    List<RegisteredServer> expired = new ArrayList<>();
    for (Iterator<RegisteredServer> it = servers.values().iterator(); it.hasNext(); ) {
      RegisteredServer server = it.next();
      if (!server.isLive(now)) {
        expired.add(server);
        it.remove();
      }
    }
    if (!expired.isEmpty()) {
      checkConflicts();
    }
    return expired;
  }

  /** The servers whose lease runs now. */
  synchronized List<RegisteredServer> liveServers() {
    return List.copyOf(liveServers(clock.instant()));
  }

  /**
   * The merged datasets of the servers live now, their locations ordered healthy first, then by
   * current load. O(servers) unless a lease ran out since the last change, which costs one merge.
   */
  synchronized DatasetCatalog catalog() {
    Instant now = clock.instant();
    List<RegisteredServer> live = liveServers(now);
    if (!catalog.isBuiltFrom(live)) {
      // A server expired and the sweeper has not removed it yet: it is gone for reads at once.
      merge(live);
    }
    // Overdue: its last heartbeat (lease expiry minus the lease) is more than overdueAfter ago.
    Instant overdueIfExpiringBefore = now.plus(lease).minus(overdueAfter);
    Set<String> overdue = new HashSet<>();
    for (RegisteredServer server : live) {
      if (server.leaseExpiry().isBefore(overdueIfExpiringBefore)) {
        overdue.add(server.id());
      }
    }
    return catalog.withStateOf(live, overdue);
  }

  /** The registered server, live or expired but not yet swept. */
  synchronized Optional<RegisteredServer> find(String id) {
    return Optional.ofNullable(servers.get(id));
  }

  private List<RegisteredServer> liveServers(Instant now) {
    List<RegisteredServer> live = new ArrayList<>(servers.size());
    for (RegisteredServer server : servers.values()) {
      if (server.isLive(now)) {
        live.add(server);
      }
    }
    return live;
  }

  /** Merges the live servers again after a change, and warns about new conflicts. */
  private void checkConflicts() {
    merge(liveServers(clock.instant()));
    conflictWarnings.update(catalog.conflicts());
  }

  private void merge(List<RegisteredServer> live) {
    catalog = DatasetCatalog.of(live, incumbents, endpointGroupBytes);
    if (warm) {
      // A name no live server holds any more is forgotten; a new one is served from now on.
      incumbents = catalog.servingFingerprints();
    }
  }
}
