package dev.flightcluster.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flightcluster.otel.FlightAttributes;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.DatasetTicket;
import dev.flightcluster.protocol.Descriptors;
import dev.flightcluster.protocol.Pushdown;
import dev.flightcluster.protocol.QueryCommand;
import dev.flightcluster.protocol.ResumePosition;
import dev.flightcluster.protocol.Tickets;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GetTest {
  private Cluster cluster;

  @BeforeEach
  void setUp() {
    cluster = new Cluster();
  }

  @AfterEach
  void tearDown() throws Exception {
    cluster.close();
  }

  @Test
  void readsExactlyTheRowsServed() {
    cluster.serverA.serve("sales.parquet", 4, 25);
    cluster.coordinator.register(cluster.serverA.info("sales.parquet"));
    CollectingConsumer consumer = CollectingConsumer.all();

    GetResult result =
        cluster.client.get(
            cluster.client.info("sales.parquet"), consumer, consumer.progressListener());

    assertThat(consumer.rows).isEqualTo(TestData.expectedRows(0, 100));
    assertThat(consumer.schemas).containsExactly(TestData.SCHEMA);
    assertThat(result.rows()).isEqualTo(100);
    assertThat(result.batches()).isEqualTo(4);
    assertThat(result.bytes()).isPositive();
    assertThat(result.complete()).isTrue();
    assertThat(result.locationsUsed()).containsExactly(cluster.serverA.location());
    assertThat(consumer.progress).hasSize(4);
    assertThat(consumer.progress.get(3)).containsExactly(100, result.bytes());
  }

  @Test
  void readsEveryEndpointInParallel() {
    cluster.serverA.serve("part-a", 2, 5);
    cluster.serverB.serve("part-b", 1, 7);
    FlightInfo info =
        new FlightInfo(
            TestData.SCHEMA,
            cluster.serverA.info("part-a").getDescriptor(),
            List.of(endpoint(cluster.serverA, "part-a"), endpoint(cluster.serverB, "part-b")),
            -1,
            17);
    CollectingConsumer consumer = CollectingConsumer.all();

    GetResult result = cluster.client.get(info, consumer);

    // Two servers: both endpoints are read at once, so their batches interleave.
    List<TestData.Row> expected = new ArrayList<>(TestData.expectedRows(0, 10));
    expected.addAll(TestData.expectedRows(0, 7));
    assertThat(consumer.rows).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(consumer.schemas).hasSize(1);
    assertThat(result.locationsUsed())
        .containsExactly(cluster.serverA.location(), cluster.serverB.location());
  }

  @Test
  void emptyDatasetStillDeliversItsSchema() {
    cluster.serverA.serve("empty.parquet", 0, 0);
    CollectingConsumer consumer = CollectingConsumer.all();

    GetResult result = cluster.client.get(cluster.serverA.info("empty.parquet"), consumer);

    assertThat(consumer.schemas).containsExactly(TestData.SCHEMA);
    assertThat(result.rows()).isZero();
    assertThat(result.complete()).isTrue();
  }

  @Test
  void failsOverToTheNextLocationWhenTheFirstIsDown() {
    cluster.serverA.serve("sales.parquet", 3, 10);
    Location dead = TestData.deadLocation();
    CollectingConsumer consumer = CollectingConsumer.all();

    GetResult result =
        cluster.client.get(
            infoWithLocations("sales.parquet", 30, dead, cluster.serverA.location()), consumer);

    assertThat(consumer.rows).isEqualTo(TestData.expectedRows(0, 30));
    assertThat(result.rows()).isEqualTo(30);
    assertThat(result.locationsUsed()).containsExactly(cluster.serverA.location());

    List<SpanData> spans = cluster.clientTelemetry.spans();
    List<SpanData> connects = named(spans, "connect");
    List<SpanData> doGets = named(spans, "do_get");
    assertThat(connects)
        .extracting(s -> s.getAttributes().get(ClientAttributes.LOCATION))
        .containsExactly(dead.getUri().toString(), cluster.serverA.location().getUri().toString());
    assertThat(doGets).hasSize(2);
    assertThat(doGets.get(0).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(doGets.get(0).getAttributes().get(FlightAttributes.STATUS_CODE))
        .isEqualTo("UNAVAILABLE");
    assertThat(doGets.get(1).getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(doGets.get(1).getAttributes().get(FlightAttributes.NUM_ROWS)).isEqualTo(30L);
    SpanData get = named(spans, "get_single_flight").get(0);
    assertThat(get.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(get.getEvents()).extracting(e -> e.getName()).containsExactly("failover");
  }

  @Test
  void everyLocationDownIsUnavailableNamingEachOne() {
    Location first = TestData.deadLocation();
    Location second = TestData.deadLocation();
    CollectingConsumer consumer = CollectingConsumer.all();

    assertThatThrownBy(
            () ->
                cluster.client.get(infoWithLocations("sales.parquet", 30, first, second), consumer))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> {
              assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAVAILABLE);
              assertThat(e.status().description())
                  .contains("'sales.parquet'")
                  .contains(first.getUri().toString())
                  .contains(second.getUri().toString())
                  .contains("every location is unavailable")
                  .contains("Check that a data server holding 'sales.parquet' is running");
              assertThat(e.getSuppressed()).hasSize(1);
            });
    assertThat(consumer.rows).isEmpty();
    SpanData get = named(cluster.clientTelemetry.spans(), "get_single_flight").get(0);
    assertThat(get.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(named(cluster.clientTelemetry.spans(), "connect")).hasSize(2);
  }

  @Test
  void aBusyReplicaIsSkippedForTheNextLocation() {
    cluster.serverA.serve("sales.parquet", 0, 10, FakeDataServer.Ending.BUSY);
    cluster.serverB.serve("sales.parquet", 3, 10);
    CollectingConsumer consumer = CollectingConsumer.all();

    GetResult result =
        cluster.client.get(
            infoWithLocations(
                "sales.parquet", 30, cluster.serverA.location(), cluster.serverB.location()),
            consumer);

    assertThat(consumer.rows).isEqualTo(TestData.expectedRows(0, 30));
    assertThat(result.locationsUsed()).containsExactly(cluster.serverB.location());
  }

  @Test
  void everyLocationBusyIsResourceExhausted() {
    cluster.serverA.serve("sales.parquet", 0, 10, FakeDataServer.Ending.BUSY);
    cluster.serverB.serve("sales.parquet", 0, 10, FakeDataServer.Ending.BUSY);

    assertThatThrownBy(
            () ->
                cluster.client.get(
                    infoWithLocations(
                        "sales.parquet",
                        30,
                        cluster.serverA.location(),
                        cluster.serverB.location()),
                    CollectingConsumer.all()))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> {
              assertThat(e.status().code()).isEqualTo(FlightStatusCode.RESOURCE_EXHAUSTED);
              assertThat(e.status().description())
                  .contains("every location is busy")
                  .contains(cluster.serverA.location().getUri().toString())
                  .contains(cluster.serverB.location().getUri().toString());
            });
  }

  @Test
  void brokenStreamResumesAtTheNextLocationFromTheLastBatchDelivered() {
    cluster.serverA.serveResumable("big.parquet", 10, 10, 4);
    cluster.serverB.serveResumable("big.parquet", 10, 10, 10);
    CollectingConsumer consumer = CollectingConsumer.all();

    GetResult result =
        cluster.client.get(
            infoWithLocations(
                "big.parquet", 100, cluster.serverA.location(), cluster.serverB.location()),
            consumer);

    assertThat(consumer.rows)
        .as("every row once, in order")
        .isEqualTo(TestData.expectedRows(0, 100));
    assertThat(result.rows()).isEqualTo(100);
    assertThat(result.locationsUsed()).containsExactly(cluster.serverB.location());
    assertThat(cluster.serverB.resumePositions())
        .containsExactly(new ResumePosition("big.parquet", 40, DatasetName.of("big.parquet")));
    await()
        .untilAsserted(
            () -> {
              List<SpanData> doGets = named(cluster.clientTelemetry.spans(), "do_get");
              assertThat(doGets).hasSize(2);
              SpanData resumed =
                  doGets.stream()
                      .filter(span -> span.getAttributes().get(ClientAttributes.RESUME_ROW) != null)
                      .findFirst()
                      .orElseThrow();
              assertThat(resumed.getAttributes().get(ClientAttributes.LOCATION))
                  .isEqualTo(cluster.serverB.location().getUri().toString());
              assertThat(resumed.getAttributes().get(ClientAttributes.RESUME_ROW)).isEqualTo(40L);
              assertThat(resumed.getAttributes().get(FlightAttributes.ROWS)).isEqualTo(60L);
            });
  }

  @Test
  void aQueryLimitHoldsOverAResumeWhichAsksForTheRestOfIt() {
    // The fakes ignore pushdowns and send every row: the client cuts at the limit itself.
    cluster.serverA.serveResumable("big.parquet", 10, 10, 4);
    cluster.serverB.serveResumable("big.parquet", 10, 10, 10);
    Pushdown pushdown = new Pushdown(List.of(), "id >= 0", 73L);
    DatasetName dataset = DatasetName.of("big.parquet");
    FlightInfo info =
        new FlightInfo(
            TestData.SCHEMA,
            QueryCommand.of(dataset, pushdown).toDescriptor(),
            List.of(
                new FlightEndpoint(
                    Tickets.of(DatasetTicket.whole(dataset).withPushdown(pushdown)),
                    cluster.serverA.location(),
                    cluster.serverB.location())),
            -1,
            -1);
    CollectingConsumer consumer = CollectingConsumer.all();

    GetResult result = cluster.client.get(info, consumer);

    assertThat(consumer.rows).isEqualTo(TestData.expectedRows(0, 73));
    assertThat(result.rows()).isEqualTo(73);
    assertThat(result.complete()).as("a read cut at its limit is complete").isTrue();
    assertThat(cluster.serverB.tickets())
        .singleElement()
        .satisfies(
            ticket -> {
              assertThat(ticket.resume().row()).isEqualTo(40);
              assertThat(ticket.pushdown())
                  .as("the same pushdown, with the rest of the limit (decisions D80)")
                  .isEqualTo(new Pushdown(List.of(), "id >= 0", 33L));
            });
  }

  @Test
  void aLimitOfZeroReadsNothingAndDeliversTheSchema() {
    cluster.serverA.serveResumable("big.parquet", 10, 10, 10);
    Pushdown pushdown = new Pushdown(List.of(), null, 0L);
    DatasetName dataset = DatasetName.of("big.parquet");
    FlightInfo info =
        new FlightInfo(
            TestData.SCHEMA,
            QueryCommand.of(dataset, pushdown).toDescriptor(),
            List.of(
                new FlightEndpoint(
                    Tickets.of(DatasetTicket.whole(dataset).withPushdown(pushdown)),
                    cluster.serverA.location())),
            -1,
            -1);
    CollectingConsumer consumer = CollectingConsumer.all();

    GetResult result = cluster.client.get(info, consumer);

    assertThat(result.rows()).isZero();
    assertThat(result.complete()).isTrue();
    assertThat(consumer.schemas).containsExactly(TestData.SCHEMA);
    assertThat(cluster.serverA.tickets()).isEmpty();
  }

  @Test
  void brokenStreamFailsWhenNoLocationCanResume() {
    cluster.serverA.serveResumable("big.parquet", 10, 10, 4);
    cluster.serverB.serveResumable("big.parquet", 10, 10, 7);
    CollectingConsumer consumer = CollectingConsumer.all();

    assertThatThrownBy(
            () ->
                cluster.client.get(
                    infoWithLocations(
                        "big.parquet", 100, cluster.serverA.location(), cluster.serverB.location()),
                    consumer))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> {
              assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAVAILABLE);
              assertThat(e.status().description()).contains("70 rows of it were delivered");
            });
    assertThat(consumer.rows).as("no row twice").isEqualTo(TestData.expectedRows(0, 70));
  }

  @Test
  void failureAfterTheFirstBatchOfAServerWithoutResumeTokensIsNotRetriedElsewhere() {
    cluster.serverA.serve("flaky.parquet", 1, 10, FakeDataServer.Ending.FAIL);
    cluster.serverB.serve("flaky.parquet", 3, 10);
    CollectingConsumer consumer = CollectingConsumer.all();

    assertThatThrownBy(
            () ->
                cluster.client.get(
                    infoWithLocations(
                        "flaky.parquet",
                        30,
                        cluster.serverA.location(),
                        cluster.serverB.location()),
                    consumer))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAVAILABLE));
    assertThat(consumer.rows).as("no row twice").isEqualTo(TestData.expectedRows(0, 10));
    assertThat(cluster.serverB.doGets()).isZero();
  }

  @Test
  void consumerFailurePropagatesUnchangedAndIsNotRetried() {
    cluster.serverA.serve("sales.parquet", 3, 10);
    cluster.serverB.serve("sales.parquet", 3, 10);
    IllegalStateException diskFull = new IllegalStateException("disk full");

    assertThatThrownBy(
            () ->
                cluster.client.get(
                    infoWithLocations(
                        "sales.parquet",
                        30,
                        cluster.serverA.location(),
                        cluster.serverB.location()),
                    batch -> {
                      throw diskFull;
                    }))
        .isSameAs(diskFull);
    assertThat(cluster.serverB.doGets()).isZero();
    await().untilAsserted(() -> assertThat(cluster.allocator.getAllocatedMemory()).isZero());
  }

  @Test
  void otherStatusesPropagateWithoutFailover() {
    cluster.serverB.serve("sales.parquet", 1, 10);

    assertThatThrownBy(
            () ->
                cluster.client.get(
                    infoWithLocations(
                        "sales.parquet",
                        10,
                        cluster.serverA.location(),
                        cluster.serverB.location()),
                    CollectingConsumer.all()))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND));
    assertThat(cluster.serverB.doGets()).isZero();
  }

  @Test
  void consumerStoppingEarlyCancelsTheStreamCleanly() {
    cluster.serverA.serve("endless", 0, 100, FakeDataServer.Ending.ENDLESS);
    CollectingConsumer consumer = CollectingConsumer.stoppingAfter(3);

    GetResult result = cluster.client.get(cluster.serverA.info("endless"), consumer);

    assertThat(result.complete()).isFalse();
    assertThat(result.batches()).isEqualTo(3);
    assertThat(result.rows()).isEqualTo(300);
    assertThat(consumer.rows).isEqualTo(TestData.expectedRows(0, 300));
    assertThat(result.locationsUsed()).containsExactly(cluster.serverA.location());
    await().until(() -> cluster.serverA.cancelledStreams() == 1);
    await().untilAsserted(() -> assertThat(cluster.allocator.getAllocatedMemory()).isZero());

    List<SpanData> spans = cluster.clientTelemetry.spans();
    SpanData doGet = named(spans, "do_get").get(0);
    assertThat(doGet.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(doGet.getAttributes().get(FlightAttributes.NUM_ROWS)).isEqualTo(300L);
    assertThat(doGet.getEvents())
        .extracting(e -> e.getName())
        .containsExactly("consumer stopped reading");
    SpanData get = named(spans, "get_single_flight").get(0);
    assertThat(get.getAttributes().get(ClientAttributes.STOPPED_EARLY)).isTrue();
  }

  @Test
  void endpointWithoutLocationsIsReadFromTheCoordinator() {
    DatasetName dataset = DatasetName.of("sales.parquet");
    FlightInfo info =
        new FlightInfo(
            TestData.SCHEMA,
            Descriptors.of(dataset),
            List.of(new FlightEndpoint(Tickets.of(dataset))),
            -1,
            10);

    // The fake coordinator implements no DoGet: UNIMPLEMENTED proves the call went there.
    assertThatThrownBy(() -> cluster.client.get(info, CollectingConsumer.all()))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNIMPLEMENTED));
    assertThat(named(cluster.clientTelemetry.spans(), "connect"))
        .extracting(s -> s.getAttributes().get(ClientAttributes.LOCATION))
        .containsExactly(cluster.coordinator.location().getUri().toString());
  }

  private static FlightInfo infoWithLocations(String name, long rows, Location... locations) {
    DatasetName dataset = DatasetName.of(name);
    return new FlightInfo(
        TestData.SCHEMA,
        Descriptors.of(dataset),
        List.of(new FlightEndpoint(Tickets.of(dataset), locations)),
        -1,
        rows);
  }

  private static FlightEndpoint endpoint(FakeDataServer server, String name) {
    return server.info(name).getEndpoints().get(0);
  }

  /** The spans called {@code name}, in the order they ended (the exporter's order). */
  static List<SpanData> named(List<SpanData> spans, String name) {
    return spans.stream().filter(s -> s.getName().equals(name)).toList();
  }
}
