package dev.flightcluster.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flightcluster.cli.demo.FreePorts;
import dev.flightcluster.cli.otlp.OtlpHttpReceiver;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution as a real cluster: a coordinator and two data servers as three OS processes, the
 * CLI client as a fourth, every process exporting spans over OTLP/HTTP to a receiver in this test.
 * One client command must yield one trace that spans all the processes it touched.
 */
class DistributionIT {
  @TempDir Path work;

  private OtlpHttpReceiver receiver;
  private BufferAllocator allocator;
  private Distribution distribution;
  private ProcessCluster cluster;
  private Location coordinator;
  private List<String> datasets;

  @BeforeEach
  void startCluster() throws Exception {
    receiver = OtlpHttpReceiver.start();
    allocator = new RootAllocator();
    distribution = Distribution.exportingTo(receiver.endpoint());
    cluster = ProcessCluster.start(distribution, work, allocator, 1);
    coordinator = cluster.coordinators().get(0);
    datasets = cluster.datasets();
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
        // ParquetFiles' native writer may release the last exported batches a moment late.
        await().until(() -> allocator.getAllocatedMemory() == 0);
        allocator.close();
      }
    }
  }

  @Test
  void listAndGetAllIsOneTraceAcrossFourProcesses() throws Exception {
    cluster.awaitHealthy();
    cluster.awaitEveryDatasetListedWithItsReplicas(allocator, coordinator);

    Distribution.Run health =
        distribution.run(work, "health", 60, "health", "--target", coordinator.getUri().toString());
    assertThat(health.exitCode()).as("%s", health).isZero();
    assertThat(health.out().strip()).isEqualTo("SERVING");

    receiver.reset();
    Distribution.Run run =
        distribution.run(
            work,
            "list-and-get-all",
            120,
            "client",
            "--coordinator",
            coordinator.getUri().toString(),
            "list-and-get-all");
    ListAndGetAllRun.of(run, datasets).assertOneTraceAcrossTheCluster(receiver);
  }

  @Test
  void withoutACollectorTheCommandWorksAndSaysSoOnce() throws Exception {
    cluster.awaitEveryDatasetListedWithItsReplicas(allocator, coordinator);
    List<Integer> nobody = FreePorts.pick(1);
    Distribution.Run run =
        distribution
            .with("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + nobody.get(0))
            .run(
                work,
                "list-without-collector",
                120,
                "client",
                "--coordinator",
                coordinator.getUri().toString(),
                "list-and-get-all");
    assertThat(run.exitCode()).as("%s", run).isZero();
    assertThat(run.err().split("is a collector listening at", -1))
        .as("one hint in %s", run.err())
        .hasSize(2);
    assertThat(run.err()).doesNotContain("\tat ");
  }
}
