package dev.flightcluster.coordinator;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.ClusterStatus;
import dev.flightcluster.protocol.DatasetConflict;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.Descriptors;
import dev.flightcluster.protocol.ServerStats;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;

/**
 * Builds the coordinator's {@link ClusterStatus}, the data of its status page and of the {@code
 * cluster_status} action, from the registry, the servers' reported activity and the warm-up. It
 * reads each of them once under its own short lock, so a server joining meanwhile may show in one
 * part and not yet in another; the next refresh agrees.
 */
final class StatusReport implements Supplier<ClusterStatus> {
  /** Slow requests shown for the whole cluster. */
  static final int MAX_SLOW_REQUESTS = 10;

  private final Registry registry;
  private final ServerActivity activity;
  private final WarmUp warmUp;
  private final InstantSource clock;
  private final Duration lease;
  private final Duration overdueAfter;
  private final Supplier<URI> self;
  private final String jaegerUrl;

  /**
   * @param self the coordinator's own location, known once it listens
   * @param jaegerUrl the Jaeger UI to link traces to, or null
   */
  StatusReport(
      Registry registry,
      ServerActivity activity,
      WarmUp warmUp,
      InstantSource clock,
      Duration lease,
      Duration heartbeatInterval,
      Supplier<URI> self,
      URI jaegerUrl) {
    this.registry = requireNonNull(registry, "registry is null");
    this.activity = requireNonNull(activity, "activity is null");
    this.warmUp = requireNonNull(warmUp, "warmUp is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.lease = requireNonNull(lease, "lease is null");
    // The registry's rule: a server silent for more than two intervals is overdue.
    this.overdueAfter =
        requireNonNull(heartbeatInterval, "heartbeatInterval is null").multipliedBy(2);
    this.self = requireNonNull(self, "self is null");
    this.jaegerUrl = jaegerUrl == null ? null : jaegerUrl.toString().replaceAll("/+$", "");
  }

  @Override
  public ClusterStatus get() {
    Instant now = clock.instant();
    List<RegisteredServer> live = new ArrayList<>(registry.liveServers());
    live.sort(Comparator.comparing(RegisteredServer::id));
    DatasetCatalog catalog = registry.catalog();
    String selfAddress = self.get().toString();

    List<ClusterStatus.Server> servers = new ArrayList<>();
    List<ClusterStatus.SlowRequest> slow = new ArrayList<>();
    // address -> the servers registered there; this coordinator first whether or not any reports
    // it.
    Map<String, Set<String>> coordinators = new TreeMap<>();
    for (RegisteredServer server : live) {
      ServerStats stats = activity.latest(server.id()).orElse(null);
      long heartbeatAge = Duration.between(server.leaseExpiry().minus(lease), now).toMillis();
      servers.add(
          new ClusterStatus.Server(
              server.id(),
              server.location().getUri().toString(),
              Math.max(0, heartbeatAge),
              Math.max(0, Duration.between(now, server.leaseExpiry()).toMillis()),
              heartbeatAge > overdueAfter.toMillis(),
              server.activeStreams(),
              server.datasets().keySet().stream().map(DatasetName::value).sorted().toList(),
              stats == null ? 0 : stats.bytesStreamed(),
              stats == null ? 0 : stats.rowsStreamed(),
              stats == null ? null : stats.lastError()));
      if (stats != null) {
        for (ServerStats.SlowRequest request : stats.slowRequests()) {
          slow.add(
              new ClusterStatus.SlowRequest(
                  server.id(),
                  request.dataset(),
                  request.durationMillis(),
                  request.traceId(),
                  request.atMillis()));
        }
        for (String address : stats.coordinators()) {
          coordinators.computeIfAbsent(address, a -> new TreeSet<>()).add(server.id());
        }
      }
    }
    slow.sort(Comparator.comparingLong(ClusterStatus.SlowRequest::durationMillis).reversed());

    Set<String> conflicted = new HashSet<>();
    for (DatasetConflict conflict : catalog.conflicts()) {
      conflicted.add(conflict.dataset());
    }
    List<ClusterStatus.Dataset> datasets = new ArrayList<>();
    for (FlightInfo info : catalog.list("")) {
      DatasetName name = Descriptors.datasetName(info.getDescriptor());
      int replicas = 0;
      for (FlightEndpoint endpoint : info.getEndpoints()) {
        replicas = Math.max(replicas, endpoint.getLocations().size());
      }
      datasets.add(
          new ClusterStatus.Dataset(
              name.value(),
              info.getRecords(),
              info.getBytes(),
              info.getEndpoints().size(),
              replicas,
              catalog.holders(name),
              conflicted.contains(name.value())));
    }

    List<ClusterStatus.KnownCoordinator> known = new ArrayList<>();
    known.add(
        new ClusterStatus.KnownCoordinator(
            selfAddress, true, List.copyOf(coordinators.getOrDefault(selfAddress, Set.of()))));
    coordinators.forEach(
        (address, reporters) -> {
          if (!address.equals(selfAddress)) {
            known.add(new ClusterStatus.KnownCoordinator(address, false, List.copyOf(reporters)));
          }
        });

    List<String> liveIds = live.stream().map(RegisteredServer::id).toList();
    return new ClusterStatus(
        now.toEpochMilli(),
        new ClusterStatus.Self(selfAddress, warmUp.isWarm(), lease.toMillis()),
        known,
        servers,
        datasets,
        catalog.conflicts(),
        activity.throughput(liveIds),
        slow.subList(0, Math.min(slow.size(), MAX_SLOW_REQUESTS)),
        jaegerUrl);
  }
}
