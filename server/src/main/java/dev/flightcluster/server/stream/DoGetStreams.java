package dev.flightcluster.server.stream;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.otel.FlightAttributes;
import dev.flightcluster.otel.Spans;
import dev.flightcluster.otel.producer.GuardedProducer;
import dev.flightcluster.protocol.DatasetTicket;
import dev.flightcluster.protocol.ResumeToken;
import dev.flightcluster.server.ServerMetrics;
import dev.flightcluster.server.StreamStats;
import dev.flightcluster.server.cache.HotCache;
import dev.flightcluster.server.store.Dataset;
import dev.flightcluster.server.store.DatasetStore;
import dev.flightcluster.server.store.FileMeta;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DoGet path of a data server: checks a ticket against the store, then streams it on a thread
 * of its own, within the scan memory budget, at the client's pace, each batch carrying its {@link
 * ResumeToken}.
 *
 * <p>Errors are chosen where they are understood: the ticket's mistakes (INVALID_ARGUMENT,
 * NOT_FOUND) before the stream starts; no thread or no scan memory is RESOURCE_EXHAUSTED; a file
 * that cannot be read here, or the server closing, is UNAVAILABLE, so the client resumes at another
 * replica; anything else is a bug, INTERNAL by the shared error policy ({@link GuardedProducer}).
 */
public final class DoGetStreams {
  /** What the data server calls itself in the error policy's INTERNAL descriptions. */
  public static final String SERVICE = "data server";

  private static final Logger log = LoggerFactory.getLogger(DoGetStreams.class);

  private final DatasetStore store;
  private final BufferAllocator allocator;
  private final Supplier<String> serverId;
  private final int batchRows;
  private final ExecutorService executor;
  private final ScanBudget scanBudget;
  private final Duration scanQueueTimeout;
  private final ServerMetrics metrics;
  private final StreamStats stats;
  private final HotCache cache;
  private final AtomicInteger open = new AtomicInteger();
  private final Set<StreamGate> gates = ConcurrentHashMap.newKeySet();

  /**
   * @param executor runs each stream on a thread of its own, so the gRPC thread returns at once and
   *     can deliver the call's ready and cancel callbacks; a full executor answers
   *     RESOURCE_EXHAUSTED. Owned by the caller.
   * @param scanMemoryBytes the native memory all scans share; a stream waits up to {@code
   *     scanQueueTimeout} for its share, then gets RESOURCE_EXHAUSTED
   * @param cache the copies streams read instead of Parquet files; owned by the caller
   */
  public DoGetStreams(
      DatasetStore store,
      BufferAllocator allocator,
      Supplier<String> serverId,
      int batchRows,
      ExecutorService executor,
      long scanMemoryBytes,
      Duration scanQueueTimeout,
      ServerMetrics metrics,
      StreamStats stats,
      HotCache cache) {
    this.store = requireNonNull(store, "store is null");
    this.allocator = requireNonNull(allocator, "allocator is null");
    this.serverId = requireNonNull(serverId, "serverId is null");
    if (batchRows <= 0) {
      throw new IllegalArgumentException("batchRows must be positive: " + batchRows);
    }
    this.batchRows = batchRows;
    this.executor = requireNonNull(executor, "executor is null");
    this.scanBudget = new ScanBudget(scanMemoryBytes);
    this.scanQueueTimeout = requireNonNull(scanQueueTimeout, "scanQueueTimeout is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.stats = requireNonNull(stats, "stats is null");
    this.cache = requireNonNull(cache, "cache is null");
  }

  /** Queues hot cache copies of the files of {@code dataset}, which was just uploaded here. */
  public void uploaded(Dataset dataset) {
    Schema scanSchema = RestoredColumns.scanSchema(dataset.fileSchema());
    for (FileMeta file : dataset.files()) {
      cache.admit(file, scanSchema);
    }
  }

  /** Scan memory the running streams hold now. */
  public long scanReservedBytes() {
    return scanBudget.budgetBytes() - scanBudget.availableBytes();
  }

  /** The scan memory budget all streams share. */
  public long scanBudgetBytes() {
    return scanBudget.budgetBytes();
  }

  /** Streams in progress. */
  public int open() {
    return open.get();
  }

  /**
   * Wakes every stream waiting for its client, so it ends with UNAVAILABLE: the server is closing.
   */
  public void closeAll() {
    gates.forEach(StreamGate::close);
  }

  /**
   * Checks {@code ticket} and starts streaming it; returns at once.
   *
   * @param span the call's span, which gets the stream's counts
   * @throws FlightRuntimeException for a ticket this server cannot serve, or RESOURCE_EXHAUSTED
   */
  public void start(DatasetTicket ticket, ServerStreamListener listener, Span span) {
    span.setAttribute(FlightAttributes.DATASET, ticket.dataset().value());
    StreamPlan plan = StreamPlan.of(store.find(ticket.dataset()), ticket, store);
    StreamGate gate = new StreamGate(listener);
    open.incrementAndGet();
    gates.add(gate);
    try {
      executor.execute(Context.current().wrap(() -> stream(plan, ticket, listener, gate, span)));
    } catch (RejectedExecutionException e) {
      gates.remove(gate);
      open.decrementAndGet();
      throw CallStatus.RESOURCE_EXHAUSTED
          .withDescription(
              "server "
                  + serverId.get()
                  + " is streaming as many datasets as it may; retry"
                  + " later or read from another replica")
          .toRuntimeException();
    }
  }

  private void stream(
      StreamPlan listed,
      DatasetTicket ticket,
      ServerStreamListener listener,
      StreamGate gate,
      Span span) {
    long startNanos = System.nanoTime();
    try (ServerMetrics.DoGet measured = metrics.doGet(ticket.dataset().value())) {
      stream(listed, ticket, listener, gate, span, new Counts(measured, stats));
    } finally {
      stats.ended(
          ticket.dataset().value(),
          Duration.ofNanos(System.nanoTime() - startNanos),
          span.getSpanContext());
    }
  }

  private void stream(
      StreamPlan listed,
      DatasetTicket ticket,
      ServerStreamListener listener,
      StreamGate gate,
      Span span,
      Counts counts) {
    try {
      StreamPlan plan = listed;
      if (!store.unchanged(listed.dataset())) {
        // Its files changed since the listing: serve what is on disk now, checked again.
        store.refresh();
        plan = StreamPlan.of(store.find(ticket.dataset()), ticket, store);
      }
      ScanBudget.Reservation reservation = reserveScan(plan, listener, span);
      if (reservation == null) {
        return; // the client left while queued
      }
      try (reservation) {
        send(plan, listener, gate, span, counts);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      counts.record(span);
      listener.error(
          failed(
              span,
              CallStatus.UNAVAILABLE
                  .withDescription(
                      "server " + serverId.get() + " is shutting down; resume at another replica")
                  .toRuntimeException()));
    } catch (FlightRuntimeException e) {
      counts.record(span);
      listener.error(failed(span, e));
    } catch (Throwable e) {
      counts.record(span);
      listener.error(
          failed(
              span,
              outOfMemory(e)
                  ? CallStatus.RESOURCE_EXHAUSTED
                      .withDescription(
                          "server "
                              + serverId.get()
                              + " is out of memory for a stream of '"
                              + ticket.dataset()
                              + "'; retry later")
                      .withCause(e)
                      .toRuntimeException()
                  : GuardedProducer.translate(SERVICE, "DoGet of '" + ticket.dataset() + "'", e)));
    } finally {
      gates.remove(gate);
      open.decrementAndGet();
    }
  }

  private void send(
      StreamPlan plan, ServerStreamListener listener, StreamGate gate, Span span, Counts counts)
      throws Exception {
    Dataset dataset = plan.dataset();
    try (FileSequenceReader reader = new FileSequenceReader(allocator, plan, batchRows, cache);
        StreamDictionaries dictionaries =
            new StreamDictionaries(allocator, dataset.schema(), reader.dictionaries());
        RestoredColumns restored =
            new RestoredColumns(allocator, dataset.schema(), reader.getVectorSchemaRoot())) {
      VectorSchemaRoot root = restored.root();
      // The scanner loads every batch into fresh buffers, so gRPC may send them without a copy.
      listener.setUseZeroCopy(true);
      // Started after the first batch, whose dictionaries are the stream's (StreamDictionaries).
      boolean started = false;
      while (gate.awaitReady()) {
        if (!nextBatch(reader, restored, dictionaries, dataset)) {
          if (!started) {
            dictionaries.fillMissing(root);
            listener.start(root, dictionaries);
          }
          counts.record(span);
          listener.completed();
          return;
        }
        if (!started) {
          listener.start(root, dictionaries);
          started = true;
        }
        counts.add(root);
        ArrowBuf token = tokenBuffer(new ResumeToken(dataset.name(), reader.position()));
        // Flight takes the buffer and closes it once the batch is sent.
        listener.putNext(token);
      }
      counts.record(span);
      if (gate.closed()) {
        throw CallStatus.UNAVAILABLE
            .withDescription(
                "server " + serverId.get() + " is shutting down; resume at another replica")
            .toRuntimeException();
      }
      log.debug(
          "DoGet of {} cancelled by the client after {} batches", dataset.name(), counts.batches);
    }
  }

  /**
   * Loads the next batch into the stream's root.
   *
   * @throws FlightRuntimeException UNAVAILABLE when this server cannot read the dataset's files (a
   *     replica may), RESOURCE_EXHAUSTED when it has no memory for the batch
   */
  private boolean nextBatch(
      FileSequenceReader reader,
      RestoredColumns restored,
      StreamDictionaries dictionaries,
      Dataset dataset) {
    try {
      if (!reader.loadNextBatch()) {
        return false;
      }
      restored.load();
      dictionaries.adopt(restored.root());
      return true;
    } catch (Exception e) {
      if (outOfMemory(e)) {
        throw CallStatus.RESOURCE_EXHAUSTED
            .withDescription(
                "server "
                    + serverId.get()
                    + " is out of memory for a stream of '"
                    + dataset.name()
                    + "'; retry later or read from another replica")
            .withCause(e)
            .toRuntimeException();
      }
      log.warn("cannot read dataset {} on server {}", dataset.name(), serverId.get(), e);
      throw CallStatus.UNAVAILABLE
          .withDescription(
              "cannot read dataset '"
                  + dataset.name()
                  + "' on server "
                  + serverId.get()
                  + ": "
                  + firstLine(e)
                  + "; resume at another replica")
          .withCause(e)
          .toRuntimeException();
    }
  }

  private ArrowBuf tokenBuffer(ResumeToken token) {
    byte[] bytes = token.toAppMetadata();
    ArrowBuf buffer = allocator.buffer(bytes.length);
    buffer.writeBytes(bytes);
    return buffer;
  }

  /**
   * Waits for the stream's share of the memory budget.
   *
   * @return the reservation, or null when the client cancelled while waiting
   * @throws FlightRuntimeException RESOURCE_EXHAUSTED when the queue timeout passed first
   */
  private ScanBudget.Reservation reserveScan(
      StreamPlan plan, ServerStreamListener listener, Span span) throws InterruptedException {
    long wanted =
        ScanBudget.estimate(
            plan.files().stream()
                .map(i -> plan.dataset().files().get(i))
                .map(FileMeta::size)
                .toList());
    ScanBudget.Reservation reservation;
    try (ServerMetrics.Counted waiting = metrics.waitingForScanMemory()) {
      reservation = scanBudget.reserve(wanted, scanQueueTimeout, listener::isCancelled);
    }
    if (reservation != null) {
      span.setAttribute(FlightAttributes.SCAN_MEMORY_RESERVED, reservation.bytes());
      return reservation;
    }
    if (listener.isCancelled()) {
      return null;
    }
    throw CallStatus.RESOURCE_EXHAUSTED
        .withDescription(
            "server "
                + serverId.get()
                + " has no room for another scan of '"
                + plan.dataset().name()
                + "' (it needs about "
                + (wanted >> 20)
                + " MiB of its "
                + (scanBudget.budgetBytes() >> 20)
                + " MiB scan memory) after waiting "
                + scanQueueTimeout.toMillis()
                + " ms; retry later or read"
                + " from another replica")
        .toRuntimeException();
  }

  /**
   * Records a stream's failure on its span and, unless the client cancelled, for the status page.
   */
  private FlightRuntimeException failed(Span span, FlightRuntimeException failure) {
    Spans.recordFailure(span, failure);
    if (failure.status().code() != FlightStatusCode.CANCELLED) {
      stats.failed(failure);
    }
    return failure;
  }

  private static boolean outOfMemory(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof OutOfMemoryException || t instanceof OutOfMemoryError) {
        return true;
      }
    }
    return false;
  }

  private static String firstLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return message.lines().findFirst().orElse(message);
  }

  /** What a stream sent, for its span. */
  private static final class Counts {
    private final ServerMetrics.DoGet measured;
    long rows;
    long batches;
    long bytes;

    private final StreamStats stats;

    Counts(ServerMetrics.DoGet measured, StreamStats stats) {
      this.measured = measured;
      this.stats = stats;
    }

    void add(VectorSchemaRoot root) {
      long batchBytes = 0;
      for (FieldVector vector : root.getFieldVectors()) {
        batchBytes += vector.getBufferSize();
      }
      rows += root.getRowCount();
      batches++;
      bytes += batchBytes;
      measured.batch(root.getRowCount(), batchBytes);
      stats.streamed(root.getRowCount(), batchBytes);
    }

    void record(Span span) {
      span.setAttribute(FlightAttributes.ROWS, rows);
      span.setAttribute(FlightAttributes.BATCHES, batches);
      span.setAttribute(FlightAttributes.BYTES, bytes);
    }
  }
}
