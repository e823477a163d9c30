package dev.flightcluster.server;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.otel.FlightAttributes;
import dev.flightcluster.otel.Spans;
import dev.flightcluster.protocol.ClusterActions;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.Descriptors;
import dev.flightcluster.protocol.Tickets;
import dev.flightcluster.server.parquet.ParquetFiles;
import dev.flightcluster.server.upload.UploadGuard;
import dev.flightcluster.server.upload.UploadWait;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.ActionType;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.SchemaResult;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data server's Flight producer: lists the store's datasets, streams them (DoGet) and takes
 * uploads (DoPut). {@code Span.current()} in every method is the gRPC server span of the call.
 */
final class DataProducer extends NoOpFlightProducer {
  private static final Logger log = LoggerFactory.getLogger(DataProducer.class);

  /** The actions a data server serves, as ListActions lists them: none; the cluster's are the coordinator's. */
  static final List<ActionType> ACTIONS = List.of();

  private static final String COORDINATOR_ACTION_NAMES =
      Stream.concat(ClusterActions.COORDINATOR_ACTIONS.stream().map(ActionType::getType),
          Stream.of(ClusterActions.LIST_CONFLICTS, ClusterActions.CLUSTER_STATUS))
          .collect(Collectors.joining(", "));

  private final DatasetStore store;
  private final BufferAllocator allocator;
  private final Supplier<String> serverId;
  private final Supplier<Location> advertised;
  private final int batchRows;
  private final ExecutorService streamExecutor;
  private final ScanBudget scanBudget;
  private final Duration scanQueueTimeout;
  private final long maxBatchBytes;
  private final Semaphore uploadSlots;
  private final UploadGuard uploadGuard;
  private final Runnable afterUpload;
  private final AtomicInteger activeStreams = new AtomicInteger();
  private final StreamStats stats = new StreamStats(InstantSource.system());
  private final Set<ReadyGate> openGates = ConcurrentHashMap.newKeySet();

  /**
   * @param streamExecutor runs each DoGet on a thread of its own, so the gRPC thread returns at once
   *     and can deliver the call's ready and cancel callbacks; a full executor answers
   *     RESOURCE_EXHAUSTED
   * @param scanBudget the native memory DoGet scans share; a stream waits up to {@code
   *     scanQueueTimeout} for its share, then gets RESOURCE_EXHAUSTED
   * @param maxBatchBytes the largest DoPut record batch taken; a larger one fails the upload with
   *     RESOURCE_EXHAUSTED
   * @param maxUploads concurrent DoPut bodies; each holds a thread of the upload pool until its upload
   *     ends (the call pools admit no more DoPut calls than this either)
   * @param uploadGuard bounds every wait of an upload for its client
   * @param afterUpload runs after each stored upload, before the client hears of success
   */
  DataProducer(
      DatasetStore store,
      BufferAllocator allocator,
      Supplier<String> serverId,
      Supplier<Location> advertised,
      int batchRows,
      ExecutorService streamExecutor,
      ScanBudget scanBudget,
      Duration scanQueueTimeout,
      long maxBatchBytes,
      int maxUploads,
      UploadGuard uploadGuard,
      Runnable afterUpload) {
    this.store = requireNonNull(store, "store is null");
    this.allocator = requireNonNull(allocator, "allocator is null");
    this.serverId = requireNonNull(serverId, "serverId is null");
    this.advertised = requireNonNull(advertised, "advertised is null");
    this.batchRows = batchRows;
    this.streamExecutor = requireNonNull(streamExecutor, "streamExecutor is null");
    this.scanBudget = requireNonNull(scanBudget, "scanBudget is null");
    this.scanQueueTimeout = requireNonNull(scanQueueTimeout, "scanQueueTimeout is null");
    this.maxBatchBytes = maxBatchBytes;
    this.uploadSlots = new Semaphore(maxUploads);
    this.uploadGuard = requireNonNull(uploadGuard, "uploadGuard is null");
    this.afterUpload = requireNonNull(afterUpload, "afterUpload is null");
  }

  /** DoGet and DoPut streams in progress: the load reported in heartbeats. */
  int activeStreams() {
    return activeStreams.get();
  }

  /** What the streams did lately, for the heartbeats. */
  StreamStats stats() {
    return stats;
  }

  /** Wakes every DoGet waiting for the client, so it ends: the server is closing. */
  void closeStreams() {
    openGates.forEach(ReadyGate::close);
  }

  @Override
  public void listFlights(CallContext context, Criteria criteria, StreamListener<FlightInfo> listener) {
    Span.current().setAttribute(FlightAttributes.SERVER_ID, serverId.get());
    byte[] expression = criteria.getExpression();
    String prefix = expression == null ? "" : new String(expression, StandardCharsets.UTF_8);
    try {
      for (Dataset dataset : store.listing().datasets().values()) {
        if (dataset.name().hasPrefix(prefix)) {
          listener.onNext(info(dataset));
        }
      }
      listener.onCompleted();
    } catch (RuntimeException e) {
      listener.onError(failed(Span.current(), e, null));
    }
  }

  @Override
  public FlightInfo getFlightInfo(CallContext context, FlightDescriptor descriptor) {
    Span span = Span.current();
    span.setAttribute(FlightAttributes.SERVER_ID, serverId.get());
    try {
      DatasetName name = Descriptors.datasetName(descriptor);
      span.setAttribute(FlightAttributes.DATASET, name.value());
      return info(store.find(name));
    } catch (RuntimeException e) {
      throw failed(span, e, null);
    }
  }

  @Override
  public SchemaResult getSchema(CallContext context, FlightDescriptor descriptor) {
    Span span = Span.current();
    span.setAttribute(FlightAttributes.SERVER_ID, serverId.get());
    try {
      DatasetName name = Descriptors.datasetName(descriptor);
      span.setAttribute(FlightAttributes.DATASET, name.value());
      return new SchemaResult(store.find(name).schema());
    } catch (RuntimeException e) {
      throw failed(span, e, null);
    }
  }

  private FlightInfo info(Dataset dataset) {
    FlightEndpoint endpoint = new FlightEndpoint(Tickets.of(dataset.name()), advertised.get());
    return FlightInfo.builder(dataset.schema(), Descriptors.of(dataset.name()), List.of(endpoint))
        .setRecords(dataset.rows())
        .setBytes(dataset.arrowBytes())
        .setAppMetadata(dataset.fingerprint().toAppMetadata())
        .build();
  }

  @Override
  public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
    Span span = Span.current();
    span.setAttribute(FlightAttributes.SERVER_ID, serverId.get());
    try {
      DatasetName name = Tickets.datasetName(ticket);
      span.setAttribute(FlightAttributes.DATASET, name.value());
      Dataset dataset = store.find(name);
      ReadyGate gate = new ReadyGate(listener);
      activeStreams.incrementAndGet();
      openGates.add(gate);
      try {
        streamExecutor.execute(Context.current().wrap(() -> stream(dataset, listener, gate, span)));
      } catch (RejectedExecutionException e) {
        openGates.remove(gate);
        activeStreams.decrementAndGet();
        throw CallStatus.RESOURCE_EXHAUSTED
            .withDescription("server " + serverId.get() + " is streaming as many datasets as it may; retry"
                + " later or read from another replica")
            .toRuntimeException();
      }
    } catch (RuntimeException e) {
      listener.error(failed(span, e, null));
    }
  }

  private void stream(Dataset listed, ServerStreamListener listener, ReadyGate gate, Span span) {
    long rows = 0;
    long batches = 0;
    long bytes = 0;
    long startNanos = System.nanoTime();
    try {
      Dataset dataset = listed;
      if (!store.unchanged(dataset)) {
        // Its files changed since the listing: serve what is on disk now, under its new identity.
        store.refresh();
        dataset = store.find(dataset.name());
      }
      ScanBudget.Reservation reservation = reserveScan(dataset, listener, span);
      if (reservation == null) {
        return; // the client left while queued
      }
      try (reservation; DatasetScan scan = DatasetScan.open(allocator, dataset, batchRows);
          StreamDictionaries dictionaries = new StreamDictionaries(allocator, dataset.schema(), scan.reader());
          RestoredColumns restored = new RestoredColumns(allocator, dataset.schema(), scan.reader().getVectorSchemaRoot())) {
        ArrowReader reader = scan.reader();
        VectorSchemaRoot root = restored.root();
        // The scanner loads every batch into fresh buffers, so gRPC may send them without a copy.
        listener.setUseZeroCopy(true);
        // Started after the first batch, whose dictionaries are the stream's (StreamDictionaries).
        boolean started = false;
        boolean completed = false;
        while (gate.awaitReady()) {
          if (!reader.loadNextBatch()) {
            completed = true;
            break;
          }
          restored.load();
          dictionaries.adopt(root);
          if (!started) {
            listener.start(root, dictionaries);
            started = true;
          }
          long batchBytes = 0;
          for (FieldVector vector : root.getFieldVectors()) {
            batchBytes += vector.getBufferSize();
          }
          rows += root.getRowCount();
          batches++;
          bytes += batchBytes;
          stats.streamed(root.getRowCount(), batchBytes);
          listener.putNext();
        }
        setCounts(span, rows, batches, bytes);
        if (completed) {
          if (!started) {
            dictionaries.fillMissing(root);
            listener.start(root, dictionaries);
          }
          listener.completed();
        } else if (gate.closed()) {
          listener.error(recorded(failed(span, CallStatus.UNAVAILABLE
              .withDescription("server " + serverId.get() + " is shutting down; read from another replica")
              .toRuntimeException(), null)));
        } else {
          log.debug("DoGet of {} cancelled by the client after {} batches", dataset.name(), batches);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      setCounts(span, rows, batches, bytes);
      listener.error(recorded(failed(span, CallStatus.UNAVAILABLE.withDescription("server is shutting down")
          .toRuntimeException(), null)));
    } catch (Exception e) {
      setCounts(span, rows, batches, bytes);
      listener.error(recorded(failed(span, e, "cannot read dataset '" + listed.name() + "' on server "
          + serverId.get())));
    } finally {
      openGates.remove(gate);
      activeStreams.decrementAndGet();
      stats.ended(listed.name().value(), Duration.ofNanos(System.nanoTime() - startNanos), span.getSpanContext());
    }
  }

  /**
   * Waits for the scan's share of the memory budget.
   *
   * @return the reservation, or null when the client cancelled while waiting
   * @throws FlightRuntimeException RESOURCE_EXHAUSTED when the queue timeout passed first
   */
  private ScanBudget.Reservation reserveScan(Dataset dataset, ServerStreamListener listener, Span span)
      throws InterruptedException {
    long wanted = ScanBudget.estimate(dataset);
    ScanBudget.Reservation reservation = scanBudget.reserve(wanted, scanQueueTimeout, listener::isCancelled);
    if (reservation != null) {
      span.setAttribute(FlightAttributes.SCAN_MEMORY_RESERVED, reservation.bytes());
      return reservation;
    }
    if (listener.isCancelled()) {
      return null;
    }
    throw CallStatus.RESOURCE_EXHAUSTED
        .withDescription("server " + serverId.get() + " has no room for another scan of '" + dataset.name()
            + "' (it needs about " + (wanted >> 20) + " MiB of its " + (scanBudget.budgetBytes() >> 20)
            + " MiB scan memory) after waiting " + scanQueueTimeout.toMillis() + " ms; retry later or read"
            + " from another replica")
        .toRuntimeException();
  }

  private static void setCounts(Span span, long rows, long batches, long bytes) {
    span.setAttribute(FlightAttributes.ROWS, rows);
    span.setAttribute(FlightAttributes.BATCHES, batches);
    span.setAttribute(FlightAttributes.BYTES, bytes);
  }

  @Override
  public Runnable acceptPut(CallContext context, FlightStream flightStream, StreamListener<PutResult> ackStream) {
    Span span = Span.current();
    return () -> upload(context, flightStream, ackStream, span);
  }

  private void upload(CallContext context, FlightStream flightStream, StreamListener<PutResult> ackStream, Span span) {
    span.setAttribute(FlightAttributes.SERVER_ID, serverId.get());
    activeStreams.incrementAndGet();
    boolean slot = false;
    try (UploadWait wait = uploadGuard.begin()) {
      DatasetName name = Descriptors.datasetName(wait.await("the first message", flightStream::getDescriptor));
      span.setAttribute(FlightAttributes.DATASET, name.value());
      slot = uploadSlots.tryAcquire();
      if (!slot) {
        throw CallStatus.RESOURCE_EXHAUSTED
            .withDescription("server " + serverId.get() + " takes as many uploads as it may; retry later")
            .toRuntimeException();
      }
      FlightStreamReader reader = new FlightStreamReader(allocator, flightStream, maxBatchBytes, wait);
      ParquetFiles.Written written;
      try {
        written = store.upload(name, reader, context::isCancelled);
      } catch (Exception e) {
        // The stream's own failure (a cancel, a broken client) says more than the writer's echo.
        if (reader.failure() != null) {
          throw reader.failure();
        }
        if (wait.failure() != null) {
          throw wait.failure();
        }
        if (context.isCancelled()) {
          throw CallStatus.CANCELLED.withDescription("the client cancelled the upload").withCause(e)
              .toRuntimeException();
        }
        throw e;
      }
      setCounts(span, written.rows(), written.batches(), written.bytes());
      log.info("stored upload {}: {} rows in {} batches", name, written.rows(), written.batches());
      afterUpload.run();
      ackStream.onCompleted();
    } catch (Exception | OutOfMemoryError e) {
      // An OutOfMemoryError here is direct memory running out for this upload, not the heap's end.
      ackStream.onError(recorded(failed(span, e, "cannot store the upload on server " + serverId.get())));
    } finally {
      if (slot) {
        uploadSlots.release();
      }
      activeStreams.decrementAndGet();
    }
  }

  @Override
  public void listActions(CallContext context, StreamListener<ActionType> listener) {
    ACTIONS.forEach(listener::onNext);
    listener.onCompleted();
  }

  @Override
  public void doAction(CallContext context, Action action, StreamListener<Result> listener) {
    // A request this server does not serve, not a malformed one: UNIMPLEMENTED, as for any Flight call.
    listener.onError(CallStatus.UNIMPLEMENTED
        .withDescription("data server " + serverId.get() + " does not serve action '" + action.getType()
            + "': it serves no actions (ListActions lists none); the cluster's actions (" + COORDINATOR_ACTION_NAMES
            + ") are served by the coordinator")
        .toRuntimeException());
  }

  @Override
  public void doExchange(CallContext context, FlightStream reader, ServerStreamListener writer) {
    throw CallStatus.UNIMPLEMENTED
        .withDescription("data server " + serverId.get() + " does not serve DoExchange: it serves ListFlights,"
            + " GetFlightInfo, GetSchema, DoGet and DoPut")
        .toRuntimeException();
  }

  /**
   * Records a failure on the span and turns it into a Flight error: Flight errors pass as they are,
   * running out of memory is RESOURCE_EXHAUSTED (a retry may find room), anything else is the
   * server's own trouble and becomes UNAVAILABLE (DoGet: the client may fail over to another
   * replica) or INTERNAL, described by {@code context}.
   */
  /** Keeps a stream's failure for the status page; a client's own cancel is no failure of ours. */
  private FlightRuntimeException recorded(FlightRuntimeException e) {
    if (e.status().code() != FlightStatusCode.CANCELLED) {
      stats.failed(e);
    }
    return e;
  }

  private static FlightRuntimeException failed(Span span, Throwable e, String context) {
    FlightRuntimeException flight;
    if (e instanceof FlightRuntimeException f) {
      flight = f;
    } else if (outOfMemory(e)) {
      flight = CallStatus.RESOURCE_EXHAUSTED
          .withDescription((context == null ? "" : context + ": ") + "the server is out of memory for it; retry later")
          .withCause(e)
          .toRuntimeException();
      log.warn("{}", flight.status().description(), e);
    } else {
      String message = e.getMessage() == null ? e.getClass().getSimpleName()
          : e.getMessage().lines().findFirst().orElse("");
      CallStatus status = context != null && context.startsWith("cannot read")
          ? CallStatus.UNAVAILABLE : CallStatus.INTERNAL;
      flight = status.withDescription((context == null ? "" : context + ": ") + message).withCause(e)
          .toRuntimeException();
      log.warn("{}", flight.status().description(), e);
    }
    Spans.recordFailure(span, flight);
    return flight;
  }

  private static boolean outOfMemory(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof OutOfMemoryException || t instanceof OutOfMemoryError) {
        return true;
      }
    }
    return false;
  }
}
