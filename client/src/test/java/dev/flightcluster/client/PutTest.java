package dev.flightcluster.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcluster.otel.FlightAttributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PutTest {
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
  void choosesAServerThenStreamsEveryRowToIt() throws Exception {
    cluster.coordinator.choose(cluster.serverB);
    List<long[]> progress = new ArrayList<>();

    PutResult result;
    try (ArrowStreamReader source = TestData.reader(cluster.allocator, 3, 5)) {
      result =
          cluster.client.put(
              "new.parquet", source, (rows, bytes) -> progress.add(new long[] {rows, bytes}));
    }

    assertThat(cluster.coordinator.chooseRequests()).containsExactly("new.parquet");
    assertThat(cluster.serverB.uploaded("new.parquet")).isEqualTo(TestData.expectedRows(0, 15));
    assertThat(cluster.serverA.uploaded("new.parquet")).isNull();
    assertThat(result.serverId()).isEqualTo("server-b");
    assertThat(result.location()).isEqualTo(cluster.serverB.location());
    assertThat(result.rows()).isEqualTo(15);
    assertThat(result.batches()).isEqualTo(3);
    assertThat(result.bytes()).isPositive();
    assertThat(progress).hasSize(3);
    assertThat(progress.get(2)).containsExactly(15, result.bytes());

    List<SpanData> spans = cluster.clientTelemetry.spans();
    SpanData put = GetTest.named(spans, "put").get(0);
    assertThat(put.getAttributes().get(FlightAttributes.DATASET)).isEqualTo("new.parquet");
    assertThat(put.getAttributes().get(FlightAttributes.SERVER_ID)).isEqualTo("server-b");
    assertThat(put.getAttributes().get(FlightAttributes.ROWS)).isEqualTo(15L);
    assertThat(put.getAttributes().get(FlightAttributes.BATCHES)).isEqualTo(3L);
    assertThat(
            spans.stream()
                .filter(s -> s.getKind() == SpanKind.CLIENT)
                .filter(s -> s.getParentSpanId().equals(put.getSpanId()))
                .map(SpanData::getName))
        .containsExactlyInAnyOrder(
            "arrow.flight.protocol.FlightService/DoAction",
            "arrow.flight.protocol.FlightService/DoPut");
  }

  @Test
  void sendsTheDictionariesOfDictionaryEncodedColumns() throws Exception {
    cluster.coordinator.choose(cluster.serverA);
    List<String> cities = List.of("Lisbon", "Oslo", "Quito");

    try (ArrowStreamReader source =
        TestData.dictionaryReader(
            cluster.allocator,
            cities,
            List.of(List.of("Oslo", "Quito", "Oslo"), List.of("Lisbon")))) {
      cluster.client.put("cities", source);
    }

    assertThat(cluster.serverA.uploaded("cities"))
        .containsExactly(
            TestData.Row.of("Oslo"),
            TestData.Row.of("Quito"),
            TestData.Row.of("Oslo"),
            TestData.Row.of("Lisbon"));
  }

  @Test
  void emptySourceStoresAnEmptyDataset() throws Exception {
    cluster.coordinator.choose(cluster.serverA);

    PutResult result;
    try (ArrowStreamReader source = TestData.reader(cluster.allocator, 0, 0)) {
      result = cluster.client.put("empty.parquet", source);
    }

    assertThat(cluster.serverA.uploaded("empty.parquet")).isEmpty();
    assertThat(result.rows()).isZero();
  }

  @Test
  void existingNameIsAlreadyExists() throws Exception {
    cluster.serverB.occupy("taken.parquet");
    cluster.coordinator.choose(cluster.serverB);

    try (ArrowStreamReader source = TestData.reader(cluster.allocator, 50, 100)) {
      assertThatThrownBy(() -> cluster.client.put("taken.parquet", source))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> {
                assertThat(e.status().code()).isEqualTo(FlightStatusCode.ALREADY_EXISTS);
                assertThat(e.status().description()).contains("taken.parquet");
              });
    }
    assertThat(cluster.serverB.uploaded("taken.parquet")).isNull();
    SpanData put = GetTest.named(cluster.clientTelemetry.spans(), "put").get(0);
    assertThat(put.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(put.getAttributes().get(FlightAttributes.STATUS_CODE)).isEqualTo("ALREADY_EXISTS");
  }

  @Test
  void noLiveServerIsTheCoordinatorsUnavailable() throws Exception {
    try (ArrowStreamReader source = TestData.reader(cluster.allocator, 1, 1)) {
      assertThatThrownBy(() -> cluster.client.put("new.parquet", source))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> {
                assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAVAILABLE);
                assertThat(e.status().description()).contains("no live data server");
              });
    }
  }

  @Test
  void invalidNameIsRejectedBeforeAnyCall() throws Exception {
    cluster.coordinator.choose(cluster.serverA);

    try (ArrowStreamReader source = TestData.reader(cluster.allocator, 1, 1)) {
      assertThatThrownBy(() -> cluster.client.put("../escape.parquet", source))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT));
    }
    assertThat(cluster.coordinator.chooseRequests()).isEmpty();
  }
}
