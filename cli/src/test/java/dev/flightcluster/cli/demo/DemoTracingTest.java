package dev.flightcluster.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcluster.cli.client.ListAndGetAll;
import dev.flightcluster.cli.client.TransferTable;
import dev.flightcluster.cli.telemetry.Telemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class DemoTracingTest {
  @Test
  void childrenExportTracesToTheReceiverPromptly() throws Exception {
    try (DemoTracing tracing = DemoTracing.start()) {
      assertThat(tracing.childEnvironment())
          .containsEntry("OTEL_TRACES_EXPORTER", "otlp")
          .containsEntry("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf")
          .containsEntry("OTEL_BSP_SCHEDULE_DELAY", "100")
          .hasEntrySatisfying(
              "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
              endpoint -> assertThat(endpoint).matches("http://127\\.0\\.0\\.1:\\d+/v1/traces"))
          .hasSize(tracing.exportProperties().size());
    }
  }

  /** Two processes' SDKs, configured as the demo configures them, export one trace. */
  @Test
  void printsTheWholeTraceOnceEveryProcessDeliveredIt() throws Exception {
    try (DemoTracing tracing = DemoTracing.start();
        Telemetry client = Telemetry.start("client", tracing.exportProperties());
        Telemetry server = Telemetry.start("server", tracing.exportProperties())) {
      Tracer clientTracer = client.openTelemetry().getTracer("test");
      Span root = clientTracer.spanBuilder(ListAndGetAll.ROOT_SPAN).startSpan();
      try (Scope ignored = root.makeCurrent()) {
        Span call =
            clientTracer
                .spanBuilder("arrow.flight.protocol.FlightService/DoGet")
                .setSpanKind(SpanKind.CLIENT)
                .startSpan();
        // The server side, as a remote parent would arrive through W3C trace context.
        server
            .openTelemetry()
            .getTracer("test")
            .spanBuilder("arrow.flight.protocol.FlightService/DoGet")
            .setSpanKind(SpanKind.SERVER)
            .setParent(Context.root().with(Span.wrap(call.getSpanContext())))
            .setAttribute("server.id", "server-1")
            .startSpan()
            .end();
        call.end();
      } finally {
        root.end();
      }
      client.flush(); // the server's spans come on their own schedule: the demo waits for them
      ListAndGetAll.Outcome outcome =
          new ListAndGetAll.Outcome(
              new TransferTable(),
              1,
              root.getSpanContext().getTraceId(),
              root.getSpanContext().getSpanId(),
              true);

      String printed = print(tracing, outcome, true);

      assertThat(printed)
          .startsWith(
              "Trace "
                  + outcome.traceId()
                  + ": 3 spans from client, server, received over OTLP at http://127.0.0.1:")
          .doesNotContain("incomplete");
      assertThat(printed.lines().skip(1).toList())
          .hasSize(3)
          .satisfiesExactly(
              line -> assertThat(line).startsWith("client  list_and_get_all_flights"),
              line ->
                  assertThat(line)
                      .startsWith("client    arrow.flight.protocol.FlightService/DoGet"),
              line ->
                  assertThat(line)
                      .startsWith("server      arrow.flight.protocol.FlightService/DoGet")
                      .endsWith("|  @ server-1"));
    }
  }

  @Test
  void saysWhyThereIsNoTrace() throws Exception {
    try (DemoTracing tracing = DemoTracing.start()) {
      ListAndGetAll.Outcome unsampled =
          new ListAndGetAll.Outcome(new TransferTable(), 1, "ab", "cd", false);
      assertThat(print(tracing, unsampled, true)).contains("was not sampled");
      assertThat(print(tracing, unsampled, false)).contains("Tracing is off");
    }
  }

  private static String print(DemoTracing tracing, ListAndGetAll.Outcome outcome, boolean enabled)
      throws InterruptedException {
    StringWriter text = new StringWriter();
    try (PrintWriter out = new PrintWriter(text)) {
      tracing.printTrace(out, outcome, enabled);
    }
    return text.toString();
  }
}
