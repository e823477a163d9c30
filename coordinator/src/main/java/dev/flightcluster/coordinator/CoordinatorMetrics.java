package dev.flightcluster.coordinator;

import static dev.flightcluster.otel.metrics.FlightMetrics.SERVER_ID;
import static java.util.Objects.requireNonNull;

import dev.flightcluster.otel.metrics.FlightMetrics;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableDoubleGauge;
import io.opentelemetry.api.metrics.ObservableLongGauge;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;

/**
 * The {@code flight.coordinator.*} instruments (docs/metrics.md lists them). The gauges read the
 * registry's snapshots when a reader collects, so they cost nothing between scrapes; the counters
 * are counted by {@link Membership} as hellos, heartbeats and evictions happen. Close it with the
 * coordinator: that stops the gauges' callbacks. Thread-safe.
 */
final class CoordinatorMetrics implements AutoCloseable {
  private final LongCounter hellos;
  private final LongCounter heartbeats;
  private final LongCounter evictions;
  private final List<AutoCloseable> gauges;

  /**
   * @param lease the lease a heartbeat renews: a server's last heartbeat is its lease expiry less
   *     this
   */
  CoordinatorMetrics(Meter meter, Registry registry, InstantSource clock, Duration lease) {
    requireNonNull(meter, "meter is null");
    requireNonNull(registry, "registry is null");
    requireNonNull(clock, "clock is null");
    requireNonNull(lease, "lease is null");
    hellos =
        counter(
            meter, FlightMetrics.COORDINATOR_HELLOS, "{hello}", "Hellos (registrations) accepted");
    heartbeats =
        counter(meter, FlightMetrics.COORDINATOR_HEARTBEATS, "{heartbeat}", "Heartbeats accepted");
    evictions =
        counter(
            meter,
            FlightMetrics.COORDINATOR_EVICTIONS,
            "{server}",
            "Data servers dropped because their lease expired");
    ObservableLongGauge servers =
        gauge(
                meter,
                FlightMetrics.COORDINATOR_SERVERS,
                "{server}",
                "Data servers holding a live lease")
            .buildWithCallback(m -> m.record(registry.liveServers().size()));
    ObservableLongGauge datasets =
        gauge(meter, FlightMetrics.COORDINATOR_DATASETS, "{dataset}", "Datasets served")
            .buildWithCallback(m -> m.record(registry.catalog().datasetCount()));
    ObservableLongGauge shards =
        gauge(
                meter,
                FlightMetrics.COORDINATOR_SHARDS,
                "{shard}",
                "Dataset replicas served: one per dataset and live server holding it")
            .buildWithCallback(m -> m.record(registry.catalog().replicaCount()));
    ObservableLongGauge conflicts =
        gauge(
                meter,
                FlightMetrics.COORDINATOR_CONFLICTS,
                "{conflict}",
                "Dataset names that live servers hold with different contents")
            .buildWithCallback(m -> m.record(registry.catalog().conflicts().size()));
    ObservableDoubleGauge heartbeatAge =
        meter
            .gaugeBuilder(FlightMetrics.COORDINATOR_HEARTBEAT_AGE)
            .setUnit(FlightMetrics.UNIT_SECONDS)
            .setDescription("Time since each live data server's last hello or heartbeat")
            .buildWithCallback(
                m -> {
                  Instant now = clock.instant();
                  for (RegisteredServer server : registry.liveServers()) {
                    Duration age = Duration.between(server.leaseExpiry().minus(lease), now);
                    m.record(
                        Math.max(0, age.toNanos()) / 1e9, Attributes.of(SERVER_ID, server.id()));
                  }
                });
    gauges = List.of(servers, datasets, shards, conflicts, heartbeatAge);
  }

  /** Counts an accepted hello. */
  void hello() {
    hellos.add(1);
  }

  /** Counts an accepted heartbeat. */
  void heartbeat() {
    heartbeats.add(1);
  }

  /** Counts a server evicted because its lease ran out. */
  void evicted() {
    evictions.add(1);
  }

  @Override
  public void close() {
    for (AutoCloseable gauge : gauges) {
      try {
        gauge.close();
      } catch (Exception e) {
        // The SDK's gauges only unregister their callback; nothing of theirs throws.
        throw new IllegalStateException("closing a gauge failed", e);
      }
    }
  }

  private static LongCounter counter(Meter meter, String name, String unit, String description) {
    return meter.counterBuilder(name).setUnit(unit).setDescription(description).build();
  }

  private static io.opentelemetry.api.metrics.LongGaugeBuilder gauge(
      Meter meter, String name, String unit, String description) {
    return meter.gaugeBuilder(name).ofLongs().setUnit(unit).setDescription(description);
  }
}
