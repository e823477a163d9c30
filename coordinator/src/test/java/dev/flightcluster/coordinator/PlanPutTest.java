package dev.flightcluster.coordinator;

import static dev.flightcluster.coordinator.CoordinatorHarness.assertStatus;
import static dev.flightcluster.coordinator.CoordinatorHarness.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcluster.protocol.ClusterActions;
import dev.flightcluster.protocol.PlanPut;
import dev.flightcluster.protocol.PutPlan;
import dev.flightcluster.protocol.ServerChoice;
import java.util.List;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** plan_put through a running coordinator: the action, its placement and its refusals. */
class PlanPutTest {
  private CoordinatorHarness harness;

  @BeforeEach
  void setUp() throws Exception {
    harness = new CoordinatorHarness();
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  private PutPlan plan(PlanPut request) {
    return harness.action(ClusterActions.PLAN_PUT, request, PutPlan.class);
  }

  @Test
  void placesEveryShardOnDistinctServersSpreadEvenly() throws Exception {
    for (String id : List.of("s1", "s2", "s3")) {
      harness.hello(harness.startServer(id));
    }

    PutPlan plan = plan(new PlanPut("trips", 6, 2, false, null));

    assertThat(plan.putId()).matches("[0-9a-f]{16}");
    assertThat(plan.shards()).hasSize(6);
    int[] copies = new int[3];
    for (PutPlan.Placement placement : plan.shards()) {
      List<String> ids = placement.servers().stream().map(ServerChoice::serverId).toList();
      assertThat(ids).hasSize(2).doesNotHaveDuplicates();
      ids.forEach(id -> copies[id.charAt(1) - '1']++);
    }
    // 12 copies over 3 equally loaded servers.
    assertThat(copies).containsExactly(4, 4, 4);
  }

  @Test
  void theLeastLoadedServersComeFirst() throws Exception {
    for (String id : List.of("s1", "s2", "s3")) {
      harness.hello(harness.startServer(id));
    }
    harness.heartbeat("s1", 1, 9);

    PutPlan plan = plan(new PlanPut("trips", 1, 2, false, null));

    assertThat(plan.shards().get(0).servers())
        .extracting(ServerChoice::serverId)
        .containsExactly("s2", "s3");
  }

  @Test
  void moreReplicasThanLiveServersIsResourceExhausted() throws Exception {
    harness.hello(harness.startServer("s1"));
    harness.hello(harness.startServer("s2"));

    String description =
        assertStatus(
            failure(() -> plan(new PlanPut("trips", 4, 3, false, null))),
            FlightStatusCode.RESOURCE_EXHAUSTED);
    assertThat(description).contains("3 replicas").contains("only 2 data servers are live");
  }

  @Test
  void noLiveServerIsUnavailable() throws Exception {
    assertStatus(
        failure(() -> plan(new PlanPut("trips", 1, 1, false, null))), FlightStatusCode.UNAVAILABLE);
  }

  @Test
  void anExistingNameIsAlreadyExistsWithoutAppend() throws Exception {
    harness.hello(harness.startServer("s1").holds("trips=aa"));

    String description =
        assertStatus(
            failure(() -> plan(new PlanPut("trips", 1, 1, false, null))),
            FlightStatusCode.ALREADY_EXISTS);
    assertThat(description).contains("trips").contains("s1").contains("--append");
  }

  @Test
  void appendingToAMissingDatasetIsNotFound() throws Exception {
    harness.hello(harness.startServer("s1"));

    assertStatus(
        failure(
            () ->
                plan(new PlanPut("trips", 1, 1, true, PlanPut.encodeSchema(TestDatasets.SCHEMA)))),
        FlightStatusCode.NOT_FOUND);
  }

  @Test
  void appendingTheSameSchemaIsPlannedAndAnotherIsInvalidArgumentNamingTheDifference()
      throws Exception {
    harness.hello(harness.startServer("s1").holds("trips=aa"));

    PutPlan plan =
        plan(new PlanPut("trips", 2, 1, true, PlanPut.encodeSchema(TestDatasets.SCHEMA)));
    assertThat(plan.shards()).hasSize(2);

    Field first = TestDatasets.SCHEMA.getFields().get(0);
    Schema other =
        new Schema(
            List.of(new Field(first.getName(), FieldType.nullable(new ArrowType.Bool()), null)));
    String description =
        assertStatus(
            failure(() -> plan(new PlanPut("trips", 2, 1, true, PlanPut.encodeSchema(other)))),
            FlightStatusCode.INVALID_ARGUMENT);
    assertThat(description).contains("schema differs").contains(first.getName());
  }

  @Test
  void aFileNameOrAPathIsInvalidArgument() throws Exception {
    harness.hello(harness.startServer("s1"));

    assertStatus(
        failure(() -> plan(new PlanPut("trips.parquet", 1, 1, false, null))),
        FlightStatusCode.INVALID_ARGUMENT);
    assertStatus(
        failure(() -> plan(new PlanPut("a/b", 1, 1, false, null))),
        FlightStatusCode.INVALID_ARGUMENT);
    assertStatus(
        failure(
            () ->
                harness.rawAction(
                    ClusterActions.PLAN_PUT,
                    "{\"name\":\"t\",\"shards\":0,\"replicas\":1}".getBytes())),
        FlightStatusCode.INVALID_ARGUMENT);
  }
}
