package dev.flightcluster.client;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.otel.FlightAttributes;
import dev.flightcluster.otel.Spans;
import dev.flightcluster.otel.TracedFlightClient;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.LocationSchemes;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link FlightClusterClient#get}: reads every endpoint of a FlightInfo in order, failing over
 * between the locations of an endpoint, and keeps the running totals. Used once, by one thread.
 *
 * <p>Spans: {@code get_single_flight} (child of whatever span is current) with, per location tried,
 * a {@code connect} and a {@code do_get}. {@code do_get} is current while the DoGet call starts and
 * while its stream is read, so the gRPC CLIENT span, and through it the server's spans, hang below
 * it.
 */
final class GetOperation {
  private static final Logger log = LoggerFactory.getLogger(GetOperation.class);

  private final Connections connections;
  private final Tracer tracer;
  private final Coordinators coordinators;
  private final FailedPeers failedPeers;
  private final ProgressWatchdog watchdog;
  private final FlightInfo info;
  private final BatchConsumer consumer;
  private final ProgressListener progress;
  private final String dataset;

  private Schema schema; // delivered to the consumer; every later stream must match it
  private long rows;
  private long batches;
  private long bytes;
  private boolean stopped;

  GetOperation(
      Connections connections,
      Tracer tracer,
      Coordinators coordinators,
      FailedPeers failedPeers,
      ProgressWatchdog watchdog,
      FlightInfo info,
      BatchConsumer consumer,
      ProgressListener progress) {
    this.connections = requireNonNull(connections, "connections is null");
    this.tracer = requireNonNull(tracer, "tracer is null");
    this.coordinators = requireNonNull(coordinators, "coordinators is null");
    this.failedPeers = requireNonNull(failedPeers, "failedPeers is null");
    this.watchdog = requireNonNull(watchdog, "watchdog is null");
    this.info = requireNonNull(info, "info is null");
    this.consumer = requireNonNull(consumer, "consumer is null");
    this.progress = requireNonNull(progress, "progress is null");
    this.dataset = datasetOf(info.getDescriptor());
  }

  GetResult run() {
    long start = System.nanoTime();
    Span span =
        tracer.spanBuilder("get_single_flight").setAttribute(FlightAttributes.DATASET, dataset).startSpan();
    try (Scope ignored = span.makeCurrent()) {
      List<Location> used = new ArrayList<>();
      List<FlightEndpoint> endpoints = info.getEndpoints();
      for (int i = 0; i < endpoints.size() && !stopped; i++) {
        used.add(readEndpoint(i, endpoints.get(i)));
      }
      if (schema == null) {
        // No stream sent a schema (no endpoints): the FlightInfo's is the next best.
        info.getSchemaOptional().ifPresent(this::deliverSchema);
      }
      setTotals(span);
      if (stopped) {
        span.setAttribute(ClientAttributes.STOPPED_EARLY, true);
      }
      return new GetResult(
          rows, batches, bytes, Duration.ofNanos(System.nanoTime() - start), used, !stopped);
    } catch (RuntimeException | Error e) {
      setTotals(span);
      Spans.recordFailure(span, e);
      throw e;
    } finally {
      span.end();
    }
  }

  /** Reads one endpoint from the first of its locations that is available; returns that location. */
  private Location readEndpoint(int index, FlightEndpoint endpoint) {
    List<Location> locations = candidates(endpoint);
    List<String> failures = new ArrayList<>();
    List<FlightRuntimeException> causes = new ArrayList<>();
    for (int i = 0; i < locations.size(); i++) {
      Location location = locations.get(i);
      Attempt attempt = new Attempt();
      try {
        TracedFlightClient client = connect(location);
        doGet(client, location, index, endpoint.getTicket(), attempt);
        failedPeers.succeeded(location);
        return location;
      } catch (FlightRuntimeException e) {
        // Once the consumer has seen a batch, reading the endpoint again elsewhere would hand it
        // those rows twice: only a failure before that is safe to retry.
        // RESOURCE_EXHAUSTED: that server is busy (out of scan memory, say); another holder may not be.
        FlightStatusCode code = e.status().code();
        if (code != FlightStatusCode.UNAVAILABLE && code != FlightStatusCode.RESOURCE_EXHAUSTED) {
          throw e;
        }
        failedPeers.failed(location);
        if (attempt.consumerCalled) {
          throw e;
        }
        failures.add(location.getUri() + " (" + Failures.describe(e, location) + ")");
        causes.add(e);
        if (i + 1 < locations.size()) {
          Location next = locations.get(i + 1);
          log.warn(
              "Location {} of '{}' cannot serve it ({}); trying {}",
              location.getUri(),
              dataset,
              Failures.describe(e, location),
              next.getUri());
          Span.current()
              .addEvent(
                  "failover",
                  Attributes.of(
                      ClientAttributes.LOCATION, location.getUri().toString(),
                      ClientAttributes.ENDPOINT_INDEX, (long) index));
        }
      }
    }
    boolean allBusy = causes.stream().allMatch(c -> c.status().code() == FlightStatusCode.RESOURCE_EXHAUSTED);
    String where = "could not read '" + dataset + "' (endpoint " + (index + 1) + " of " + info.getEndpoints().size() + "): ";
    FlightRuntimeException failure = allBusy
        ? CallStatus.RESOURCE_EXHAUSTED
            .withDescription(where + "every location is busy: " + String.join("; ", failures) + ". Retry later.")
            .withCause(causes.get(causes.size() - 1))
            .toRuntimeException()
        : CallStatus.UNAVAILABLE
            .withDescription(
                where
                    + "every location is unavailable: "
                    + String.join("; ", failures)
                    + ". Check that a data server holding '"
                    + dataset
                    + "' is running and reachable from here, and ask the coordinator again"
                    + " (info) for the current replicas.")
            .withCause(causes.get(causes.size() - 1))
            .toRuntimeException();
    for (int i = 0; i < causes.size() - 1; i++) {
      failure.addSuppressed(causes.get(i));
    }
    throw failure;
  }

  /**
   * The locations to try: in the order given, except that those that failed recently go last. Per
   * the Flight spec, an endpoint without locations, or with the reuse-connection location, is
   * served by the service that gave out the FlightInfo: any coordinator, as they all serve the same.
   */
  private List<Location> candidates(FlightEndpoint endpoint) {
    List<Location> given = new ArrayList<>();
    for (Location location : endpoint.getLocations()) {
      if (LocationSchemes.REUSE_CONNECTION.equals(location.getUri().getScheme())) {
        given.addAll(coordinators.all());
      } else {
        given.add(location);
      }
    }
    if (given.isEmpty()) {
      given.addAll(coordinators.all());
    }
    return failedPeers.order(given.stream().distinct().toList());
  }

  private TracedFlightClient connect(Location location) {
    Span span = tracer.spanBuilder("connect").setAllAttributes(ClientAttributes.of(location)).startSpan();
    try (Scope ignored = span.makeCurrent()) {
      Connections.Lease lease = connections.connect(location);
      span.setAttribute(ClientAttributes.CONNECTION_REUSED, lease.reused());
      return lease.client();
    } catch (RuntimeException | Error e) {
      Spans.recordFailure(span, e);
      throw e;
    } finally {
      span.end();
    }
  }

  private void doGet(
      TracedFlightClient client, Location location, int index, Ticket ticket, Attempt attempt) {
    SpanBuilder builder =
        tracer
            .spanBuilder("do_get")
            .setAllAttributes(ClientAttributes.of(location))
            .setAttribute(FlightAttributes.DATASET, dataset)
            .setAttribute(ClientAttributes.ENDPOINT_INDEX, (long) index);
    Span span = builder.startSpan();
    try (Scope ignored = span.makeCurrent()) {
      FlightStream stream = client.flightClient().getStream(ticket);
      try (ProgressWatchdog.Watch watch = watchdog.watch(stream)) {
        try {
          read(stream, location, attempt, watch);
        } catch (FlightRuntimeException e) {
          FlightRuntimeException failure = watch.stalled() ? stalled(location, attempt, e) : e;
          closeAfterFailure(stream, failure);
          throw failure;
        } catch (Throwable t) {
          closeAfterFailure(stream, t);
          throw t;
        }
      }
      close(stream);
      attempt.setOn(span);
    } catch (RuntimeException | Error e) {
      attempt.setOn(span);
      Spans.recordFailure(span, e);
      throw e;
    } finally {
      span.end();
    }
  }

  /**
   * A stream the watchdog cancelled counts as UNAVAILABLE: the server is there but sends nothing,
   * which for the reader is the same as gone.
   */
  private FlightRuntimeException stalled(
      Location location, Attempt attempt, FlightRuntimeException cancelled) {
    return CallStatus.UNAVAILABLE
        .withDescription(
            location.getUri()
                + " sent nothing for "
                + Failures.format(watchdog.timeout())
                + (attempt.batches == 0
                    ? " before the first batch"
                    : " after " + attempt.batches + (attempt.batches == 1 ? " batch" : " batches"))
                + " (progress timeout): the server is stopped, overloaded or waiting for memory."
                + " A server that rightly takes longer needs a longer progress timeout.")
        .withCause(cancelled)
        .toRuntimeException();
  }

  private void read(
      FlightStream stream, Location location, Attempt attempt, ProgressWatchdog.Watch watch) {
    while (next(stream, watch)) {
      VectorSchemaRoot root = stream.getRoot();
      attempt.consumerCalled = true;
      deliverSchema(root.getSchema(), location);
      long batchBytes = Batches.bufferBytes(root);
      attempt.rows += root.getRowCount();
      attempt.batches++;
      attempt.bytes += batchBytes;
      rows += root.getRowCount();
      batches++;
      bytes += batchBytes;
      boolean more = consumer.accept(root, stream.getDictionaryProvider());
      progress.onProgress(rows, bytes);
      if (!more) {
        stopped = true;
        Span.current().addEvent("consumer stopped reading");
        // close() then drains what is already in flight and waits for gRPC to confirm.
        stream.cancel("the consumer stopped reading", null);
        return;
      }
    }
    if (stream.hasRoot()) {
      // A stream with a schema and no batches: the dataset is empty.
      attempt.consumerCalled = true;
      deliverSchema(stream.getRoot().getSchema(), location);
    }
  }

  private static boolean next(FlightStream stream, ProgressWatchdog.Watch watch) {
    watch.waiting();
    try {
      return stream.next();
    } finally {
      watch.progressed();
    }
  }

  private void deliverSchema(Schema streamSchema) {
    deliverSchema(streamSchema, null);
  }

  private void deliverSchema(Schema streamSchema, Location location) {
    if (schema == null) {
      schema = streamSchema;
      consumer.onSchema(streamSchema);
    } else if (!schema.equals(streamSchema)) {
      throw CallStatus.INTERNAL
          .withDescription(
              "the endpoints of '"
                  + dataset
                  + "' disagree on the schema: "
                  + (location == null ? "" : location.getUri() + " sent ")
                  + streamSchema
                  + " after "
                  + schema)
          .toRuntimeException();
    }
  }

  private void setTotals(Span span) {
    span.setAttribute(FlightAttributes.ROWS, rows);
    span.setAttribute(FlightAttributes.BATCHES, batches);
    span.setAttribute(FlightAttributes.BYTES, bytes);
  }

  /**
   * Releases the stream's buffers. For a stream not read to its end this also cancels the call and
   * waits until gRPC confirms, so no message arrives after {@code get} returns.
   */
  private static void close(FlightStream stream) {
    try {
      stream.close();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("could not release the buffers of a Flight stream", e);
    }
  }

  private static void closeAfterFailure(FlightStream stream, Throwable failure) {
    try {
      close(stream);
    } catch (RuntimeException e) {
      if (e != failure) {
        failure.addSuppressed(e);
      }
    }
  }

  private static String datasetOf(FlightDescriptor descriptor) {
    if (descriptor == null) {
      return "";
    }
    return descriptor.isCommand() ? "<command descriptor>" : String.join("/", descriptor.getPath());
  }

  /** What one location delivered of one endpoint. */
  private static final class Attempt {
    boolean consumerCalled;
    long rows;
    long batches;
    long bytes;

    void setOn(Span span) {
      span.setAttribute(FlightAttributes.NUM_ROWS, rows);
      span.setAttribute(FlightAttributes.ROWS, rows);
      span.setAttribute(FlightAttributes.BATCHES, batches);
      span.setAttribute(FlightAttributes.BYTES, bytes);
    }
  }
}
