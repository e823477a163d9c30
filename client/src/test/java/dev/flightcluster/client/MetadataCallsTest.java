package dev.flightcluster.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcluster.testing.InMemoryTelemetry;
import java.util.List;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MetadataCallsTest {
  private Cluster cluster;

  @BeforeEach
  void setUp() {
    cluster = new Cluster();
    cluster
        .serverA
        .serve("sales.parquet", 1, 3)
        .serve("sales_2024.parquet", 1, 3)
        .serve("trips", 1, 3);
    cluster
        .coordinator
        .register(cluster.serverA.info("sales.parquet"))
        .register(cluster.serverA.info("sales_2024.parquet"))
        .register(cluster.serverA.info("trips"));
  }

  @AfterEach
  void tearDown() throws Exception {
    cluster.close();
  }

  @Test
  void listSendsThePrefixAsUtf8CriteriaAndReturnsWhatTheCoordinatorLists() {
    assertThat(names(cluster.client.list("")))
        .containsExactly("sales.parquet", "sales_2024.parquet", "trips");
    assertThat(names(cluster.client.list("sales")))
        .containsExactly("sales.parquet", "sales_2024.parquet");
    assertThat(names(cluster.client.list("näme"))).isEmpty();
    assertThat(cluster.coordinator.criteriaSeen()).containsExactly("", "sales", "näme");
  }

  @Test
  void infoAsksByPathDescriptor() {
    FlightInfo info = cluster.client.info("sales.parquet");

    assertThat(info).isEqualTo(cluster.serverA.info("sales.parquet"));
    assertThat(info.getDescriptor().getPath()).containsExactly("sales.parquet");
  }

  @Test
  void schemaOfADataset() {
    assertThat(cluster.client.schema("trips")).isEqualTo(TestData.SCHEMA);
  }

  @Test
  void unknownDatasetIsNotFound() {
    assertThatThrownBy(() -> cluster.client.info("missing.parquet"))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> {
              assertThat(e.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND);
              assertThat(e.status().description()).contains("missing.parquet");
            });
    assertThatThrownBy(() -> cluster.client.schema("missing.parquet"))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND));
  }

  @Test
  void invalidNameIsRejectedBeforeAnyCall() {
    assertThatThrownBy(() -> cluster.client.info("../etc/passwd"))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT));
  }

  @Test
  void unreachableCoordinatorIsUnavailableAndNamed() throws Exception {
    Location dead = TestData.deadLocation();
    try (InMemoryTelemetry telemetry = InMemoryTelemetry.forService("client");
        BufferAllocator allocator = new RootAllocator();
        FlightClusterClient client =
            FlightClusterClient.builder(allocator, telemetry.flightTelemetry(), dead).build()) {
      assertThatThrownBy(() -> client.list(""))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> {
                assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAVAILABLE);
                assertThat(e.status().description()).contains("coordinator at " + dead.getUri());
              });
    }
  }

  @Test
  void closedClientRefusesCalls() throws Exception {
    cluster.client.close();

    assertThatThrownBy(() -> cluster.client.list("")).isInstanceOf(IllegalStateException.class);
    cluster.client.close(); // idempotent
  }

  private static List<String> names(List<FlightInfo> infos) {
    return infos.stream().map(i -> i.getDescriptor().getPath().get(0)).toList();
  }
}
