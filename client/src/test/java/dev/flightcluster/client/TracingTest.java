package dev.flightcluster.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flightcluster.otel.FlightAttributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import org.apache.arrow.flight.FlightInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The trace a CLI's list-and-get-all produces, across the client and two fake services. */
class TracingTest {
  private static final String DO_GET = "arrow.flight.protocol.FlightService/DoGet";
  private static final String LIST_FLIGHTS = "arrow.flight.protocol.FlightService/ListFlights";

  private Cluster cluster;

  @BeforeEach
  void setUp() {
    cluster = new Cluster();
    cluster.serverA.serve("sales.parquet", 2, 10).serve("trips", 3, 7);
    cluster
        .coordinator
        .register(cluster.serverA.info("sales.parquet"))
        .register(cluster.serverA.info("trips"));
  }

  @AfterEach
  void tearDown() throws Exception {
    cluster.close();
  }

  @Test
  void getSpansHangBelowTheCallersSpanAndReachTheServer() {
    Span root =
        cluster
            .clientTelemetry
            .sdk()
            .getTracer("test")
            .spanBuilder("list_and_get_all_flights")
            .startSpan();
    try (Scope ignored = root.makeCurrent()) {
      for (FlightInfo info : cluster.client.list("")) {
        cluster.client.get(info, CollectingConsumer.all());
      }
    } finally {
      root.end();
    }
    String traceId = root.getSpanContext().getTraceId();

    // gRPC ends its spans as the call closes, which may be just after get() returned.
    await().until(() -> clientSpans(SpanKind.CLIENT, DO_GET).size() == 2);
    await().until(() -> serverSpans(DO_GET).size() == 2);
    List<SpanData> spans = cluster.clientTelemetry.spans();
    assertThat(spans).allSatisfy(s -> assertThat(s.getTraceId()).isEqualTo(traceId));

    SpanData list = clientSpans(SpanKind.CLIENT, LIST_FLIGHTS).get(0);
    assertThat(list.getParentSpanId()).isEqualTo(root.getSpanContext().getSpanId());

    List<SpanData> gets = GetTest.named(spans, "get_single_flight");
    assertThat(gets)
        .extracting(s -> s.getAttributes().get(FlightAttributes.DATASET))
        .containsExactly("sales.parquet", "trips");
    for (SpanData get : gets) {
      assertThat(get.getParentSpanId()).isEqualTo(root.getSpanContext().getSpanId());
      List<SpanData> children = childrenOf(spans, get);
      assertThat(children).extracting(SpanData::getName).containsExactly("connect", "do_get");

      SpanData connect = children.get(0);
      assertThat(connect.getAttributes().get(ClientAttributes.LOCATION))
          .isEqualTo(cluster.serverA.location().getUri().toString());

      SpanData doGet = children.get(1);
      long expectedRows =
          get.getAttributes().get(FlightAttributes.DATASET).equals("trips") ? 21 : 20;
      assertThat(doGet.getAttributes().get(FlightAttributes.NUM_ROWS)).isEqualTo(expectedRows);
      assertThat(doGet.getAttributes().get(FlightAttributes.ROWS)).isEqualTo(expectedRows);
      assertThat(get.getAttributes().get(FlightAttributes.ROWS)).isEqualTo(expectedRows);

      List<SpanData> grpcClient = childrenOf(spans, doGet);
      assertThat(grpcClient).hasSize(1);
      assertThat(grpcClient.get(0).getName()).isEqualTo(DO_GET);
      assertThat(grpcClient.get(0).getKind()).isEqualTo(SpanKind.CLIENT);

      List<SpanData> serverSide =
          serverSpans(DO_GET).stream()
              .filter(s -> s.getParentSpanId().equals(grpcClient.get(0).getSpanId()))
              .toList();
      assertThat(serverSide).hasSize(1);
      assertThat(serverSide.get(0).getTraceId()).isEqualTo(traceId);
      assertThat(serverSide.get(0).getParentSpanContext().isRemote()).isTrue();
    }
  }

  private List<SpanData> clientSpans(SpanKind kind, String name) {
    return cluster.clientTelemetry.spans().stream()
        .filter(s -> s.getKind() == kind && s.getName().equals(name))
        .toList();
  }

  private List<SpanData> serverSpans(String name) {
    return cluster.serverA.telemetry().spans().stream()
        .filter(s -> s.getKind() == SpanKind.SERVER && s.getName().equals(name))
        .toList();
  }

  private static List<SpanData> childrenOf(List<SpanData> spans, SpanData parent) {
    return spans.stream().filter(s -> s.getParentSpanId().equals(parent.getSpanId())).toList();
  }
}
