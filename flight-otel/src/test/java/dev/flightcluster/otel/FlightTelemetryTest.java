package dev.flightcluster.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.Result;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FlightTelemetryTest {
  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private OpenTelemetrySdk sdk;
  private BufferAllocator allocator;
  private FlightServer server;
  private final AtomicReference<String> traceIdSeenByProducer = new AtomicReference<>();

  @BeforeEach
  void setUp() throws Exception {
    sdk =
        OpenTelemetrySdk.builder()
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                    .build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build();
    allocator = new RootAllocator();
    var producer =
        new NoOpFlightProducer() {
          @Override
          public void doAction(
              CallContext context, Action action, StreamListener<Result> listener) {
            traceIdSeenByProducer.set(Span.current().getSpanContext().getTraceId());
            if (action.getType().equals("fail")) {
              listener.onError(
                  CallStatus.NOT_FOUND.withDescription("no such thing").toRuntimeException());
              return;
            }
            listener.onNext(new Result("pong".getBytes(StandardCharsets.UTF_8)));
            listener.onCompleted();
          }
        };
    server =
        FlightTelemetry.create(sdk)
            .instrument(
                FlightServer.builder(allocator, Location.forGrpcInsecure("127.0.0.1", 0), producer))
            .build()
            .start();
  }

  @AfterEach
  void tearDown() throws Exception {
    server.shutdown();
    server.awaitTermination();
    allocator.close();
    sdk.close();
  }

  @Test
  void serverSpanIsChildOfClientSpanAndProducerSeesIt() throws Exception {
    FlightTelemetry telemetry = FlightTelemetry.create(sdk);
    Span parent = telemetry.tracer().spanBuilder("parent").startSpan();
    try (Scope ignored = parent.makeCurrent();
        TracedFlightClient client =
            telemetry.connect(allocator, Location.forGrpcInsecure("127.0.0.1", server.getPort()))) {
      var results = client.flightClient().doAction(new Action("ping"));
      assertThat(results.next().getBody()).asString(StandardCharsets.UTF_8).isEqualTo("pong");
      assertThat(results.hasNext()).isFalse();
    } finally {
      parent.end();
    }

    // The server ends its span after the response is on the wire, so it may be exported just after
    // the call returns.
    await()
        .until(
            () ->
                exporter.getFinishedSpanItems().stream()
                    .anyMatch(s -> s.getKind() == SpanKind.SERVER));
    List<SpanData> spans = exporter.getFinishedSpanItems();
    SpanData client = only(spans, SpanKind.CLIENT);
    SpanData serverSpan = only(spans, SpanKind.SERVER);
    assertThat(client.getName()).isEqualTo("arrow.flight.protocol.FlightService/DoAction");
    assertThat(client.getParentSpanId()).isEqualTo(parent.getSpanContext().getSpanId());
    assertThat(serverSpan.getParentSpanId()).isEqualTo(client.getSpanId());
    assertThat(serverSpan.getTraceId()).isEqualTo(parent.getSpanContext().getTraceId());
    assertThat(traceIdSeenByProducer.get()).isEqualTo(parent.getSpanContext().getTraceId());
    assertThat(serverSpan.getEvents()).as("per-message events are off").isEmpty();
  }

  @Test
  void unsampledContextRecordsNothingOnEitherSide() throws Exception {
    FlightTelemetry telemetry = FlightTelemetry.create(sdk);
    try (Scope ignored = Spans.unsampledContext().makeCurrent();
        TracedFlightClient client =
            telemetry.connect(allocator, Location.forGrpcInsecure("127.0.0.1", server.getPort()))) {
      client.flightClient().doAction(new Action("ping")).forEachRemaining(r -> {});
    }
    assertThat(exporter.getFinishedSpanItems()).isEmpty();
  }

  @Test
  void failedCallIsAnErrorSpanWithTheFlightStatus() throws Exception {
    FlightTelemetry telemetry = FlightTelemetry.create(sdk);
    try (TracedFlightClient client =
        telemetry.connect(allocator, Location.forGrpcInsecure("127.0.0.1", server.getPort()))) {
      assertThatThrownBy(() -> client.flightClient().doAction(new Action("fail")).next())
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND));
    }
    await()
        .until(
            () ->
                exporter.getFinishedSpanItems().stream()
                    .anyMatch(s -> s.getKind() == SpanKind.SERVER));
    SpanData client = only(exporter.getFinishedSpanItems(), SpanKind.CLIENT);
    assertThat(client.getStatus().getStatusCode())
        .isEqualTo(io.opentelemetry.api.trace.StatusCode.ERROR);
  }

  private static SpanData only(List<SpanData> spans, SpanKind kind) {
    List<SpanData> matching = spans.stream().filter(s -> s.getKind() == kind).toList();
    assertThat(matching).as("%s spans in %s", kind, spans).hasSize(1);
    return matching.get(0);
  }
}
