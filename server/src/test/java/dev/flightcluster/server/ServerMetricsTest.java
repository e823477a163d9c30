package dev.flightcluster.server;

import static dev.flightcluster.otel.metrics.FlightMetrics.DATASET;
import static dev.flightcluster.otel.metrics.FlightMetrics.SERVER_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flightcluster.otel.TracedFlightClient;
import dev.flightcluster.otel.metrics.FlightMetrics;
import dev.flightcluster.server.store.DatasetStore;
import dev.flightcluster.testing.InMemoryTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.arrow.flight.AsyncPutListener;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code flight.server.*} instruments hold exactly what known DoGets and DoPuts moved. */
class ServerMetricsTest {
  private static final String SERVER = "server-1";
  private static final long SCAN_MEMORY = 64L << 20;

  @TempDir Path dataDir;
  private final InMemoryTelemetry telemetry = InMemoryTelemetry.forService("server");
  private final InMemoryTelemetry clientTelemetry = InMemoryTelemetry.forService("client");
  private BufferAllocator serverAllocator;
  private BufferAllocator clientAllocator;
  private DataServer server;
  private TracedFlightClient client;

  @BeforeEach
  void setUp() {
    serverAllocator = new RootAllocator();
    clientAllocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
    clientAllocator.close();
    serverAllocator.close();
    telemetry.close();
    clientTelemetry.close();
  }

  private FlightClient start() throws Exception {
    server =
        DataServer.builder(serverAllocator, telemetry.flightTelemetry())
            .location(Location.forGrpcInsecure("127.0.0.1", 0))
            .dataDir(dataDir)
            .serverId(SERVER)
            .batchRows(1000)
            .scanMemoryBytes(SCAN_MEMORY)
            .heartbeatInterval(Duration.ofMillis(100))
            .build()
            .start();
    client =
        clientTelemetry.flightTelemetry().connect(clientAllocator, server.advertisedLocation());
    return client.flightClient();
  }

  @Test
  void doGetCountsTheRowsBytesAndBatchesItSentPerDataset() throws Exception {
    TestData.write(dataDir.resolve("events.parquet"), 0, 2500);
    TestData.write(dataDir.resolve("other.parquet"), 0, 10);
    FlightClient flight = start();

    long rows = 0;
    long batches = 0;
    long bytes = 0;
    try (FlightStream stream =
        flight.getStream(new Ticket("events.parquet".getBytes(StandardCharsets.UTF_8)))) {
      while (stream.next()) {
        rows += stream.getRoot().getRowCount();
        batches++;
        bytes += bufferBytes(stream.getRoot());
      }
    }

    Attributes events = Attributes.of(DATASET, "events.parquet", SERVER_ID, SERVER);
    assertThat(rows).isEqualTo(2500);
    assertThat(batches).isEqualTo(3);
    // The counts are final once the stream has ended on the server: the last batch precedes the
    // end.
    // Exemplars come with the first collection after the measurement only, so keep that one.
    HistogramPointData duration =
        await()
            .until(
                () -> telemetry.histogram(FlightMetrics.DOGET_DURATION, events),
                Optional::isPresent)
            .orElseThrow();
    assertThat(telemetry.longValue(FlightMetrics.STREAMED_ROWS, events)).hasValue(2500);
    assertThat(telemetry.longValue(FlightMetrics.STREAMED_BATCHES, events)).hasValue(3);
    assertThat(telemetry.longValue(FlightMetrics.STREAMED_BYTES, events)).hasValue(bytes);
    assertThat(
            telemetry.longValue(
                FlightMetrics.STREAMED_ROWS,
                Attributes.of(DATASET, "other.parquet", SERVER_ID, SERVER)))
        .isEmpty();

    assertThat(duration.getCount()).isEqualTo(1);
    // The exemplar leads to the DoGet's own trace.
    SpanData doGet =
        telemetry.spans().stream()
            .filter(span -> span.getKind() == SpanKind.SERVER && span.getName().endsWith("/DoGet"))
            .findFirst()
            .orElseThrow();
    assertThat(duration.getExemplars())
        .singleElement()
        .satisfies(
            exemplar ->
                assertThat(exemplar.getSpanContext().getTraceId()).isEqualTo(doGet.getTraceId()));

    Attributes server = Attributes.of(SERVER_ID, SERVER);
    assertThat(telemetry.longValue(FlightMetrics.DOGET_ACTIVE, server)).hasValue(0);
    assertThat(telemetry.longValue(FlightMetrics.SCAN_BUDGET_WAITING, server)).hasValue(0);
    assertThat(telemetry.longValue(FlightMetrics.SCAN_BUDGET_RESERVED, server)).hasValue(0);
    assertThat(telemetry.longValue(FlightMetrics.SCAN_BUDGET_LIMIT, server)).hasValue(SCAN_MEMORY);
  }

  @Test
  void theHotCacheCountsItsHitsMissesCopiesAndBytes() throws Exception {
    TestData.write(dataDir.resolve("events.parquet"), 0, 2500);
    FlightClient flight = start();
    Ticket events = new Ticket("events.parquet".getBytes(StandardCharsets.UTF_8));
    Attributes server = Attributes.of(SERVER_ID, SERVER);

    for (int read = 1; read <= 3; read++) {
      try (FlightStream stream = flight.getStream(events)) {
        while (stream.next()) {
          // drained
        }
      }
      if (read == 2) { // the second read copies the file
        await()
            .until(
                () -> telemetry.longValue(FlightMetrics.CACHE_ENTRIES, server),
                entries -> entries.equals(OptionalLong.of(1)));
      }
    }

    assertThat(telemetry.longValue(FlightMetrics.CACHE_MISSES, server)).hasValue(2);
    assertThat(telemetry.longValue(FlightMetrics.CACHE_HITS, server)).hasValue(1);
    Path cache = dataDir.resolve(DatasetStore.STAGING_DIR).resolve("cache");
    long copyBytes;
    try (var copies = Files.list(cache)) {
      copyBytes = copies.mapToLong(file -> file.toFile().length()).sum();
    }
    assertThat(telemetry.longValue(FlightMetrics.CACHE_BYTES, server)).hasValue(copyBytes);
  }

  @Test
  void doPutCountsTheRowsBytesAndBatchesItStored() throws Exception {
    FlightClient flight = start();
    long bytes = 0;
    try (VectorSchemaRoot root = VectorSchemaRoot.create(TestData.SCHEMA, clientAllocator)) {
      FlightClient.ClientStreamListener put =
          flight.startPut(FlightDescriptor.path("uploaded"), root, new AsyncPutListener());
      for (int batch = 0; batch < 4; batch++) {
        TestData.fill(root, batch * 25L, 25);
        bytes += bufferBytes(root);
        put.putNext();
      }
      put.completed();
      put.getResult();
    }

    Attributes uploaded = Attributes.of(DATASET, "uploaded", SERVER_ID, SERVER);
    assertThat(telemetry.longValue(FlightMetrics.UPLOADED_ROWS, uploaded)).hasValue(100);
    assertThat(telemetry.longValue(FlightMetrics.UPLOADED_BATCHES, uploaded)).hasValue(4);
    assertThat(telemetry.longValue(FlightMetrics.UPLOADED_BYTES, uploaded)).hasValue(bytes);
    Attributes server = Attributes.of(SERVER_ID, SERVER);
    await()
        .until(
            () ->
                telemetry.longValue(FlightMetrics.DOPUT_ACTIVE, server).equals(OptionalLong.of(0)));
    assertThat(telemetry.longValue(FlightMetrics.UPLOADS_STAGING, server)).hasValue(0);
  }

  @Test
  void anUploadInProgressIsAnActiveDoPutInStaging() throws Exception {
    FlightClient flight = start();
    Attributes server = Attributes.of(SERVER_ID, SERVER);
    try (VectorSchemaRoot root = VectorSchemaRoot.create(TestData.SCHEMA, clientAllocator)) {
      FlightClient.ClientStreamListener put =
          flight.startPut(FlightDescriptor.path("slow"), root, new AsyncPutListener());
      TestData.fill(root, 0, 10);
      put.putNext();
      Path staging = dataDir.resolve(DatasetStore.STAGING_DIR);
      await()
          .until(
              () -> {
                try (var entries = Files.list(staging)) {
                  return entries.findAny().isPresent();
                }
              });
      assertThat(telemetry.longValue(FlightMetrics.DOPUT_ACTIVE, server)).hasValue(1);
      assertThat(telemetry.longValue(FlightMetrics.UPLOADS_STAGING, server)).hasValue(1);
      put.completed();
      put.getResult();
    }
    await()
        .until(
            () ->
                telemetry.longValue(FlightMetrics.DOPUT_ACTIVE, server).equals(OptionalLong.of(0)));
    assertThat(telemetry.longValue(FlightMetrics.UPLOADS_STAGING, server)).hasValue(0);
  }

  @Test
  void theGrpcInstrumentationRecordsTheStableRpcDuration() throws Exception {
    TestData.write(dataDir.resolve("events.parquet"), 0, 10);
    FlightClient flight = start();
    try (FlightStream stream =
        flight.getStream(new Ticket("events.parquet".getBytes(StandardCharsets.UTF_8)))) {
      while (stream.next()) {
        // drain
      }
    }
    await().until(() -> !telemetry.points("rpc.server.call.duration").isEmpty());
    assertThat(clientTelemetry.points("rpc.client.call.duration")).isNotEmpty();
    assertThat(telemetry.points("rpc.server.duration")).isEmpty();
  }

  /** What the server counts for a batch: the Arrow buffer bytes of its vectors. */
  private static long bufferBytes(VectorSchemaRoot root) {
    long bytes = 0;
    for (FieldVector vector : root.getFieldVectors()) {
      bytes += vector.getBufferSize();
    }
    return bytes;
  }
}
