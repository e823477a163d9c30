package dev.flightcluster.server;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.auth.AccessPolicy;
import dev.flightcluster.otel.FlightAttributes;
import dev.flightcluster.otel.Spans;
import dev.flightcluster.otel.producer.GuardedProducer;
import dev.flightcluster.protocol.AbortPut;
import dev.flightcluster.protocol.ClusterActions;
import dev.flightcluster.protocol.CommitPut;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.Descriptors;
import dev.flightcluster.protocol.Messages;
import dev.flightcluster.protocol.Tickets;
import dev.flightcluster.server.parquet.ParquetFiles;
import dev.flightcluster.server.store.Dataset;
import dev.flightcluster.server.store.DatasetStore;
import dev.flightcluster.server.stream.DoGetStreams;
import dev.flightcluster.server.upload.UploadGuard;
import dev.flightcluster.server.upload.UploadWait;
import dev.flightcluster.server.write.StagedPuts;
import io.opentelemetry.api.trace.Span;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data server's Flight producer: lists the store's datasets, streams them (DoGet, through
 * {@link DoGetStreams}) and takes uploads (DoPut). {@code Span.current()} in every method is the
 * gRPC server span of the call. Every status is chosen where the error is understood; the server
 * wraps this producer in the shared {@link dev.flightcluster.otel.producer.GuardedProducer}, which
 * answers anything else as INTERNAL.
 */
final class DataProducer extends NoOpFlightProducer {
  private static final AccessPolicy POLICY = AccessPolicy.dataServer();
  private static final Logger log = LoggerFactory.getLogger(DataProducer.class);

  /** The actions a data server serves, as ListActions lists them: those of a parallel put. */
  static final List<ActionType> ACTIONS = ClusterActions.SERVER_ACTIONS;

  private static final String COORDINATOR_ACTION_NAMES =
      Stream.concat(
              ClusterActions.COORDINATOR_ACTIONS.stream().map(ActionType::getType),
              Stream.of(ClusterActions.LIST_CONFLICTS, ClusterActions.CLUSTER_STATUS))
          .collect(Collectors.joining(", "));

  private final DatasetStore store;
  private final BufferAllocator allocator;
  private final Supplier<String> serverId;
  private final Supplier<Location> advertised;
  private final DoGetStreams streams;
  private final long maxBatchBytes;
  private final Semaphore uploadSlots;
  private final UploadGuard uploadGuard;
  private final Consumer<DatasetName> afterUpload;
  private final StagedPuts stagedPuts;
  private final AtomicInteger activeUploads = new AtomicInteger();
  private final ServerMetrics metrics;
  private final StreamStats stats;

  /**
   * @param streams serves DoGet
   * @param maxBatchBytes the largest DoPut record batch taken; a larger one fails the upload with
   *     RESOURCE_EXHAUSTED
   * @param maxUploads concurrent DoPut bodies; each holds a thread of the upload pool until its
   *     upload ends (the call pools admit no more DoPut calls than this either)
   * @param uploadGuard bounds every wait of an upload for its client
   * @param afterUpload runs after each stored upload, commit or abort of the dataset named, before
   *     the client hears of success
   * @param metrics counts what the streams move; the caller owns and closes it
   * @param stats keeps the last upload failure for the heartbeats' status
   */
  DataProducer(
      DatasetStore store,
      BufferAllocator allocator,
      Supplier<String> serverId,
      Supplier<Location> advertised,
      DoGetStreams streams,
      long maxBatchBytes,
      int maxUploads,
      UploadGuard uploadGuard,
      Consumer<DatasetName> afterUpload,
      ServerMetrics metrics,
      StreamStats stats) {
    this.store = requireNonNull(store, "store is null");
    this.allocator = requireNonNull(allocator, "allocator is null");
    this.serverId = requireNonNull(serverId, "serverId is null");
    this.advertised = requireNonNull(advertised, "advertised is null");
    this.streams = requireNonNull(streams, "streams is null");
    this.maxBatchBytes = maxBatchBytes;
    this.uploadSlots = new Semaphore(maxUploads);
    this.uploadGuard = requireNonNull(uploadGuard, "uploadGuard is null");
    this.afterUpload = requireNonNull(afterUpload, "afterUpload is null");
    this.stagedPuts =
        new StagedPuts(
            allocator,
            store.dataDir(),
            store.dataDir().resolve(DatasetStore.STAGING_DIR).resolve("puts"),
            InstantSource.system(),
            StagedPuts.DEFAULT_TIMEOUT);
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.stats = requireNonNull(stats, "stats is null");
  }

  /** DoGet and DoPut streams in progress: the load reported in heartbeats. */
  int activeStreams() {
    return streams.open() + activeUploads.get();
  }

  @Override
  public void listFlights(
      CallContext context, Criteria criteria, StreamListener<FlightInfo> listener) {
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
      Spans.recordFailure(Span.current(), e);
      throw e;
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
      Spans.recordFailure(span, e);
      throw e;
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
      Spans.recordFailure(span, e);
      throw e;
    }
  }

  private FlightInfo info(Dataset dataset) {
    FlightEndpoint endpoint = new FlightEndpoint(Tickets.of(dataset.name()), advertised.get());
    return FlightInfo.builder(dataset.schema(), Descriptors.of(dataset.name()), List.of(endpoint))
        .setRecords(dataset.rows())
        .setBytes(dataset.arrowBytes())
        .setAppMetadata(ShardListing.appMetadata(dataset))
        .build();
  }

  @Override
  public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
    Span span = Span.current();
    span.setAttribute(FlightAttributes.SERVER_ID, serverId.get());
    try {
      streams.start(Tickets.decode(ticket), listener, span);
    } catch (RuntimeException e) {
      Spans.recordFailure(span, e);
      throw e;
    }
  }

  private static void setCounts(Span span, long rows, long batches, long bytes) {
    span.setAttribute(FlightAttributes.ROWS, rows);
    span.setAttribute(FlightAttributes.BATCHES, batches);
    span.setAttribute(FlightAttributes.BYTES, bytes);
  }

  @Override
  public Runnable acceptPut(
      CallContext context, FlightStream flightStream, StreamListener<PutResult> ackStream) {
    Span span = Span.current();
    return () -> upload(context, flightStream, ackStream, span);
  }

  private void upload(
      CallContext context,
      FlightStream flightStream,
      StreamListener<PutResult> ackStream,
      Span span) {
    span.setAttribute(FlightAttributes.SERVER_ID, serverId.get());
    activeUploads.incrementAndGet();
    boolean slot = false;
    try (ServerMetrics.Counted doPut = metrics.doPut();
        UploadWait wait = uploadGuard.begin()) {
      DatasetName name =
          Descriptors.datasetName(wait.await("the first message", flightStream::getDescriptor));
      span.setAttribute(FlightAttributes.DATASET, name.value());
      slot = uploadSlots.tryAcquire();
      if (!slot) {
        throw CallStatus.RESOURCE_EXHAUSTED
            .withDescription(
                "server " + serverId.get() + " takes as many uploads as it may; retry later")
            .toRuntimeException();
      }
      FlightStreamReader reader =
          new FlightStreamReader(allocator, flightStream, maxBatchBytes, wait);
      ParquetFiles.Written written;
      try (ServerMetrics.Counted staging = metrics.staging()) {
        written =
            StagedPuts.isPart(name)
                ? stagedPuts.stage(name, reader, context::isCancelled)
                : store.upload(name, reader, context::isCancelled);
      } catch (Exception e) {
        // The stream's own failure (a cancel, a broken client) says more than the writer's echo.
        if (reader.failure() != null) {
          throw reader.failure();
        }
        if (wait.failure() != null) {
          throw wait.failure();
        }
        if (context.isCancelled()) {
          throw CallStatus.CANCELLED
              .withDescription("the client cancelled the upload")
              .withCause(e)
              .toRuntimeException();
        }
        throw e;
      }
      setCounts(span, written.rows(), written.batches(), written.bytes());
      metrics.uploaded(name.value(), written.rows(), written.batches(), written.bytes());
      log.info("stored upload {}: {} rows in {} batches", name, written.rows(), written.batches());
      if (!StagedPuts.isPart(name)) {
        afterUpload.accept(name); // a staged shard changes no listing until its put is committed
      }
      ackStream.onCompleted();
    } catch (FlightRuntimeException e) {
      ackStream.onError(failed(span, e));
    } catch (IOException e) {
      // The server's own disk: another server may take the upload.
      log.warn("cannot store the upload on server {}", serverId.get(), e);
      ackStream.onError(
          failed(
              span,
              CallStatus.UNAVAILABLE
                  .withDescription(
                      "cannot store the upload on server "
                          + serverId.get()
                          + ": "
                          + e
                          + "; upload to another server")
                  .withCause(e)
                  .toRuntimeException()));
    } catch (Exception | OutOfMemoryError e) {
      // An OutOfMemoryError here is direct memory running out for this upload, not the heap's end.
      ackStream.onError(
          recorded(
              failed(
                  span,
                  outOfMemory(e)
                      ? CallStatus.RESOURCE_EXHAUSTED
                          .withDescription(
                              "cannot store the upload on server "
                                  + serverId.get()
                                  + ": the server is out of memory for it; retry later")
                          .withCause(e)
                          .toRuntimeException()
                      : GuardedProducer.translate(DoGetStreams.SERVICE, "DoPut", e))));
    } finally {
      if (slot) {
        uploadSlots.release();
      }
      activeUploads.decrementAndGet();
    }
  }

  @Override
  public void listActions(CallContext context, StreamListener<ActionType> listener) {
    ACTIONS.forEach(listener::onNext);
    listener.onCompleted();
  }

  /** commit_put and abort_put, the actions of a parallel put; any other is UNIMPLEMENTED. */
  @Override
  public void doAction(CallContext context, Action action, StreamListener<Result> listener) {
    Span span = Span.current();
    span.setAttribute(FlightAttributes.SERVER_ID, serverId.get());
    try {
      POLICY.checkAction(context, action.getType());
      switch (action.getType()) {
        case ClusterActions.COMMIT_PUT ->
            commitPut(Messages.decode(action.getBody(), CommitPut.class), span);
        case ClusterActions.ABORT_PUT -> {
          AbortPut request = Messages.decode(action.getBody(), AbortPut.class);
          span.setAttribute(FlightAttributes.DATASET, request.name());
          if (stagedPuts.abort(request) > 0) {
            afterUpload.accept(DatasetName.of(request.name()));
          }
        }
        default ->
            // A request this server does not serve, not a malformed one: UNIMPLEMENTED, as for any
            // Flight call.
            throw CallStatus.UNIMPLEMENTED
                .withDescription(
                    "data server "
                        + serverId.get()
                        + " does not serve action '"
                        + action.getType()
                        + "': it serves only "
                        + ClusterActions.COMMIT_PUT
                        + " and "
                        + ClusterActions.ABORT_PUT
                        + "; the cluster's actions ("
                        + COORDINATOR_ACTION_NAMES
                        + ") are served by the coordinator")
                .toRuntimeException();
      }
      listener.onCompleted();
    } catch (FlightRuntimeException e) {
      listener.onError(failed(span, e));
    } catch (IOException e) {
      // The server's own disk: the client aborts the put, and may put it again elsewhere.
      log.warn("cannot {} on server {}", action.getType(), serverId.get(), e);
      listener.onError(
          failed(
              span,
              CallStatus.UNAVAILABLE
                  .withDescription(
                      "cannot " + action.getType() + " on server " + serverId.get() + ": " + e)
                  .withCause(e)
                  .toRuntimeException()));
    }
  }

  private void commitPut(CommitPut request, Span span) throws IOException {
    DatasetName name = DatasetName.of(request.name());
    span.setAttribute(FlightAttributes.DATASET, name.value());
    Dataset existing = store.listing().datasets().get(name);
    stagedPuts.commit(request, Optional.ofNullable(existing).map(Dataset::schema));
    afterUpload.accept(name);
  }

  /**
   * Deletes the staged puts whose commit did not come in time; the server calls it periodically.
   */
  void expireStagedPuts() {
    stagedPuts.expire();
  }

  @Override
  public void doExchange(CallContext context, FlightStream reader, ServerStreamListener writer) {
    throw CallStatus.UNIMPLEMENTED
        .withDescription(
            "data server "
                + serverId.get()
                + " does not serve DoExchange: it serves ListFlights,"
                + " GetFlightInfo, GetSchema, DoGet and DoPut")
        .toRuntimeException();
  }

  private static FlightRuntimeException failed(Span span, FlightRuntimeException failure) {
    Spans.recordFailure(span, failure);
    return failure;
  }

  /** Keeps a failure for the status page; a client's own cancel is no failure of ours. */
  private FlightRuntimeException recorded(FlightRuntimeException e) {
    if (e.status().code() != FlightStatusCode.CANCELLED) {
      stats.failed(e);
    }
    return e;
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
