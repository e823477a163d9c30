package dev.flightcluster.e2e;

import static org.awaitility.Awaitility.await;

import dev.flightcluster.cli.client.DatasetListing;
import dev.flightcluster.cli.otlp.OtlpHttpReceiver;
import dev.flightcluster.client.FlightClusterClient;
import dev.flightcluster.otel.FlightTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two coordinators and two data servers as OS processes, every server registered with both: losing
 * a coordinator to {@code kill -9} costs a client given both nothing, and a restarted one is
 * rebuilt by the servers alone.
 */
class MultiCoordinatorIT {
  @TempDir Path work;

  private OtlpHttpReceiver receiver;
  private BufferAllocator allocator;
  private Distribution distribution;
  private ProcessCluster cluster;

  @BeforeEach
  void startCluster() throws Exception {
    receiver = OtlpHttpReceiver.start();
    allocator = new RootAllocator();
    distribution = Distribution.exportingTo(receiver.endpoint());
    cluster = ProcessCluster.start(distribution, work, allocator, 2);
  }

  @AfterEach
  void stopCluster() throws Exception {
    try {
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      if (receiver != null) {
        receiver.close();
      }
      if (allocator != null) {
        await().until(() -> allocator.getAllocatedMemory() == 0);
        allocator.close();
      }
    }
  }

  @Test
  void aKilledCoordinatorCostsTheClientNothingAndComesBackWhole() throws Exception {
    cluster.awaitHealthy();
    for (Location coordinator : cluster.coordinators()) {
      cluster.awaitEveryDatasetListedWithItsReplicas(allocator, coordinator);
    }

    cluster.killCoordinator(0);
    long killed = System.nanoTime();
    receiver.reset();
    // The dead coordinator comes first in the list: every coordinator call must move on to the
    // other.
    Distribution.Run run =
        distribution.run(
            work,
            "list-and-get-all",
            120,
            "client",
            "--coordinator",
            cluster.coordinatorOption(),
            "list-and-get-all");
    long firstSuccess = System.nanoTime();
    ListAndGetAllRun.of(run, cluster.datasets()).assertOneTraceAcrossTheCluster(receiver);
    System.out.printf(
        "measured: kill -9 of a coordinator to a finished list-and-get-all through the other: %d ms%n",
        Duration.ofNanos(firstSuccess - killed).toMillis());

    // The survivor keeps both servers for longer than a lease: their heartbeats to it never waited
    // on the dead one.
    Location survivor = cluster.coordinators().get(1);
    try (FlightClusterClient client =
        FlightClusterClient.builder(
                allocator, FlightTelemetry.create(OpenTelemetry.noop()), survivor)
            .build()) {
      await("both replicas stay listed at " + survivor)
          .during(Duration.ofSeconds(12))
          .atMost(Duration.ofSeconds(40))
          .until(
              () -> {
                cluster.checkAlive(0);
                List<FlightInfo> infos = client.list("");
                return infos.stream()
                    .filter(info -> DatasetListing.name(info).equals("sensor_readings.parquet"))
                    .anyMatch(info -> DatasetListing.locations(info).size() == 2);
              });
    }

    cluster.restartCoordinator(0);
    long restarted = System.nanoTime();
    cluster.awaitEveryDatasetListedWithItsReplicas(allocator, cluster.coordinators().get(0));
    System.out.printf(
        "measured: coordinator restart to its full catalog: %d ms%n",
        Duration.ofNanos(System.nanoTime() - restarted).toMillis());
  }
}
