package dev.flightcluster.otel;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.arrow.flight.FlightRuntimeException;

/** Helpers for application spans. */
public final class Spans {
  private Spans() {}

  /**
   * Marks a span failed: records the exception, sets error status with its message, and for a
   * Flight error also the Flight status code.
   */
  public static void recordFailure(Span span, Throwable failure) {
    requireNonNull(span, "span is null");
    requireNonNull(failure, "failure is null");
    span.recordException(failure);
    if (failure instanceof FlightRuntimeException flight) {
      span.setAttribute(FlightAttributes.STATUS_CODE, flight.status().code().name());
      span.setStatus(
          StatusCode.ERROR, flight.status().code() + ": " + flight.status().description());
    } else {
      span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
    }
  }

  /**
   * A context whose calls are not recorded anywhere: it holds a valid span context marked "not
   * sampled", so under the default parent-based sampler this process records no span for calls made
   * in it, and the W3C traceparent it propagates tells the callee not to record either.
   *
   * <p>It is for routine background calls, such as a heartbeat that changes nothing, which would
   * otherwise open a new trace every few seconds.
   */
  public static Context unsampledContext() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    HexFormat hex = HexFormat.of();
    String traceId = hex.toHexDigits(random.nextLong() | 1) + hex.toHexDigits(random.nextLong());
    String spanId = hex.toHexDigits(random.nextLong() | 1);
    SpanContext unsampled =
        SpanContext.create(traceId, spanId, TraceFlags.getDefault(), TraceState.getDefault());
    return Context.root().with(Span.wrap(unsampled));
  }
}
