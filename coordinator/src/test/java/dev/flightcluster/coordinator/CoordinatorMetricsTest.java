package dev.flightcluster.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flightcluster.otel.metrics.FlightMetrics;
import dev.flightcluster.testing.InMemoryTelemetry;
import io.opentelemetry.api.common.Attributes;
import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code flight.coordinator.*} instruments follow the membership, on the harness's fake clock.
 */
class CoordinatorMetricsTest {
  private CoordinatorHarness harness;
  private InMemoryTelemetry metrics;

  @BeforeEach
  void setUp() throws Exception {
    harness = new CoordinatorHarness();
    metrics = harness.coordinatorTelemetry;
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  private OptionalLong value(String name) {
    return metrics.longValue(name, Attributes.empty());
  }

  @Test
  void countsServersDatasetsReplicasHellosAndHeartbeats() throws Exception {
    harness.hello(harness.startServer("s1").holds("trips=aa", "sales=cc"));
    harness.hello(harness.startServer("s2").holds("trips=aa"));
    harness.heartbeat("s1", 1, 0);
    harness.heartbeat("s1", 1, 0);
    harness.heartbeat("s2", 1, 0);
    harness.heartbeat("stranger", 1, 0);

    assertThat(value(FlightMetrics.COORDINATOR_SERVERS)).hasValue(2);
    assertThat(value(FlightMetrics.COORDINATOR_DATASETS)).hasValue(2);
    assertThat(value(FlightMetrics.COORDINATOR_SHARDS)).as("trips twice, sales once").hasValue(3);
    assertThat(value(FlightMetrics.COORDINATOR_CONFLICTS)).hasValue(0);
    assertThat(value(FlightMetrics.COORDINATOR_HELLOS)).hasValue(2);
    assertThat(value(FlightMetrics.COORDINATOR_HEARTBEATS))
        .as("the stranger's is not accepted")
        .hasValue(3);
    assertThat(value(FlightMetrics.COORDINATOR_EVICTIONS)).isEmpty();
  }

  @Test
  void heartbeatAgeIsTheTimeSinceEachServersLastHeartbeat() throws Exception {
    harness.hello(harness.startServer("s1").holds("trips=aa"));
    harness.hello(harness.startServer("s2").holds("trips=aa"));
    harness.clock.advance(Duration.ofSeconds(3));
    harness.heartbeat("s2", 1, 0);
    harness.clock.advance(Duration.ofMillis(500));

    assertThat(
            metrics.doubleValue(
                FlightMetrics.COORDINATOR_HEARTBEAT_AGE,
                Attributes.of(FlightMetrics.SERVER_ID, "s1")))
        .hasValue(3.5);
    assertThat(
            metrics.doubleValue(
                FlightMetrics.COORDINATOR_HEARTBEAT_AGE,
                Attributes.of(FlightMetrics.SERVER_ID, "s2")))
        .hasValue(0.5);
  }

  @Test
  void aConflictIsCounted() throws Exception {
    harness.hello(harness.startServer("a").holds("trips=bb"));
    harness.hello(harness.startServer("b").holds("trips=aa"));

    assertThat(value(FlightMetrics.COORDINATOR_CONFLICTS)).hasValue(1);
    assertThat(value(FlightMetrics.COORDINATOR_DATASETS)).hasValue(1);
    assertThat(value(FlightMetrics.COORDINATOR_SHARDS))
        .as("only the served variant's holder")
        .hasValue(1);
  }

  @Test
  void aLeaseExpiryIsAnEvictionAndTheServerLeavesTheGauges() throws Exception {
    harness.hello(harness.startServer("s1").holds("trips=aa"));
    harness.hello(harness.startServer("s2").holds("sales=bb"));
    harness.clock.advance(CoordinatorHarness.LEASE.minusSeconds(1));
    harness.heartbeat("s2", 1, 0);
    harness.clock.advance(Duration.ofSeconds(1));

    await().until(() -> value(FlightMetrics.COORDINATOR_EVICTIONS).equals(OptionalLong.of(1)));
    assertThat(value(FlightMetrics.COORDINATOR_SERVERS)).hasValue(1);
    assertThat(value(FlightMetrics.COORDINATOR_DATASETS)).hasValue(1);
    assertThat(
            metrics.doubleValue(
                FlightMetrics.COORDINATOR_HEARTBEAT_AGE,
                Attributes.of(FlightMetrics.SERVER_ID, "s1")))
        .isEmpty();
  }
}
