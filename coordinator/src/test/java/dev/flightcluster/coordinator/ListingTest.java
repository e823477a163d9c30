package dev.flightcluster.coordinator;

import static dev.flightcluster.coordinator.CoordinatorHarness.assertStatus;
import static dev.flightcluster.coordinator.CoordinatorHarness.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcluster.protocol.DatasetFingerprint;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.Tickets;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightStatusCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ListingTest {
  private CoordinatorHarness harness;

  @BeforeEach
  void setUp() throws Exception {
    harness = new CoordinatorHarness();
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  @Test
  void listsTheUnionOfTwoServersSortedByName() throws Exception {
    harness.hello(harness.startServer("s1").holds("trips=aa", "sales.parquet=bb"));
    harness.hello(harness.startServer("s2").holds("weather/2024.parquet=cc"));

    assertThat(harness.listNames(""))
        .containsExactly("sales.parquet", "trips", "weather/2024.parquet");
  }

  @Test
  void criteriaAllListsEverything() throws Exception {
    harness.hello(harness.startServer("s1").holds("a=01", "b=02"));

    assertThat(harness.client().listFlights(Criteria.ALL)).hasSize(2);
  }

  @Test
  void aReplicaOnTwoServersIsOneEndpointWithBothLocationsLeastLoadedFirst() throws Exception {
    FakeDataServer s1 = harness.startServer("s1").holds("trips=aa");
    FakeDataServer s2 = harness.startServer("s2").holds("trips=aa");
    harness.hello(s1);
    harness.hello(s2);
    harness.heartbeat("s1", 1, 3);
    harness.heartbeat("s2", 1, 1);

    List<FlightInfo> infos = harness.list("");

    assertThat(infos).hasSize(1);
    FlightInfo info = infos.get(0);
    assertThat(info.getEndpoints()).hasSize(1);
    FlightEndpoint endpoint = info.getEndpoints().get(0);
    assertThat(endpoint.getLocations()).containsExactly(s2.location(), s1.location());
    assertThat(endpoint.getTicket()).isEqualTo(Tickets.of(DatasetName.of("trips")));
  }

  @Test
  void equallyLoadedReplicasAreOrderedByServerId() throws Exception {
    FakeDataServer b = harness.startServer("b").holds("trips=aa");
    FakeDataServer a = harness.startServer("a").holds("trips=aa");
    harness.hello(b);
    harness.hello(a);

    assertThat(harness.list("").get(0).getEndpoints().get(0).getLocations())
        .containsExactly(a.location(), b.location());
  }

  @Test
  void aReplicaWhoseHeartbeatIsOverdueIsListedLastBeforeItsLeaseRunsOut() throws Exception {
    FakeDataServer a = harness.startServer("a").holds("trips=aa");
    FakeDataServer b = harness.startServer("b").holds("trips=aa");
    harness.hello(a);
    harness.hello(b);
    harness.heartbeat("b", 1, 3);

    // More than two heartbeat intervals without a heartbeat from a, far less than a lease.
    harness.clock.advance(CoordinatorHarness.HEARTBEAT_INTERVAL.multipliedBy(2).plusMillis(1));
    harness.heartbeat("b", 1, 3);

    assertThat(harness.list("").get(0).getEndpoints().get(0).getLocations())
        .containsExactly(b.location(), a.location());
    assertThat(
            harness
                .client()
                .getInfo(FlightDescriptor.path("trips"))
                .getEndpoints()
                .get(0)
                .getLocations())
        .containsExactly(b.location(), a.location());

    harness.heartbeat("a", 1, 0);
    assertThat(harness.list("").get(0).getEndpoints().get(0).getLocations())
        .containsExactly(a.location(), b.location());
  }

  @Test
  void criteriaIsANamePrefix() throws Exception {
    harness.hello(
        harness
            .startServer("s1")
            .holds("weather/2024.parquet=01", "weather/2025.parquet=02", "trips=03"));

    assertThat(harness.listNames("weather/"))
        .containsExactly("weather/2024.parquet", "weather/2025.parquet");
    assertThat(harness.listNames("tr")).containsExactly("trips");
    assertThat(harness.listNames("nothing")).isEmpty();
  }

  @Test
  void getFlightInfoDescribesTheMergedDataset() throws Exception {
    FakeDataServer s1 = harness.startServer("s1").holds("sales.parquet=abcdef");
    harness.hello(s1);

    FlightInfo info = harness.client().getInfo(FlightDescriptor.path("sales.parquet"));

    assertThat(info.getDescriptor()).isEqualTo(FlightDescriptor.path("sales.parquet"));
    assertThat(info.getSchemaOptional()).contains(TestDatasets.SCHEMA);
    assertThat(info.getRecords()).isEqualTo(10);
    assertThat(info.getBytes()).isEqualTo(1000);
    assertThat(DatasetFingerprint.fromAppMetadata(info.getAppMetadata()).value())
        .isEqualTo("abcdef");
    assertThat(info.getEndpoints())
        .singleElement()
        .satisfies(
            endpoint -> {
              assertThat(endpoint.getLocations()).containsExactly(s1.location());
              assertThat(endpoint.getTicket())
                  .isEqualTo(Tickets.of(DatasetName.of("sales.parquet")));
            });
  }

  @Test
  void getSchemaReturnsTheDatasetSchema() throws Exception {
    harness.hello(harness.startServer("s1").holds("sales.parquet=abcdef"));

    assertThat(harness.client().getSchema(FlightDescriptor.path("sales.parquet")).getSchema())
        .isEqualTo(TestDatasets.SCHEMA);
  }

  @Test
  void unknownDatasetIsNotFound() throws Exception {
    harness.hello(harness.startServer("s1").holds("sales.parquet=abcdef"));

    String description =
        assertStatus(
            failure(() -> harness.client().getInfo(FlightDescriptor.path("nope.parquet"))),
            FlightStatusCode.NOT_FOUND);
    assertThat(description).contains("nope.parquet").contains("ListFlights");
    assertStatus(
        failure(() -> harness.client().getSchema(FlightDescriptor.path("nope.parquet"))),
        FlightStatusCode.NOT_FOUND);
  }

  @Test
  void cmdDescriptorIsUnimplementedNamingWhatIsServed() {
    String description =
        assertStatus(
            failure(() -> harness.client().getInfo(FlightDescriptor.command(new byte[] {1, 2}))),
            FlightStatusCode.UNIMPLEMENTED);
    assertThat(description)
        .contains("PATH descriptor")
        .contains("query command")
        .contains("Flight SQL");
    assertStatus(
        failure(() -> harness.client().getSchema(FlightDescriptor.command(new byte[] {1, 2}))),
        FlightStatusCode.UNIMPLEMENTED);
  }

  @Test
  void multiPartPathIsInvalidArgument() {
    assertStatus(
        failure(() -> harness.client().getInfo(FlightDescriptor.path("weather", "2024.parquet"))),
        FlightStatusCode.INVALID_ARGUMENT);
    assertStatus(
        failure(() -> harness.client().getSchema(FlightDescriptor.path("weather", "2024.parquet"))),
        FlightStatusCode.INVALID_ARGUMENT);
  }

  @Test
  void invalidDatasetNameIsInvalidArgument() {
    assertStatus(
        failure(() -> harness.client().getInfo(FlightDescriptor.path("../etc/passwd"))),
        FlightStatusCode.INVALID_ARGUMENT);
  }

  @Test
  void nonUtf8CriteriaIsInvalidArgument() {
    assertStatus(
        failure(
            () ->
                harness
                    .client()
                    .listFlights(new Criteria(new byte[] {(byte) 0xff}))
                    .forEach(info -> {})),
        FlightStatusCode.INVALID_ARGUMENT);
  }

  @Test
  void flightsAServerListsBadlyAreSkippedAndTheRestServed() throws Exception {
    FakeDataServer s1 = harness.startServer("s1");
    FlightInfo good = TestDatasets.info("good.parquet", "aa", s1.location());
    FlightInfo noFingerprint =
        FlightInfo.builder(
                TestDatasets.SCHEMA, FlightDescriptor.path("bare.parquet"), good.getEndpoints())
            .build();
    FlightInfo badName =
        FlightInfo.builder(
                TestDatasets.SCHEMA, FlightDescriptor.path(".hidden"), good.getEndpoints())
            .setAppMetadata(new DatasetFingerprint("bb").toAppMetadata())
            .build();
    FlightInfo cmd =
        FlightInfo.builder(
                TestDatasets.SCHEMA, FlightDescriptor.command(new byte[] {1}), good.getEndpoints())
            .setAppMetadata(new DatasetFingerprint("cc").toAppMetadata())
            .build();
    FlightInfo garbageMetadata =
        FlightInfo.builder(
                TestDatasets.SCHEMA, FlightDescriptor.path("garbage.parquet"), good.getEndpoints())
            .setAppMetadata("not json".getBytes(StandardCharsets.UTF_8))
            .build();
    s1.lists(noFingerprint, badName, good, cmd, garbageMetadata);

    harness.hello(s1);

    assertThat(harness.listNames("")).containsExactly("good.parquet");
  }
}
