package dev.flightcluster.e2e.inprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flightcluster.client.GetResult;
import dev.flightcluster.protocol.ClusterStatus;
import dev.flightcluster.server.parquet.ParquetFiles;
import dev.flightcluster.testing.SampleTable;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coordinator's status, as {@code client status} and the status page get it, after real reads:
 * what the data servers report in their heartbeats reaches it.
 */
class ClusterStatusTest {
  private static final SampleTable ORDERS = new SampleTable(5_000, 1);
  private static final SampleTable SENSORS = new SampleTable(4_000, 2);

  @TempDir Path root;
  private InProcessCluster cluster;

  @BeforeEach
  void startCluster() throws Exception {
    Path one = Files.createDirectories(root.resolve("server-1"));
    Path two = Files.createDirectories(root.resolve("server-2"));
    write(one.resolve("orders.parquet"), ORDERS);
    write(two.resolve("sensors.parquet"), SENSORS);
    cluster = new InProcessCluster(List.of(one, two));
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> cluster.client.list(""), infos -> infos.size() == 2);
  }

  @AfterEach
  void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void theServersReportWhatTheyStreamedAndTheirReadsTraces() {
    FlightInfo orders = cluster.client.info("orders.parquet");
    GetResult read = cluster.client.get(orders, batch -> true);
    assertThat(read.complete()).isTrue();
    String traceId =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    cluster.serverTelemetry.spans().stream()
                        .filter(
                            s -> s.getKind() == SpanKind.SERVER && s.getName().endsWith("/DoGet"))
                        .map(SpanData::getTraceId)
                        .findFirst()
                        .orElse(null),
                id -> id != null);

    ClusterStatus status =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> cluster.client.status(),
                s -> s.servers().stream().anyMatch(server -> server.rowsStreamed() > 0));

    assertThat(status.servers())
        .extracting(ClusterStatus.Server::id)
        .containsExactly("server-1", "server-2");
    ClusterStatus.Server one = status.servers().get(0);
    assertThat(one.rowsStreamed()).isEqualTo(ORDERS.rows());
    assertThat(one.bytesStreamed()).isPositive();
    assertThat(status.servers().get(1).rowsStreamed()).isZero();
    assertThat(status.slowRequests())
        .singleElement()
        .satisfies(
            slow -> {
              assertThat(slow.serverId()).isEqualTo("server-1");
              assertThat(slow.dataset()).isEqualTo("orders.parquet");
              assertThat(slow.traceId()).isEqualTo(traceId);
            });
    assertThat(status.datasets())
        .extracting(ClusterStatus.Dataset::name, ClusterStatus.Dataset::rows)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("orders.parquet", ORDERS.rows()),
            org.assertj.core.groups.Tuple.tuple("sensors.parquet", SENSORS.rows()));
    assertThat(status.coordinators())
        .singleElement()
        .satisfies(
            coordinator -> {
              assertThat(coordinator.self()).isTrue();
              assertThat(coordinator.reportedBy()).containsExactly("server-1", "server-2");
            });
  }

  private static void write(Path file, SampleTable table) throws Exception {
    try (BufferAllocator allocator = new RootAllocator();
        ArrowReader reader = table.reader(allocator, 1_000)) {
      ParquetFiles.write(allocator, reader, file);
    }
  }
}
