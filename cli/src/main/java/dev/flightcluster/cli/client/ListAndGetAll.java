package dev.flightcluster.cli.client;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.cli.FailureHandler;
import dev.flightcluster.client.BatchConsumer;
import dev.flightcluster.client.FlightClusterClient;
import dev.flightcluster.otel.FlightAttributes;
import dev.flightcluster.otel.Spans;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.util.List;
import org.apache.arrow.flight.FlightInfo;

/**
 * The original example's client run: under one root span {@code list_and_get_all_flights}, list
 * every dataset and stream each one (the client library adds {@code get_single_flight} with {@code
 * connect} and {@code do_get} per flight). A flight that fails is reported in the table and marks
 * the root span failed; the others are still read.
 */
public final class ListAndGetAll {
  /** The root span's name, as in the original example. */
  public static final String ROOT_SPAN = "list_and_get_all_flights";

  /**
   * What a run found: the table, the wall time and the trace it was recorded in (ids in lowercase
   * hex; {@code sampled} false when the sampler dropped the trace, or tracing is off).
   */
  public record Outcome(
      TransferTable table, double seconds, String traceId, String rootSpanId, boolean sampled) {
    public String render() {
      return table.render(seconds);
    }
  }

  private ListAndGetAll() {}

  public static Outcome run(FlightClusterClient client, Tracer tracer) {
    requireNonNull(client, "client is null");
    requireNonNull(tracer, "tracer is null");
    TransferTable table = new TransferTable();
    Span root = tracer.spanBuilder(ROOT_SPAN).startSpan();
    long start = System.nanoTime();
    try (Scope ignored = root.makeCurrent()) {
      List<FlightInfo> flights = client.list("");
      for (FlightInfo info : flights) {
        String name = DatasetListing.name(info);
        try {
          var result = client.get(info, BatchConsumer.of(batch -> {}));
          table.add(name, result.rows(), result.bytes(), result.seconds());
        } catch (RuntimeException e) {
          table.addFailure(name, FailureHandler.describe(e));
        }
      }
      root.setAttribute(FlightAttributes.ROWS, table.totalRows());
      root.setAttribute(FlightAttributes.BYTES, table.totalBytes());
      if (table.failures() > 0) {
        root.setStatus(
            StatusCode.ERROR, table.failures() + " of " + flights.size() + " flights failed");
      }
    } catch (RuntimeException e) {
      Spans.recordFailure(root, e);
      throw e;
    } finally {
      root.end();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    SpanContext context = root.getSpanContext();
    return new Outcome(
        table, seconds, context.getTraceId(), context.getSpanId(), context.isSampled());
  }
}
