package dev.flightcluster.client;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.otel.FlightAttributes;
import dev.flightcluster.otel.Spans;
import dev.flightcluster.otel.TracedFlightClient;
import dev.flightcluster.protocol.DatasetTicket;
import dev.flightcluster.protocol.Pushdown;
import dev.flightcluster.protocol.QueryCommand;
import dev.flightcluster.protocol.ResumePosition;
import dev.flightcluster.protocol.ResumeToken;
import dev.flightcluster.protocol.Tickets;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link FlightClusterClient#get}: reads the endpoints of a FlightInfo, up to {@code
 * parallelism} at once (decisions D60), failing over between the locations of an endpoint and
 * resuming a broken stream at the next one from the last batch delivered (D61), and keeps the
 * running totals. Used once. The consumer is only ever called on the thread that runs {@link #run}:
 * with one reader, that thread reads too; with several, reader threads hand their batches over
 * ({@link BatchHandoff}).
 *
 * <p>Spans: {@code get_single_flight} (child of whatever span is current) with, per location tried,
 * a {@code connect} and a {@code do_get}. {@code do_get} is current while the DoGet call starts and
 * while its stream is read, so the gRPC CLIENT span, and through it the server's spans, hang below
 * it. A resumed stream's {@code do_get} says where it resumed ({@code flight.resume.file}, {@code
 * flight.resume.row}).
 *
 * <p>A FlightInfo planned for a query ({@link QueryCommand} descriptor) with a limit is read until
 * that many rows in total reached the consumer: every endpoint's ticket carries the limit, so each
 * server stops after it, but together they may send more, and the batch that crosses the limit is
 * cut (decisions D81). A resumed stream keeps the endpoint's pushdown, its limit less the rows the
 * endpoint already sent (D80).
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
  private final int parallelism;

  /** Rows to hand over at most, from the query's limit; {@code Long.MAX_VALUE} for no limit. */
  private final long limit;

  // Touched only by the thread that calls the consumer.
  private Schema schema; // delivered to the consumer; every later stream must match it
  private long rows;
  private long batches;
  private long bytes;

  /** The consumer asked to stop, or a reader failed: readers start no new endpoint or batch. */
  private final AtomicBoolean stopped = new AtomicBoolean();

  private volatile boolean consumerStopped;

  /** The limit was reached: the read stopped early, yet it is complete. */
  private volatile boolean limitReached;

  /** Streams being read, cancelled when another reader fails. */
  private final Set<FlightStream> openStreams = ConcurrentHashMap.newKeySet();

  GetOperation(
      Connections connections,
      Tracer tracer,
      Coordinators coordinators,
      FailedPeers failedPeers,
      ProgressWatchdog watchdog,
      FlightInfo info,
      BatchConsumer consumer,
      ProgressListener progress,
      int parallelism) {
    this.connections = requireNonNull(connections, "connections is null");
    this.tracer = requireNonNull(tracer, "tracer is null");
    this.coordinators = requireNonNull(coordinators, "coordinators is null");
    this.failedPeers = requireNonNull(failedPeers, "failedPeers is null");
    this.watchdog = requireNonNull(watchdog, "watchdog is null");
    this.info = requireNonNull(info, "info is null");
    this.consumer = requireNonNull(consumer, "consumer is null");
    this.progress = requireNonNull(progress, "progress is null");
    this.dataset = datasetOf(info.getDescriptor());
    this.parallelism = parallelism;
    QueryCommand query = queryOf(info.getDescriptor());
    this.limit = query == null || query.limit() == null ? Long.MAX_VALUE : query.limit();
  }

  GetResult run() {
    long start = System.nanoTime();
    Span span =
        tracer
            .spanBuilder("get_single_flight")
            .setAttribute(FlightAttributes.DATASET, dataset)
            .startSpan();
    try (Scope ignored = span.makeCurrent()) {
      List<FlightEndpoint> endpoints = info.getEndpoints();
      Location[] used = new Location[endpoints.size()];
      int readers = readers(endpoints);
      if (limit == 0) {
        limitReached = true; // nothing to read: the FlightInfo's schema is the answer
      } else if (readers <= 1) {
        for (int i = 0; i < endpoints.size() && !stopped.get(); i++) {
          used[i] = readEndpoint(i, endpoints.get(i), callerSink);
        }
      } else {
        readInParallel(endpoints, readers, used);
      }
      if (schema == null) {
        // No stream sent a schema (no endpoints): the FlightInfo's is the next best.
        info.getSchemaOptional().ifPresent(this::deliverSchema);
      }
      setTotals(span);
      if (consumerStopped && !limitReached) {
        span.setAttribute(ClientAttributes.STOPPED_EARLY, true);
      }
      return new GetResult(
          rows,
          batches,
          bytes,
          Duration.ofNanos(System.nanoTime() - start),
          Arrays.stream(used).filter(location -> location != null).toList(),
          !consumerStopped || limitReached);
    } catch (RuntimeException | Error e) {
      setTotals(span);
      Spans.recordFailure(span, e);
      throw e;
    } finally {
      span.end();
    }
  }

  /**
   * How many endpoints to read at once: the setting, but no more than there are endpoints or
   * distinct servers among their locations (two readers on one server only share its disk).
   */
  private int readers(List<FlightEndpoint> endpoints) {
    Set<Object> servers = new HashSet<>();
    for (FlightEndpoint endpoint : endpoints) {
      List<Location> locations = endpoint.getLocations();
      if (locations.isEmpty()) {
        servers.add("coordinators");
      }
      locations.forEach(location -> servers.add(location.getUri()));
    }
    return Math.min(parallelism, Math.min(endpoints.size(), servers.size()));
  }

  /**
   * Reads the endpoints on {@code readers} threads, each taking the next endpoint not yet taken,
   * while this thread hands their batches to the consumer. A failure of one reader (or of the
   * consumer) cancels the others' streams and is thrown once they have all stopped.
   */
  private void readInParallel(List<FlightEndpoint> endpoints, int readers, Location[] used) {
    BatchHandoff handoff = new BatchHandoff(readers);
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            readers, Thread.ofPlatform().name("flight-get-" + dataset + "-", 0).daemon().factory());
    Context parent = Context.current();
    try {
      for (int r = 0; r < readers; r++) {
        pool.execute(
            parent.wrap(
                () -> {
                  Throwable failure = null;
                  try {
                    int i;
                    while (!stopped.get() && (i = next.getAndIncrement()) < endpoints.size()) {
                      used[i] =
                          readEndpoint(
                              i,
                              endpoints.get(i),
                              (root, dictionaries, location) -> {
                                try {
                                  return handoff.offer(root, dictionaries, location);
                                } catch (InterruptedException e) {
                                  Thread.currentThread().interrupt();
                                  throw CallStatus.CANCELLED
                                      .withDescription("the read was interrupted")
                                      .toRuntimeException();
                                }
                              });
                    }
                  } catch (Throwable t) {
                    failure = t;
                  } finally {
                    handoff.finished(failure);
                  }
                }));
      }
      consume(handoff, readers);
    } finally {
      pool.shutdown();
    }
  }

  /** Hands the readers' batches to the consumer until every reader has finished. */
  private void consume(BatchHandoff handoff, int readers) {
    Throwable failure = null;
    boolean interrupted = false;
    int running = readers;
    while (running > 0) {
      BatchHandoff.Event event;
      try {
        event = handoff.take();
      } catch (InterruptedException e) {
        interrupted = true;
        if (failure == null) {
          failure =
              CallStatus.CANCELLED.withDescription("the read was interrupted").toRuntimeException();
        }
        abort();
        continue;
      }
      switch (event) {
        case BatchHandoff.Batch batch -> {
          if (failure != null || stopped.get()) {
            batch.reply(false);
            continue;
          }
          try {
            batch.reply(deliver(batch.root(), batch.dictionaries(), batch.location()));
          } catch (Throwable t) {
            failure = t;
            abort();
            batch.reply(false);
          }
        }
        case BatchHandoff.Finished finished -> {
          running--;
          if (finished.failure() != null) {
            if (failure == null) {
              failure = finished.failure();
              abort();
            } else if (!stopped.get() || finished.failure() != failure) {
              // The others' failures are mostly the cancellations abort() caused.
              log.debug("another endpoint reader of '{}' failed too", dataset, finished.failure());
            }
          }
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (failure instanceof RuntimeException e) {
      throw e;
    }
    if (failure instanceof Error e) {
      throw e;
    }
    if (failure != null) {
      throw new IllegalStateException(failure);
    }
  }

  /** Stops every reader: no new endpoint or batch, and the streams being read are cancelled. */
  private void abort() {
    stopped.set(true);
    for (FlightStream stream : openStreams) {
      try {
        stream.cancel("another endpoint of the read failed", null);
      } catch (RuntimeException e) {
        log.debug("cancelling a stream of '{}' failed", dataset, e);
      }
    }
  }

  /** Where a reader's batches go: to the consumer, at once or through a {@link BatchHandoff}. */
  @FunctionalInterface
  private interface Sink {
    /** Hands over one batch, valid during the call; returns whether the consumer wants more. */
    boolean deliver(VectorSchemaRoot root, DictionaryProvider dictionaries, Location location);

    /**
     * The schema of a stream without batches. Parallel readers drop it: when no stream has a batch,
     * {@link #run} delivers the FlightInfo's schema, which is the same.
     */
    default void schema(Schema schema, Location location) {}
  }

  /** The sink of a read on the caller's thread alone. */
  private final Sink callerSink =
      new Sink() {
        @Override
        public boolean deliver(
            VectorSchemaRoot root, DictionaryProvider dictionaries, Location location) {
          return GetOperation.this.deliver(root, dictionaries, location);
        }

        @Override
        public void schema(Schema schema, Location location) {
          deliverSchema(schema, location);
        }
      };

  /** Delivers one batch to the consumer; only on the consumer thread. */
  private boolean deliver(
      VectorSchemaRoot root, DictionaryProvider dictionaries, Location location) {
    deliverSchema(root.getSchema(), location);
    long batchBytes = Batches.bufferBytes(root);
    boolean last = root.getRowCount() >= limit - rows;
    if (root.getRowCount() > limit - rows) {
      // The reader waits for this call to return before it loads the next batch into the root.
      root.setRowCount((int) (limit - rows));
    }
    rows += root.getRowCount();
    batches++;
    bytes += batchBytes;
    boolean more = consumer.accept(root, dictionaries) && !last;
    progress.onProgress(rows, bytes);
    if (last) {
      limitReached = true;
    }
    if (!more) {
      consumerStopped = true;
      stopped.set(true);
    }
    return more;
  }

  /**
   * Reads one endpoint from the first of its locations that is available; returns the location that
   * finished it. A stream that breaks after delivering batches resumes at the next location from
   * the last resume token delivered (decisions D61).
   */
  private Location readEndpoint(int index, FlightEndpoint endpoint, Sink sink) {
    List<Location> locations = candidates(endpoint);
    List<String> failures = new ArrayList<>();
    List<FlightRuntimeException> causes = new ArrayList<>();
    Progress progress = new Progress();
    for (int i = 0; i < locations.size(); i++) {
      Location location = locations.get(i);
      Attempt attempt = new Attempt();
      FlightRuntimeException e;
      try {
        TracedFlightClient client = connect(location);
        doGet(client, location, index, ticket(endpoint, progress), progress, attempt, sink);
        failedPeers.succeeded(location);
        return location;
      } catch (BrokenStream broken) {
        e = broken.cause;
        if (stopped.get() && !consumerStopped) {
          throw e; // cancelled by abort(): another reader failed and reports it
        }
      } catch (FlightRuntimeException connectFailed) {
        e = connectFailed;
      }
      if (!retryable(e.status().code(), attempt)) {
        throw e;
      }
      failedPeers.failed(location);
      if (progress.delivered && progress.token == null) {
        // The server sent no resume token (an older server): reading the endpoint again elsewhere
        // would hand the consumer those rows twice, so only a failure before that is retried.
        throw e;
      }
      failures.add(location.getUri() + " (" + Failures.describe(e, location) + ")");
      causes.add(e);
      if (i + 1 < locations.size()) {
        Location next = locations.get(i + 1);
        boolean resume = progress.token != null;
        log.warn(
            "Location {} of '{}' cannot serve it ({}); {} {}{}",
            location.getUri(),
            dataset,
            Failures.describe(e, location),
            resume ? "resuming at" : "trying",
            next.getUri(),
            resume ? " from " + describe(progress.token.position()) : "");
        Span.current()
            .addEvent(
                resume ? "resume" : "failover",
                Attributes.of(
                    ClientAttributes.LOCATION,
                    location.getUri().toString(),
                    ClientAttributes.ENDPOINT_INDEX,
                    (long) index));
      }
    }
    boolean allBusy =
        causes.stream().allMatch(c -> c.status().code() == FlightStatusCode.RESOURCE_EXHAUSTED);
    String where =
        "could not read '"
            + dataset
            + "' (endpoint "
            + (index + 1)
            + " of "
            + info.getEndpoints().size()
            + "): ";
    if (progress.delivered) {
      where += progress.rows + " rows of it were delivered, then ";
    }
    FlightRuntimeException failure =
        allBusy
            ? CallStatus.RESOURCE_EXHAUSTED
                .withDescription(
                    where
                        + "every location is busy: "
                        + String.join("; ", failures)
                        + ". Retry later.")
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
   * Whether another location may serve what this one failed to: it is gone (UNAVAILABLE) or busy
   * (RESOURCE_EXHAUSTED); once its stream has sent batches, also a stream that ends with CANCELLED
   * or INTERNAL, which is how gRPC may report a connection reset by a dying server.
   */
  private static boolean retryable(FlightStatusCode code, Attempt attempt) {
    return switch (code) {
      case UNAVAILABLE, RESOURCE_EXHAUSTED -> true;
      case CANCELLED, INTERNAL -> attempt.batches > 0;
      default -> false;
    };
  }

  /**
   * The endpoint's ticket, or after a broken stream the same files from the last position. A
   * stream's limit is its own (decisions D80): the resumed one asks for what this endpoint has not
   * sent yet.
   */
  private static Ticket ticket(FlightEndpoint endpoint, Progress progress) {
    if (progress.token == null) {
      return endpoint.getTicket();
    }
    DatasetTicket resumed = Tickets.decode(endpoint.getTicket()).resumeAt(progress.token);
    Pushdown pushdown = resumed.pushdown();
    if (pushdown.limit() != null) {
      long rest = Math.max(0, pushdown.limit() - progress.rows);
      resumed = resumed.withPushdown(new Pushdown(pushdown.columns(), pushdown.filter(), rest));
    }
    return Tickets.of(resumed);
  }

  private static String describe(ResumePosition position) {
    return position.file() + " row " + position.row();
  }

  /**
   * The locations to try: in the order given, except that those that failed recently go last. Per
   * the Flight spec, an endpoint without locations, or with the reuse-connection location, is
   * served by the service that gave out the FlightInfo: any coordinator, as they all serve the
   * same.
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
    Span span =
        tracer.spanBuilder("connect").setAllAttributes(ClientAttributes.of(location)).startSpan();
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
      TracedFlightClient client,
      Location location,
      int index,
      Ticket ticket,
      Progress progress,
      Attempt attempt,
      Sink sink) {
    SpanBuilder builder =
        tracer
            .spanBuilder("do_get")
            .setAllAttributes(ClientAttributes.of(location))
            .setAttribute(FlightAttributes.DATASET, dataset)
            .setAttribute(ClientAttributes.ENDPOINT_INDEX, (long) index);
    if (progress.token != null) {
      builder
          .setAttribute(ClientAttributes.RESUME_FILE, progress.token.position().file())
          .setAttribute(ClientAttributes.RESUME_ROW, progress.token.position().row());
    }
    Span span = builder.startSpan();
    try (Scope ignored = span.makeCurrent()) {
      FlightStream stream = client.flightClient().getStream(ticket);
      openStreams.add(stream);
      try (ProgressWatchdog.Watch watch = watchdog.watch(stream)) {
        try {
          read(stream, location, progress, attempt, watch, sink);
        } catch (BrokenStream e) {
          BrokenStream failure =
              watch.stalled() ? new BrokenStream(stalled(location, attempt, e.cause)) : e;
          closeAfterFailure(stream, failure.cause);
          throw failure;
        } catch (Throwable t) {
          closeAfterFailure(stream, t);
          throw t;
        }
      } finally {
        openStreams.remove(stream);
      }
      close(stream);
      attempt.setOn(span);
    } catch (BrokenStream e) {
      attempt.setOn(span);
      Spans.recordFailure(span, e.cause);
      throw e;
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
      FlightStream stream,
      Location location,
      Progress progress,
      Attempt attempt,
      ProgressWatchdog.Watch watch,
      Sink sink) {
    while (!stopped.get() && next(stream, watch)) {
      VectorSchemaRoot root = stream.getRoot();
      // Read before the consumer runs; it counts as delivered once the consumer has the batch.
      ResumeToken token = token(stream);
      attempt.rows += root.getRowCount();
      attempt.batches++;
      attempt.bytes += Batches.bufferBytes(root);
      boolean more = sink.deliver(root, stream.getDictionaryProvider(), location);
      progress.delivered(root.getRowCount(), token);
      if (!more) {
        Span.current().addEvent("consumer stopped reading");
        // close() then drains what is already in flight and waits for gRPC to confirm.
        stream.cancel("the consumer stopped reading", null);
        return;
      }
    }
    if (stopped.get()) {
      stream.cancel("the read stopped", null);
      return;
    }
    if (stream.hasRoot() && !progress.delivered) {
      // A stream with a schema and no batches: the dataset (or this endpoint) is empty.
      sink.schema(stream.getRoot().getSchema(), location);
    }
  }

  /** The resume token of the batch just read; null when the server sent none. */
  private static ResumeToken token(FlightStream stream) {
    ArrowBuf metadata = stream.getLatestMetadata();
    if (metadata == null || metadata.readableBytes() == 0) {
      return null;
    }
    byte[] bytes = new byte[(int) metadata.readableBytes()];
    metadata.getBytes(metadata.readerIndex(), bytes);
    try {
      return ResumeToken.fromAppMetadata(bytes);
    } catch (FlightRuntimeException e) {
      return null; // metadata of another kind: such a stream cannot be resumed
    }
  }

  /** A stream failed in the transport or at the server: what failover and resume act on. */
  private static final class BrokenStream extends RuntimeException {
    final FlightRuntimeException cause;

    BrokenStream(FlightRuntimeException cause) {
      super(cause.getMessage(), cause, false, false);
      this.cause = cause;
    }
  }

  private static boolean next(FlightStream stream, ProgressWatchdog.Watch watch) {
    watch.waiting();
    try {
      return stream.next();
    } catch (FlightRuntimeException e) {
      throw new BrokenStream(e);
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
    QueryCommand query = queryOf(descriptor);
    if (query != null) {
      return query.dataset().value();
    }
    return descriptor.isCommand() ? "<command descriptor>" : String.join("/", descriptor.getPath());
  }

  /** The query a FlightInfo was planned for; null for a PATH or another protocol's descriptor. */
  private static QueryCommand queryOf(FlightDescriptor descriptor) {
    if (descriptor == null
        || !descriptor.isCommand()
        || !QueryCommand.isQueryCommand(descriptor.getCommand())) {
      return null;
    }
    try {
      return QueryCommand.decode(descriptor.getCommand());
    } catch (FlightRuntimeException e) {
      return null; // not ours after all: read every row the endpoints send
    }
  }

  /** What the consumer has received of one endpoint, over all its locations. */
  private static final class Progress {
    boolean delivered;
    long rows;
    ResumeToken token; // of the last batch delivered; null: none, or the server sends none

    void delivered(long batchRows, ResumeToken batchToken) {
      delivered = true;
      rows += batchRows;
      token = batchToken;
    }
  }

  /** What one location delivered of one endpoint. */
  private static final class Attempt {
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
