package dev.flightcluster.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flightcluster.cli.client.DatasetListing;
import dev.flightcluster.cli.client.ListAndGetAll;
import dev.flightcluster.cli.demo.ChildProcesses;
import dev.flightcluster.cli.demo.DemoData;
import dev.flightcluster.cli.demo.FreePorts;
import dev.flightcluster.cli.health.HealthCommand;
import dev.flightcluster.cli.otlp.OtlpHttpReceiver;
import dev.flightcluster.cli.otlp.ReceivedSpan;
import dev.flightcluster.client.FlightClusterClient;
import dev.flightcluster.otel.FlightTelemetry;
import dev.flightcluster.protocol.Locations;
import dev.flightcluster.server.parquet.ParquetFiles;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.opentelemetry.api.OpenTelemetry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution as a real cluster: a coordinator and two data servers as three OS processes,
 * the CLI client as a fourth, every process exporting spans over OTLP/HTTP to a receiver in this
 * test. One client command must yield one trace that spans all the processes it touched.
 */
class DistributionIT {
  private static final long ROWS = 20_000;
  private static final Pattern TRACE_ID = Pattern.compile("trace id: ([0-9a-f]{32})");

  @TempDir Path work;

  private OtlpHttpReceiver receiver;
  private ChildProcesses cluster;
  private BufferAllocator allocator;
  private Distribution distribution;
  private Location coordinator;
  private List<Location> servers;
  private List<String> datasets;

  @BeforeEach
  void startCluster() throws Exception {
    receiver = OtlpHttpReceiver.start();
    allocator = new RootAllocator();
    cluster = new ChildProcesses(Duration.ofSeconds(10));
    distribution = Distribution.exportingTo(receiver.endpoint());

    // The demo's layout, small: server-1 and server-2 share one byte-identical dataset.
    DemoData data = new DemoData(work.resolve("data"));
    data.ensure(allocator, ParquetFiles::write, ROWS, 4_096, new PrintWriter(new StringWriter()));
    datasets = data.expectedDatasets();
    assertThat(datasets).hasSize(3);

    List<Integer> ports = FreePorts.pick(3);
    coordinator = Locations.parse("grpc://127.0.0.1:" + ports.get(0));
    cluster.start(
        "coordinator",
        distribution.command(
            "coordinator", "--host", "127.0.0.1", "--port", ports.get(0).toString(), "--lease", "10s"),
        distribution.environment(),
        work.resolve("logs/coordinator.log"),
        1);
    servers =
        List.of(
            Locations.parse("grpc://127.0.0.1:" + ports.get(1)),
            Locations.parse("grpc://127.0.0.1:" + ports.get(2)));
    for (int i = 0; i < 2; i++) {
      String id = DemoData.SERVERS.get(i);
      String port = ports.get(i + 1).toString();
      cluster.start(
          id,
          distribution.command(
              "server",
              "--host", "127.0.0.1",
              "--port", port,
              "--advertise", "grpc://127.0.0.1:" + port,
              "--server-id", id,
              "--data-dir", data.serverDir(id).toString(),
              "--coordinator", coordinator.getUri().toString(),
              "--heartbeat-interval", "1s"),
          distribution.environment(),
          work.resolve("logs/" + id + ".log"),
          2);
    }
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
    for (Location process : List.of(coordinator, servers.get(0), servers.get(1))) {
      await("health of " + process)
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptionsMatching(e -> !(e instanceof IllegalStateException))
          .until(
              () -> {
                cluster.checkAlive();
                return HealthCommand.check(process, "", Duration.ofSeconds(1)) == ServingStatus.SERVING;
              });
    }
    awaitEveryDatasetListedWithItsReplicas();

    Distribution.Run health =
        distribution.run(work, "health", 60, "health", "--target", coordinator.getUri().toString());
    assertThat(health.exitCode()).as("%s", health).isZero();
    assertThat(health.out().strip()).isEqualTo("SERVING");

    receiver.reset();
    Distribution.Run run =
        distribution.run(
            work, "list-and-get-all", 120,
            "client", "--coordinator", coordinator.getUri().toString(), "list-and-get-all");
    assertThat(run.exitCode()).as("%s", run).isZero();
    for (String dataset : datasets) {
      assertThat(run.out()).contains(dataset);
    }
    assertThat(run.out()).contains("total").contains(String.format("%,d", 3 * ROWS));
    Matcher traceId = TRACE_ID.matcher(run.out());
    assertThat(traceId.find()).as("a trace id in %s", run).isTrue();
    String trace = traceId.group(1);

    await("the spans of trace " + trace)
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              List<ReceivedSpan> spans = receiver.trace(trace);
              assertThat(spans)
                  .filteredOn(ReceivedSpan::isRoot)
                  .singleElement()
                  .satisfies(
                      root -> {
                        assertThat(root.name()).isEqualTo(ListAndGetAll.ROOT_SPAN);
                        assertThat(root.serviceName()).isEqualTo("client");
                      });
              assertThat(spans)
                  .filteredOn(span -> span.name().equals("get_single_flight"))
                  .extracting(span -> span.attribute("flight.dataset"))
                  .containsExactlyInAnyOrderElementsOf(datasets);
              Map<String, Long> byService =
                  spans.stream()
                      .collect(Collectors.groupingBy(ReceivedSpan::serviceName, Collectors.counting()));
              assertThat(byService).containsKeys("client", "coordinator", "server");
              // Taxi trips live on server-1 only, orders on server-2 only: both served a DoGet.
              assertThat(spans)
                  .filteredOn(span -> span.serviceName().equals("server"))
                  .filteredOn(span -> span.name().endsWith("/DoGet"))
                  .hasSizeGreaterThanOrEqualTo(3);
              // One connected tree: every parent is in the trace.
              Set<String> ids = spans.stream().map(ReceivedSpan::spanId).collect(Collectors.toSet());
              assertThat(spans)
                  .filteredOn(span -> !span.isRoot())
                  .allSatisfy(span -> assertThat(ids).contains(span.parentSpanId()));
            });
  }

  @Test
  void withoutACollectorTheCommandWorksAndSaysSoOnce() throws Exception {
    awaitEveryDatasetListedWithItsReplicas();
    List<Integer> nobody = FreePorts.pick(1);
    Distribution.Run run =
        distribution
            .with("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + nobody.get(0))
            .run(
                work, "list-without-collector", 120,
                "client", "--coordinator", coordinator.getUri().toString(), "list-and-get-all");
    assertThat(run.exitCode()).as("%s", run).isZero();
    assertThat(run.err().split("is a collector listening at", -1))
        .as("one hint in %s", run.err())
        .hasSize(2);
    assertThat(run.err()).doesNotContain("\tat ");
  }

  private void awaitEveryDatasetListedWithItsReplicas() throws Exception {
    try (FlightClusterClient client =
        FlightClusterClient.builder(allocator, FlightTelemetry.create(OpenTelemetry.noop()), coordinator)
            .build()) {
      await("the coordinator lists " + datasets)
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptionsMatching(e -> !(e instanceof IllegalStateException))
          .until(
              () -> {
                cluster.checkAlive();
                List<FlightInfo> infos = client.list("");
                Map<String, Integer> replicas =
                    infos.stream()
                        .collect(
                            Collectors.toMap(
                                DatasetListing::name, info -> DatasetListing.locations(info).size()));
                return replicas.keySet().containsAll(datasets)
                    && replicas.get("sensor_readings.parquet") == 2;
              });
    }
  }
}
