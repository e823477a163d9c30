package dev.flightcluster.e2e.inprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flightcluster.client.BatchConsumer;
import dev.flightcluster.otel.FlightAttributes;
import dev.flightcluster.protocol.ClusterActions;
import dev.flightcluster.protocol.Hello;
import dev.flightcluster.protocol.Messages;
import dev.flightcluster.server.DataServer;
import dev.flightcluster.server.parquet.ParquetFiles;
import dev.flightcluster.testing.SampleTable;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole cluster in one JVM: the behaviour a user sees, and the traces it leaves. */
class InProcessClusterTest {
  private static final String DO_GET = "arrow.flight.protocol.FlightService/DoGet";
  private static final String LIST_FLIGHTS = "arrow.flight.protocol.FlightService/ListFlights";
  private static final String GET_FLIGHT_INFO = "arrow.flight.protocol.FlightService/GetFlightInfo";
  private static final String DO_ACTION = "arrow.flight.protocol.FlightService/DoAction";

  private static final Map<String, SampleTable> TABLES =
      Map.of(
          "orders.parquet", new SampleTable(5_000, 1),
          "sensors.parquet", new SampleTable(4_000, 2),
          "shared.parquet", new SampleTable(3_000, 7));

  @TempDir Path root;
  private InProcessCluster cluster;

  @BeforeEach
  void startCluster() throws Exception {
    Path one = Files.createDirectories(root.resolve("server-1"));
    Path two = Files.createDirectories(root.resolve("server-2"));
    writeTable(one.resolve("orders.parquet"), TABLES.get("orders.parquet"));
    writeTable(two.resolve("sensors.parquet"), TABLES.get("sensors.parquet"));
    writeTable(one.resolve("shared.parquet"), TABLES.get("shared.parquet"));
    // A byte-identical copy is a replica: same name, same fingerprint.
    Files.copy(one.resolve("shared.parquet"), two.resolve("shared.parquet"));
    cluster = new InProcessCluster(List.of(one, two));
    awaitListing(TABLES.keySet());
  }

  @AfterEach
  void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void listingIsTheUnionOfBothServersDatasets() {
    assertThat(names(cluster.client.list(""))).containsExactlyInAnyOrderElementsOf(TABLES.keySet());
    assertThat(names(cluster.client.list("s")))
        .containsExactlyInAnyOrder("sensors.parquet", "shared.parquet");
  }

  @Test
  void aDatasetOnBothServersListsBothLocations() {
    FlightInfo shared = cluster.client.info("shared.parquet");
    assertThat(shared.getEndpoints()).hasSize(1);
    assertThat(ports(shared.getEndpoints().get(0).getLocations()))
        .containsExactlyInAnyOrder(cluster.servers.get(0).port(), cluster.servers.get(1).port());
    assertThat(shared.getRecords()).isEqualTo(3_000);

    FlightInfo orders = cluster.client.info("orders.parquet");
    assertThat(ports(orders.getEndpoints().get(0).getLocations()))
        .containsExactly(cluster.servers.get(0).port());
  }

  @Test
  void doGetReturnsExactlyTheRowsAndValuesOfTheParquetFile() {
    for (var entry : TABLES.entrySet()) {
      SampleTable table = entry.getValue();
      BitSet seen = new BitSet();
      var result =
          cluster.client.get(
              cluster.client.info(entry.getKey()),
              BatchConsumer.of(
                  batch -> {
                    for (int i = 0; i < batch.getRowCount(); i++) {
                      long id = table.verifyRow(batch, i);
                      assertThat(seen.get((int) id)).as("row %s read twice", id).isFalse();
                      seen.set((int) id);
                    }
                  }));
      assertThat(result.rows()).isEqualTo(table.rows());
      assertThat(seen.cardinality()).as(entry.getKey()).isEqualTo((int) table.rows());
    }
  }

  @Test
  void anUploadIsListedByTheVeryNextListFlights() throws Exception {
    SampleTable uploaded = new SampleTable(2_500, 9);
    try (BufferAllocator allocator = new RootAllocator();
        ArrowReader reader = uploaded.reader(allocator, 1_000)) {
      cluster.client.put("uploaded.parquet", reader);
    }
    assertThat(names(cluster.client.list("uploaded"))).containsExactly("uploaded.parquet");
    var result =
        cluster.client.get(
            cluster.client.info("uploaded.parquet"),
            BatchConsumer.of(
                batch -> {
                  for (int i = 0; i < batch.getRowCount(); i++) {
                    uploaded.verifyRow(batch, i);
                  }
                }));
    assertThat(result.rows()).isEqualTo(2_500);
  }

  @Test
  void oneClientRequestIsOneTraceAcrossClientCoordinatorAndServer() {
    cluster.coordinatorTelemetry.reset();
    cluster.serverTelemetry.reset();
    cluster.clientTelemetry.reset();
    Span root =
        cluster
            .clientTelemetry
            .flightTelemetry()
            .tracer()
            .spanBuilder("list_and_get_all_flights")
            .startSpan();
    try (Scope ignored = root.makeCurrent()) {
      cluster.client.get(cluster.client.info("orders.parquet"), BatchConsumer.of(batch -> {}));
    } finally {
      root.end();
    }
    String traceId = root.getSpanContext().getTraceId();

    SpanData clientInfo =
        onlySpan(
            cluster.clientTelemetry.spans(), kind(SpanKind.CLIENT).and(named(GET_FLIGHT_INFO)));
    SpanData clientGet =
        onlySpan(cluster.clientTelemetry.spans(), kind(SpanKind.CLIENT).and(named(DO_GET)));
    SpanData coordinatorInfo =
        await()
            .until(
                () ->
                    findSpan(
                        cluster.coordinatorTelemetry.spans(),
                        kind(SpanKind.SERVER).and(named(GET_FLIGHT_INFO)).and(trace(traceId))),
                s -> s != null);
    SpanData serverGet =
        await()
            .until(
                () ->
                    findSpan(
                        cluster.serverTelemetry.spans(),
                        kind(SpanKind.SERVER).and(named(DO_GET)).and(trace(traceId))),
                s -> s != null);

    assertThat(List.of(clientInfo, clientGet, coordinatorInfo, serverGet))
        .allSatisfy(s -> assertThat(s.getTraceId()).isEqualTo(traceId));
    assertThat(coordinatorInfo.getParentSpanId()).isEqualTo(clientInfo.getSpanId());
    assertThat(serverGet.getParentSpanId()).isEqualTo(clientGet.getSpanId());
    assertThat(serverGet.getAttributes().get(FlightAttributes.ROWS)).isEqualTo(5_000L);
    assertThat(serverGet.getAttributes().get(FlightAttributes.DATASET)).isEqualTo("orders.parquet");
    assertThat(
            serverGet
                .getResource()
                .getAttribute(io.opentelemetry.api.common.AttributeKey.stringKey("service.name")))
        .isEqualTo("server");
  }

  @Test
  void helloAndTheListFlightsCallbackFormOneTrace() {
    for (DataServer server : cluster.servers) {
      String serverId = server.serverId();
      // The coordinator's span for this server's hello, its ListFlights call back, and the server's
      // span answering it.
      SpanData hello =
          await()
              .until(
                  () ->
                      findSpan(
                          cluster.coordinatorTelemetry.spans(),
                          kind(SpanKind.SERVER)
                              .and(named(DO_ACTION))
                              .and(
                                  s ->
                                      serverId.equals(
                                          s.getAttributes().get(FlightAttributes.SERVER_ID)))),
                  s -> s != null);
      SpanData callback =
          onlySpan(
              cluster.coordinatorTelemetry.spans(),
              kind(SpanKind.CLIENT)
                  .and(named(LIST_FLIGHTS))
                  .and(s -> s.getParentSpanId().equals(hello.getSpanId())));
      SpanData answer =
          await()
              .until(
                  () ->
                      findSpan(
                          cluster.serverTelemetry.spans(),
                          kind(SpanKind.SERVER)
                              .and(named(LIST_FLIGHTS))
                              .and(s -> s.getParentSpanId().equals(callback.getSpanId()))),
                  s -> s != null);
      assertThat(List.of(callback.getTraceId(), answer.getTraceId()))
          .containsOnly(hello.getTraceId());
    }
  }

  @Test
  void aServerThatMissesItsLeaseDisappearsFromEveryListing(@TempDir Path ghostDir)
      throws Exception {
    writeTable(ghostDir.resolve("ghost.parquet"), new SampleTable(100, 3));
    try (BufferAllocator allocator = new RootAllocator();
        DataServer ghost =
            DataServer.builder(allocator, cluster.serverTelemetry.flightTelemetry())
                .location(Location.forGrpcInsecure("127.0.0.1", 0))
                .advertisedLocation(Location.forGrpcInsecure("127.0.0.1", 0))
                .dataDir(ghostDir)
                .serverId("ghost")
                .heartbeatInterval(InProcessCluster.HEARTBEAT)
                .build()
                .start()) {
      // Registered by hand and never heartbeating: a server that died without saying goodbye.
      Location ghostLocation = Location.forGrpcInsecure("127.0.0.1", ghost.port());
      try (var coordinator =
          cluster
              .coordinatorTelemetry
              .flightTelemetry()
              .connect(allocator, cluster.coordinatorLocation())) {
        coordinator
            .flightClient()
            .doAction(
                new Action(
                    ClusterActions.SAY_HELLO,
                    Messages.encode(new Hello("ghost", ghostLocation.getUri().toString(), 1))))
            .forEachRemaining(result -> {});
      }
      assertThat(names(cluster.client.list(""))).contains("ghost.parquet");

      cluster.coordinatorClock.advance(InProcessCluster.LEASE.plusSeconds(1));

      // The live servers renew on their next heartbeat; the ghost never does.
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(names(cluster.client.list("")))
                      .containsExactlyInAnyOrderElementsOf(TABLES.keySet()));
    }
  }

  @Test
  void serversRegisterAgainAfterACoordinatorRestart() throws Exception {
    int port = cluster.coordinator.port();
    cluster.coordinator.close();
    cluster.coordinator = cluster.startCoordinator(port);
    awaitListing(TABLES.keySet());
    assertThat(ports(cluster.client.info("shared.parquet").getEndpoints().get(0).getLocations()))
        .hasSize(2);
  }

  @Test
  void anUnknownDatasetIsNotFound() {
    assertThatThrownBy(() -> cluster.client.info("missing.parquet"))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND));
  }

  private void awaitListing(Set<String> expected) {
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(names(cluster.client.list("")))
                    .containsExactlyInAnyOrderElementsOf(expected));
  }

  private static void writeTable(Path file, SampleTable table) throws Exception {
    try (BufferAllocator allocator = new RootAllocator();
        ArrowReader reader = table.reader(allocator, 1_000)) {
      ParquetFiles.write(allocator, reader, file);
    }
  }

  private static Set<String> names(List<FlightInfo> infos) {
    return infos.stream()
        .map(info -> info.getDescriptor().getPath().get(0))
        .collect(Collectors.toSet());
  }

  private static List<Integer> ports(List<Location> locations) {
    return locations.stream().map(location -> location.getUri().getPort()).toList();
  }

  private static Predicate<SpanData> kind(SpanKind kind) {
    return span -> span.getKind() == kind;
  }

  private static Predicate<SpanData> named(String name) {
    return span -> span.getName().equals(name);
  }

  private static Predicate<SpanData> trace(String traceId) {
    return span -> span.getTraceId().equals(traceId);
  }

  private static SpanData findSpan(List<SpanData> spans, Predicate<SpanData> predicate) {
    return spans.stream().filter(predicate).findFirst().orElse(null);
  }

  private static SpanData onlySpan(List<SpanData> spans, Predicate<SpanData> predicate) {
    List<SpanData> matching = spans.stream().filter(predicate).toList();
    assertThat(matching).as("matching spans among %s", spans).hasSize(1);
    return matching.get(0);
  }
}
