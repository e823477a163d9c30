package dev.flightcluster.cli.demo;

import dev.flightcluster.cli.DurationConverter;
import dev.flightcluster.cli.client.ListAndGetAll;
import dev.flightcluster.cli.otlp.OtlpHttpReceiver;
import dev.flightcluster.cli.otlp.ReceivedSpan;
import dev.flightcluster.cli.otlp.TraceForwarder;
import dev.flightcluster.cli.telemetry.ExportTarget;
import dev.flightcluster.cli.telemetry.Telemetry;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the demo shows its trace: an {@link OtlpHttpReceiver} on 127.0.0.1 that every process of the
 * demo exports its spans to over OTLP/HTTP, the coordinator and servers through their environment,
 * the in-process client through its SDK properties. When the user configured an OTLP endpoint (a
 * Jaeger, say), the receiver forwards every request there too, so the trace also lands where the
 * user looks; when nothing is configured nothing is sent anywhere else.
 *
 * <p>Only the traces exporter is redirected: metrics and logs, if the user turned them on, still go
 * where the user's {@code OTEL_*} settings say.
 */
final class DemoTracing implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DemoTracing.class);

  /** How long to wait for every process's spans of the trace once the client is done. */
  static final Duration COLLECT_TIMEOUT = Duration.ofSeconds(10);

  private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration JAEGER_PROBE_TIMEOUT = Duration.ofSeconds(1);
  private static final Duration POLL = Duration.ofMillis(50);
  // Short, so spans reach the receiver right after they end, not after the SDK's default 5 s.
  private static final String SCHEDULE_DELAY_MILLIS = "100";
  private static final int BAR_WIDTH = 40;

  private final OtlpHttpReceiver receiver;
  private final ExportTarget userTarget;

  private DemoTracing(OtlpHttpReceiver receiver, ExportTarget userTarget) {
    this.receiver = receiver;
    this.userTarget = userTarget;
  }

  /** Starts the receiver, forwarding to the endpoint the environment configures, if any. */
  static DemoTracing start() throws IOException {
    ExportTarget target = ExportTarget.explicit(Telemetry.configuration()).orElse(null);
    TraceForwarder forwarder = null;
    if (target != null) {
      try {
        forwarder =
            TraceForwarder.create(target.protocol(), target.tracesEndpoint(), target.headers());
      } catch (IllegalArgumentException e) {
        log.warn("not sending the demo's spans to {}: {}", target.tracesEndpoint(), e.getMessage());
        target = null;
      }
    }
    return new DemoTracing(OtlpHttpReceiver.start(forwarder), target);
  }

  /** SDK properties that send a process's spans to the receiver, promptly. */
  Map<String, String> exportProperties() {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("otel.traces.exporter", "otlp");
    properties.put("otel.exporter.otlp.traces.protocol", "http/protobuf");
    properties.put("otel.exporter.otlp.traces.endpoint", receiver.tracesEndpoint());
    properties.put("otel.bsp.schedule.delay", SCHEDULE_DELAY_MILLIS);
    return properties;
  }

  /** {@link #exportProperties()} as the environment variables a child process reads. */
  Map<String, String> childEnvironment() {
    return exportProperties().entrySet().stream()
        .collect(
            Collectors.toMap(
                entry -> entry.getKey().toUpperCase(Locale.ROOT).replace('.', '_'),
                Map.Entry::getValue,
                (a, b) -> b,
                LinkedHashMap::new));
  }

  /**
   * Waits (at most {@link #COLLECT_TIMEOUT}) until the receiver holds the whole trace of {@code
   * outcome}, then prints it as a waterfall. Says why when there is no trace to show.
   */
  void printTrace(PrintWriter out, ListAndGetAll.Outcome outcome, boolean tracingEnabled)
      throws InterruptedException {
    if (!tracingEnabled) {
      out.println("Tracing is off (OTEL_SDK_DISABLED=true): no trace to show.");
      return;
    }
    if (!outcome.sampled()) {
      out.printf(
          "Trace %s was not sampled (see OTEL_TRACES_SAMPLER): no trace to show.%n",
          outcome.traceId());
      return;
    }
    long deadline = System.nanoTime() + COLLECT_TIMEOUT.toNanos();
    List<ReceivedSpan> spans = receiver.trace(outcome.traceId());
    Optional<String> missing = TraceCompleteness.missing(spans, outcome.rootSpanId());
    while (missing.isPresent() && System.nanoTime() < deadline) {
      Thread.sleep(POLL.toMillis());
      spans = receiver.trace(outcome.traceId());
      missing = TraceCompleteness.missing(spans, outcome.rootSpanId());
    }
    String services =
        spans.stream()
            .map(ReceivedSpan::serviceName)
            .distinct()
            .sorted()
            .collect(Collectors.joining(", "));
    out.printf(
        "Trace %s: %d spans from %s, received over OTLP at %s%n",
        outcome.traceId(),
        spans.size(),
        services.isEmpty() ? "no process" : services,
        receiver.endpoint());
    missing.ifPresent(
        what ->
            out.printf(
                "(incomplete: after %s still missing %s)%n",
                DurationConverter.format(COLLECT_TIMEOUT), what));
    out.print(TraceWaterfall.render(spans, TraceWaterfall.Style.forStdout(BAR_WIDTH)));
  }

  /** Where else the trace can be seen: the user's backend, or how to get one. */
  void printWhereToLook(PrintWriter out, String traceId) throws InterruptedException {
    if (userTarget == null) {
      out.printf(
          "trace id: %s (set OTEL_EXPORTER_OTLP_ENDPOINT to also send the demo's spans to Jaeger or"
              + " another OTLP backend)%n",
          traceId);
      return;
    }
    String destination = receiver.forwardDestination();
    if (!receiver.awaitForwarded(FORWARD_TIMEOUT)) {
      out.printf("trace id: %s (still sending the spans to %s)%n", traceId, destination);
    } else if (receiver.forwardFailures() > 0) {
      out.printf(
          "trace id: %s (could not send all spans to %s, see the warning above)%n",
          traceId, destination);
    } else {
      Optional<URI> jaeger = JaegerUi.near(userTarget.tracesEndpoint(), JAEGER_PROBE_TIMEOUT);
      if (jaeger.isPresent()) {
        out.printf("Jaeger: %s%n", JaegerUi.traceUrl(jaeger.get(), traceId));
      } else {
        out.printf("trace id: %s (also sent to %s)%n", traceId, destination);
      }
    }
  }

  /** From now on the receiver only forwards: a cluster kept running must not fill memory. */
  void stopKeepingSpans() {
    receiver.retainSpans(false);
  }

  /** Stops the receiver; spans still to be forwarded get a few seconds. */
  @Override
  public void close() {
    receiver.close();
  }
}
