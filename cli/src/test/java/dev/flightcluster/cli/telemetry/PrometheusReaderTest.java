package dev.flightcluster.cli.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flightcluster.cli.otlp.OtlpHttpReceiver;
import dev.flightcluster.coordinator.Coordinator;
import dev.flightcluster.otel.FlightTelemetry;
import dev.flightcluster.otel.TracedFlightClient;
import dev.flightcluster.server.DataServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.AsyncPutListener;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code OTEL_METRICS_EXPORTER=prometheus} in one process running a coordinator and a data server:
 * {@code /metrics} serves the cluster's instruments with their values after a known DoPut and
 * DoGet, in text that Prometheus's own {@code promtool} accepts (required in CI, where .ci/run
 * installs it; skipped elsewhere when it is missing).
 */
class PrometheusReaderTest {
  private static final Schema SCHEMA =
      new Schema(List.of(Field.nullable("n", new ArrowType.Int(32, true))));
  private final HttpClient http = HttpClient.newHttpClient();

  @TempDir Path dataDir;

  @Test
  void servesTheClusterMetricsInTheTextFormatPrometheusParses() throws Exception {
    try (OtlpHttpReceiver traces = OtlpHttpReceiver.start()) {
      scrapeACluster(traces);
    }
  }

  private void scrapeACluster(OtlpHttpReceiver traces) throws Exception {
    // Traces exported for real: with no span exporter the SDK samples nothing, and exemplars
    // come only from sampled spans.
    Map<String, String> config =
        Map.of(
            "otel.metrics.exporter", "prometheus",
            "otel.exporter.prometheus.host", "127.0.0.1",
            "otel.exporter.prometheus.port", "0",
            "otel.exporter.otlp.protocol", "http/protobuf",
            "otel.exporter.otlp.endpoint", traces.endpoint());
    try (Telemetry telemetry = Telemetry.start("server", config);
        BufferAllocator allocator = new RootAllocator()) {
      int port = telemetry.prometheusPort().orElseThrow();
      FlightTelemetry flightTelemetry = FlightTelemetry.create(telemetry.openTelemetry());
      Coordinator coordinator =
          Coordinator.builder(allocator, flightTelemetry)
              .location(Location.forGrpcInsecure("127.0.0.1", 0))
              .build()
              .start();
      try (DataServer server =
              DataServer.builder(allocator, flightTelemetry)
                  .location(Location.forGrpcInsecure("127.0.0.1", 0))
                  .dataDir(dataDir)
                  .serverId("s1")
                  .coordinator(coordinator.location())
                  .build()
                  .start();
          TracedFlightClient client =
              flightTelemetry.connect(allocator, server.advertisedLocation())) {
        upload(client.flightClient(), "numbers", 3, 10);
        // The coordinator lists the upload after the server's next heartbeat.
        await().until(() -> scrape(port, "text/plain").contains("flight_coordinator_datasets 1.0"));
        try (FlightStream stream =
            client
                .flightClient()
                .getStream(new Ticket("numbers".getBytes(StandardCharsets.UTF_8)))) {
          while (stream.next()) {
            // read to the end
          }
        }
        String labels = "{flight_dataset=\"numbers\",server_id=\"s1\"}";
        // The server ends its DoGet span just after the client has read the end of the stream.
        // Exemplars come with the first collection after their measurement only: keep that one.
        String openMetrics =
            await()
                .until(
                    () -> scrape(port, "application/openmetrics-text; version=1.0.0"),
                    body ->
                        body.contains(
                            "flight_server_doget_duration_seconds_count" + labels + " 1"));
        String text = scrape(port, "text/plain");

        assertThat(text)
            .contains("flight_server_uploaded_rows_total" + labels + " 30.0")
            .contains("flight_server_uploaded_batches_total" + labels + " 3.0")
            .contains("flight_server_streamed_rows_total" + labels + " 30.0")
            .contains("# TYPE flight_server_streamed_bytes_total counter")
            .contains("flight_server_doget_duration_seconds_count" + labels + " 1")
            .contains("flight_server_scan_budget_limit_bytes{server_id=\"s1\"} 1.073741824E9")
            .contains("flight_coordinator_servers 1.0")
            // Exact hello counts are CoordinatorMetricsTest's; a registrar may say hello again.
            .containsPattern("flight_coordinator_hellos_total [1-9]")
            .doesNotContain("network_peer_port", "rpc_request_size")
            .containsPattern(
                "rpc_server_call_duration_seconds_count\\{[^}]*rpc_method=\"arrow.flight.protocol.FlightService/DoGet\"");
        // The DoGet's duration carries its trace: an exemplar, which only OpenMetrics can show.
        assertThat(openMetrics)
            .containsPattern(
                "flight_server_doget_duration_seconds_bucket\\{[^}]*\\} 1 # \\{span_id=\"[0-9a-f]{16}\",trace_id=\"[0-9a-f]{32}\"\\}");
        assertPromtoolAccepts(text);
      } finally {
        coordinator.close();
      }
    }
  }

  private String scrape(int port, String accept) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
            .header("Accept", accept)
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  private static void upload(FlightClient flight, String name, int batches, int rowsPerBatch) {
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator)) {
      FlightClient.ClientStreamListener put =
          flight.startPut(FlightDescriptor.path(name), root, new AsyncPutListener());
      IntVector numbers = (IntVector) root.getVector(0);
      for (int batch = 0; batch < batches; batch++) {
        numbers.allocateNew(rowsPerBatch);
        for (int i = 0; i < rowsPerBatch; i++) {
          numbers.set(i, batch * rowsPerBatch + i);
        }
        root.setRowCount(rowsPerBatch);
        put.putNext();
      }
      put.completed();
      put.getResult();
    }
  }

  /**
   * Prometheus's own parser and linter over the scrape; the scrape is kept under target/ to read.
   */
  private static void assertPromtoolAccepts(String text) throws IOException, InterruptedException {
    Path scrape = Path.of("target", "prometheus-scrape.txt");
    Files.createDirectories(scrape.getParent());
    Files.writeString(scrape, text);
    boolean ci = "true".equals(System.getenv("CI"));
    boolean found = Files.isExecutable(Path.of("/usr/bin/promtool")) || onPath("promtool");
    if (!ci) {
      Assumptions.assumeTrue(
          found, "promtool is not installed (Debian: apt-get install prometheus)");
    }
    Process promtool =
        new ProcessBuilder("promtool", "check", "metrics")
            .redirectInput(scrape.toFile())
            .redirectErrorStream(true)
            .start();
    String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(promtool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    // 0: parsed and lint-clean; 3: parsed, with lint problems; anything else: it could not parse.
    assertThat(promtool.exitValue()).as("promtool check metrics said:%n%s", output).isIn(0, 3);
    // Lint problems are allowed only in the SDK's own self-metrics (BatchSpanProcessor's camelCase
    // names, the OTLP exporter's counters without help), which are not ours to name.
    assertThat(output.lines())
        .as("promtool check metrics said:%n%s", output)
        .noneMatch(line -> line.startsWith("flight_") || line.startsWith("rpc_"));
  }

  private static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }
}
