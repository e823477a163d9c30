package dev.flightcluster.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flightcluster.otel.FlightAttributes;
import dev.flightcluster.testing.InMemoryTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TracingTest {
  private static final String DO_ACTION = "arrow.flight.protocol.FlightService/DoAction";
  private static final String LIST_FLIGHTS = "arrow.flight.protocol.FlightService/ListFlights";

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
  void helloAndItsListFlightsCallbackAreOneTrace() throws Exception {
    harness.hello(harness.startServer("s1").holds("trips=aa"));

    SpanData helloClient = awaitSpan(harness.serverTelemetry, SpanKind.CLIENT, DO_ACTION);
    SpanData helloServer = awaitSpan(harness.coordinatorTelemetry, SpanKind.SERVER, DO_ACTION);
    SpanData callbackClient =
        awaitSpan(harness.coordinatorTelemetry, SpanKind.CLIENT, LIST_FLIGHTS);
    SpanData callbackServer = awaitSpan(harness.serverTelemetry, SpanKind.SERVER, LIST_FLIGHTS);

    String traceId = helloClient.getTraceId();
    assertThat(List.of(helloServer, callbackClient, callbackServer))
        .allSatisfy(span -> assertThat(span.getTraceId()).isEqualTo(traceId));
    assertThat(helloServer.getParentSpanId()).isEqualTo(helloClient.getSpanId());
    assertThat(callbackClient.getParentSpanId()).isEqualTo(helloServer.getSpanId());
    assertThat(callbackServer.getParentSpanId()).isEqualTo(callbackClient.getSpanId());
    assertThat(helloServer.getAttributes().get(FlightAttributes.SERVER_ID)).isEqualTo("s1");
  }

  /** The one span of a kind and name; server spans end after the reply, so it may come later. */
  private static SpanData awaitSpan(InMemoryTelemetry telemetry, SpanKind kind, String name) {
    return await().until(() -> span(telemetry, kind, name), Optional::isPresent).orElseThrow();
  }

  private static Optional<SpanData> span(InMemoryTelemetry telemetry, SpanKind kind, String name) {
    List<SpanData> matching =
        telemetry.spans().stream()
            .filter(s -> s.getKind() == kind && s.getName().equals(name))
            .toList();
    assertThat(matching).as("%s %s spans", kind, name).hasSizeLessThanOrEqualTo(1);
    return matching.stream().findFirst();
  }
}
