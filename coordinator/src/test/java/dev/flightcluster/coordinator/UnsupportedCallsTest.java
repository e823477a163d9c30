package dev.flightcluster.coordinator;

import static dev.flightcluster.coordinator.CoordinatorHarness.assertStatus;
import static dev.flightcluster.coordinator.CoordinatorHarness.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcluster.protocol.ClusterActions;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.Tickets;
import java.nio.charset.StandardCharsets;
import java.util.stream.StreamSupport;
import org.apache.arrow.flight.ActionType;
import org.apache.arrow.flight.AsyncPutListener;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Calls the coordinator does not serve, and actions it cannot make sense of. */
class UnsupportedCallsTest {
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
  void doGetIsUnimplementedAndPointsAtTheDataServers() throws Exception {
    try (FlightStream stream = harness.client().getStream(Tickets.of(DatasetName.of("trips")))) {
      String description = assertStatus(failure(stream::next), FlightStatusCode.UNIMPLEMENTED);
      assertThat(description).contains("GetFlightInfo");
    }
  }

  @Test
  void doPutIsUnimplementedAndPointsAtChooseServer() {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(TestDatasets.SCHEMA, harness.allocator)) {
      FlightClient.ClientStreamListener put =
          harness
              .client()
              .startPut(FlightDescriptor.path("new.parquet"), root, new AsyncPutListener());
      put.completed();
      String description = assertStatus(failure(put::getResult), FlightStatusCode.UNIMPLEMENTED);
      assertThat(description).contains("choose_server");
    }
  }

  @Test
  void doExchangeIsUnimplemented() throws Exception {
    try (FlightClient.ExchangeReaderWriter exchange =
        harness.client().doExchange(FlightDescriptor.path("trips"))) {
      assertStatus(failure(() -> exchange.getReader().next()), FlightStatusCode.UNIMPLEMENTED);
    }
  }

  @Test
  void listActionsNamesTheProtocolActionsListConflictsClusterStatusAndPreparedStatements() {
    assertThat(
            StreamSupport.stream(harness.client().listActions().spliterator(), false)
                .map(ActionType::getType))
        .containsExactly(
            ClusterActions.SAY_HELLO,
            ClusterActions.HEARTBEAT,
            ClusterActions.GOODBYE,
            ClusterActions.CHOOSE_SERVER,
            ClusterActions.PLAN_PUT,
            ClusterActions.LIST_CONFLICTS,
            ClusterActions.CLUSTER_STATUS,
            // Flight SQL's prepared statements (D83).
            "CreatePreparedStatement",
            "ClosePreparedStatement");
  }

  @Test
  void anUnknownActionIsUnimplementedNamingTheServedOnes() {
    String description =
        assertStatus(
            failure(() -> harness.rawAction("reboot", new byte[0])),
            FlightStatusCode.UNIMPLEMENTED);

    assertThat(description)
        .contains("reboot")
        .contains(ClusterActions.SAY_HELLO)
        .contains(ClusterActions.CHOOSE_SERVER)
        .contains(ClusterActions.LIST_CONFLICTS);
  }

  @Test
  void malformedOrEmptyActionBodiesAreInvalidArgument() {
    for (String action :
        new String[] {
          ClusterActions.SAY_HELLO,
          ClusterActions.HEARTBEAT,
          ClusterActions.GOODBYE,
          ClusterActions.CHOOSE_SERVER,
          ClusterActions.PLAN_PUT
        }) {
      assertStatus(
          failure(() -> harness.rawAction(action, "{not json".getBytes(StandardCharsets.UTF_8))),
          FlightStatusCode.INVALID_ARGUMENT);
      assertStatus(
          failure(() -> harness.rawAction(action, new byte[0])), FlightStatusCode.INVALID_ARGUMENT);
      assertStatus(
          failure(() -> harness.rawAction(action, "{}".getBytes(StandardCharsets.UTF_8))),
          FlightStatusCode.INVALID_ARGUMENT);
    }
  }
}
