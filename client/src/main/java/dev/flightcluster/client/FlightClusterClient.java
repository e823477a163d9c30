package dev.flightcluster.client;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.auth.ClientCredentials;
import dev.flightcluster.otel.FlightTelemetry;
import dev.flightcluster.protocol.ClusterActions;
import dev.flightcluster.protocol.ClusterStatus;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.Descriptors;
import dev.flightcluster.protocol.Messages;
import dev.flightcluster.protocol.Pushdown;
import dev.flightcluster.protocol.QueryCommand;
import dev.flightcluster.security.TlsSettings;
import io.opentelemetry.api.trace.Tracer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.CallOptions;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Result;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The client of an arrow-flight-cluster: lists and describes datasets through the coordinator,
 * reads them from the data servers that hold them, with failover between replicas, and uploads new
 * ones to the server the coordinator chooses.
 *
 * <pre>{@code
 * try (FlightClusterClient client =
 *     FlightClusterClient.builder(allocator, telemetry, Location.forGrpcInsecure("localhost", 8888)).build()) {
 *   for (FlightInfo info : client.list("")) {
 *     GetResult result = client.get(info, BatchConsumer.of(batch -> System.out.println(batch.getRowCount())));
 *   }
 * }
 * }</pre>
 *
 * <p><b>Ownership.</b> The caller owns the {@link BufferAllocator} and must close it after this
 * client. The client takes a child allocator from it for everything it receives, and owns its
 * connections: one traced Flight client per location (the coordinator's and each data server's),
 * opened on first use, shared by concurrent calls, and all closed by {@link #close}.
 *
 * <p><b>Threads.</b> Thread-safe: any number of threads may call any method at once. Each {@code
 * get} and {@code put} calls its consumer and progress callbacks on its caller's thread; a {@code
 * get} of several endpoints reads them on threads of its own, started and ended within the call.
 *
 * <p><b>Errors.</b> Calls fail with {@link FlightRuntimeException}, keeping the Flight status of
 * the server that failed (NOT_FOUND, ALREADY_EXISTS, INVALID_ARGUMENT, ...); a server that cannot
 * be reached is UNAVAILABLE with a description naming it.
 *
 * <p><b>Stalled peers.</b> No wait is unbounded: a connection must be made within the connect
 * timeout, a stream must deliver its next message within the progress timeout, and a connection
 * with calls open is pinged (gRPC keepalive) after 10 s of silence and given up when the ping is
 * not answered within 5 s. Each counts as UNAVAILABLE, so the call moves to the next coordinator or
 * replica. A peer that failed is tried after the others for a while.
 *
 * <p><b>Tracing.</b> Spans are recorded with the {@link FlightTelemetry} given to the builder and
 * are children of the span current in the calling thread, so a caller can group several calls under
 * one span of its own. The gRPC spans of every call, and through W3C trace context the servers'
 * spans, join the same trace.
 */
public final class FlightClusterClient implements AutoCloseable {
  private final BufferAllocator allocator;
  private final Connections connections;
  private final Tracer tracer;
  private final Coordinators coordinators;
  private final FailedPeers failedPeers;
  private final ProgressWatchdog watchdog;
  private final Duration callTimeout;
  private final int parallelism;

  FlightClusterClient(
      BufferAllocator parentAllocator,
      FlightTelemetry telemetry,
      List<Location> coordinators,
      Duration callTimeout,
      Duration connectTimeout,
      Duration progressTimeout,
      FailedPeers failedPeers,
      int parallelism,
      Optional<ClientCredentials> credentials,
      TlsSettings tls) {
    this.parallelism = parallelism;
    this.callTimeout = requireNonNull(callTimeout, "callTimeout is null");
    this.failedPeers = requireNonNull(failedPeers, "failedPeers is null");
    this.tracer = telemetry.tracer();
    this.allocator = parentAllocator.newChildAllocator("flight-cluster-client", 0, Long.MAX_VALUE);
    this.connections = new Connections(allocator, telemetry, connectTimeout, credentials, tls);
    this.coordinators = new Coordinators(coordinators, connections, failedPeers, credentials);
    this.watchdog = new ProgressWatchdog(progressTimeout);
  }

  /**
   * A builder for a client of the cluster whose coordinator is at {@code coordinator}.
   *
   * @param allocator where received data is allocated from; the caller keeps ownership and closes
   *     it after the client
   * @param telemetry records the client's spans and traces its gRPC channels
   * @param coordinator the coordinator's location, e.g. {@code grpc://localhost:8888}
   */
  public static FlightClusterClientBuilder builder(
      BufferAllocator allocator, FlightTelemetry telemetry, Location coordinator) {
    return builder(
        allocator, telemetry, List.of(requireNonNull(coordinator, "coordinator is null")));
  }

  /**
   * A builder for a client of a cluster with several coordinators. Each call goes to the first of
   * them that answers; one that cannot be reached, or is not ready, is tried after the others for a
   * while ({@link FlightClusterClientBuilder#failedPeerSkip}).
   *
   * @param coordinators the coordinators' locations, in the order to try them; at least one
   * @throws IllegalArgumentException when {@code coordinators} is empty
   */
  public static FlightClusterClientBuilder builder(
      BufferAllocator allocator, FlightTelemetry telemetry, List<Location> coordinators) {
    return new FlightClusterClientBuilder(allocator, telemetry, coordinators);
  }

  /** The coordinators this client asks, in the order given to the builder. */
  public List<Location> coordinators() {
    return coordinators.all();
  }

  /**
   * The datasets whose names start with {@code prefix}, as the coordinator describes them.
   *
   * @param prefix a name prefix, sent as the UTF-8 bytes of the ListFlights criteria; empty for
   *     every dataset
   */
  public List<FlightInfo> list(String prefix) {
    requireNonNull(prefix, "prefix is null");
    Criteria criteria =
        prefix.isEmpty() ? Criteria.ALL : new Criteria(prefix.getBytes(StandardCharsets.UTF_8));
    return atCoordinator(
        client -> {
          List<FlightInfo> infos = new ArrayList<>();
          client.listFlights(criteria, timeout()).forEach(infos::add);
          return infos;
        });
  }

  /**
   * The first answering coordinator's view of the cluster (its status page's data): servers,
   * datasets, conflicts, throughput. Answered during the warm-up too, saying so.
   */
  public ClusterStatus status() {
    return atCoordinator(
        client -> {
          Iterator<Result> results =
              client.doAction(new Action(ClusterActions.CLUSTER_STATUS), timeout());
          if (!results.hasNext()) {
            throw CallStatus.INTERNAL
                .withDescription("the coordinator answered cluster_status with no result")
                .toRuntimeException();
          }
          ClusterStatus status = Messages.decode(results.next().getBody(), ClusterStatus.class);
          results.forEachRemaining(extra -> {});
          return status;
        });
  }

  /**
   * Describes one dataset: schema, size, and the endpoints to read it from, each listing every live
   * replica.
   *
   * @throws FlightRuntimeException NOT_FOUND when the cluster has no such dataset, INVALID_ARGUMENT
   *     when {@code name} is not a valid dataset name
   */
  public FlightInfo info(String name) {
    DatasetName dataset = DatasetName.of(requireNonNull(name, "name is null"));
    return atCoordinator(client -> client.getInfo(Descriptors.of(dataset), timeout()));
  }

  /**
   * Describes the part of one dataset that {@code pushdown} asks for: the projected schema, and
   * endpoints whose tickets carry the columns, filter and limit to the data servers, which send
   * only the rows and columns asked for. Shards whose partition values cannot match the filter are
   * left out. {@link #get} reads it, stopping after the limit. Without a pushdown this is {@link
   * #info(String)}.
   *
   * @throws FlightRuntimeException NOT_FOUND when the cluster has no such dataset, INVALID_ARGUMENT
   *     for an invalid name, an unknown column, or a filter that does not parse against the
   *     dataset's schema (the message says where)
   */
  public FlightInfo info(String name, Pushdown pushdown) {
    DatasetName dataset = DatasetName.of(requireNonNull(name, "name is null"));
    requireNonNull(pushdown, "pushdown is null");
    FlightDescriptor descriptor =
        pushdown.isNone()
            ? Descriptors.of(dataset)
            : QueryCommand.of(dataset, pushdown).toDescriptor();
    return atCoordinator(client -> client.getInfo(descriptor, timeout()));
  }

  /**
   * The schema of one dataset.
   *
   * @throws FlightRuntimeException NOT_FOUND when the cluster has no such dataset, INVALID_ARGUMENT
   *     when {@code name} is not a valid dataset name
   */
  public Schema schema(String name) {
    DatasetName dataset = DatasetName.of(requireNonNull(name, "name is null"));
    return atCoordinator(
        client -> client.getSchema(Descriptors.of(dataset), timeout()).getSchema());
  }

  /** {@link #get(FlightInfo, BatchConsumer, ProgressListener)} without progress reports. */
  public GetResult get(FlightInfo info, BatchConsumer consumer) {
    return get(info, consumer, ProgressListener.none());
  }

  /**
   * Reads a dataset: every endpoint of {@code info}, up to {@link
   * FlightClusterClientBuilder#parallelism} of them at once, each batch handed to {@code consumer}
   * as it arrives. Batches of one endpoint arrive in order; those of different endpoints interleave
   * (a FlightInfo with {@code ordered = false} promises no order between them). The consumer is
   * only ever called on this thread, one batch at a time. Memory stays bounded whatever the
   * dataset's size: each endpoint being read holds one batch until the consumer returns, and gRPC
   * flow control keeps only a few more in flight.
   *
   * <p><b>Failover and resume.</b> The locations of an endpoint are replicas, tried in the order
   * given (the coordinator lists the least loaded first; a location that failed recently goes
   * last). When one is UNAVAILABLE (server down, connection refused or reset, no connection within
   * the connect timeout, no message within the progress timeout) or RESOURCE_EXHAUSTED (busy), the
   * next is tried. When that happens after batches of the endpoint reached the consumer, the next
   * location resumes the stream right after the last batch delivered, from the resume token the
   * server sent with it (decisions D61): no row is delivered twice and none is missed. When every
   * location fails, the call fails UNAVAILABLE, naming each location tried and why. Other statuses,
   * such as NOT_FOUND, propagate at once, and cancel the other endpoints' streams.
   *
   * <p><b>Stopping early.</b> When the consumer returns false, the stream is cancelled, its buffers
   * are released, and the result says {@code complete() == false}.
   *
   * <p><b>Limit.</b> An {@code info} planned with a limit ({@link #info(String, Pushdown)}) is read
   * until that many rows in total reached the consumer; the batch crossing it is cut, the other
   * streams are cancelled, and the result is complete.
   *
   * <p><b>Spans.</b> {@code get_single_flight} (flight.dataset, totals), child of the current span,
   * with per endpoint and location tried a {@code connect} and a {@code do_get} (num_rows,
   * flight.rows, flight.batches, flight.bytes, flight.endpoint.index; on a resumed stream
   * flight.resume.file and flight.resume.row) that parents the DoGet's gRPC span.
   *
   * @param info as returned by {@link #info} or {@link #list}; endpoints without locations are read
   *     from the coordinators, as the Flight spec says
   * @param progress told the totals so far after every batch
   */
  public GetResult get(FlightInfo info, BatchConsumer consumer, ProgressListener progress) {
    return new GetOperation(
            connections,
            tracer,
            coordinators,
            failedPeers,
            watchdog,
            info,
            consumer,
            progress,
            parallelism)
        .run();
  }

  /** {@link #put(String, ArrowReader, ProgressListener)} without progress reports. */
  public PutResult put(String name, ArrowReader source) throws IOException {
    return put(name, source, ProgressListener.none());
  }

  /**
   * Uploads a dataset: asks the coordinator which data server should take it (choose_server), then
   * streams {@code source} there with DoPut, batch by batch, and waits until the server has stored
   * it. Only a batch or two is in memory at a time.
   *
   * <p>{@code source} is read to its end but not closed: the caller owns it. Its dictionaries, if
   * it has dictionary-encoded columns, are sent once when the stream starts; a source that replaces
   * or extends them between batches is not supported by Flight's DoPut.
   *
   * <p>Span {@code put} (flight.dataset, server.id, flight.rows, flight.batches, flight.bytes),
   * child of the current span, parenting the gRPC spans of both calls.
   *
   * @param name the dataset name to store it under, e.g. {@code sales.parquet}
   * @throws FlightRuntimeException with the status of the server that refused: ALREADY_EXISTS when
   *     the name is taken, INVALID_ARGUMENT for a bad name, UNAVAILABLE when the coordinator has no
   *     live server or a server cannot be reached
   * @throws IOException when reading {@code source} fails; the upload is then cancelled
   */
  public PutResult put(String name, ArrowReader source, ProgressListener progress)
      throws IOException {
    DatasetName dataset = DatasetName.of(requireNonNull(name, "name is null"));
    return new PutOperation(connections, tracer, coordinators, timeout(), dataset, source, progress)
        .run();
  }

  /**
   * Writes a dataset in parallel over the cluster (D63, D66): asks a coordinator for a write plan
   * (plan_put), cuts {@code source} into shards of about {@code options.shardBytes()} of Arrow data
   * as it reads it (never holding more than a few batches), streams several shards at once, each to
   * its {@code options.replicas()} servers, and, once every copy is acknowledged, commits the put
   * at each of those servers. The dataset, a folder of part files, becomes visible at the
   * coordinators only when every part is committed; a failed or cancelled put is aborted at every
   * server, so nothing of it is listed.
   *
   * <p>{@code source} is read to its end but not closed: the caller owns it.
   *
   * <p>Span {@code put_dataset} (flight.dataset, put.id, put.shards, flight.rows, flight.batches,
   * flight.bytes), child of the current span, parenting the gRPC spans of every call.
   *
   * @param name the folder dataset to create, or to append to with {@code options.append()}
   * @throws FlightRuntimeException ALREADY_EXISTS when the name is taken (and no append), NOT_FOUND
   *     when appending to a name that does not exist, INVALID_ARGUMENT for a bad name or an append
   *     whose schema differs, RESOURCE_EXHAUSTED when fewer servers are live than replicas asked
   *     for, UNAVAILABLE naming the server when one fails during the put
   * @throws IOException when reading {@code source} fails; the put is then aborted
   */
  public ParallelPutResult putDataset(
      String name, ArrowReader source, ParallelPutOptions options, ProgressListener progress)
      throws IOException {
    DatasetName dataset = DatasetName.of(requireNonNull(name, "name is null"));
    return new ParallelPutOperation(
            connections, tracer, coordinators, timeout(), dataset, source, options, progress)
        .run();
  }

  /**
   * Closes every connection, then releases the client's child allocator, which fails with {@link
   * IllegalStateException} if data received by this client is still held (a buffer a consumer
   * transferred away and did not release). Idempotent. Calls made afterwards fail with {@link
   * IllegalStateException}.
   */
  @Override
  public void close() {
    try {
      watchdog.close();
      connections.close();
    } finally {
      allocator.close();
    }
  }

  private <T> T atCoordinator(Function<FlightClient, T> call) {
    return coordinators.call(call);
  }

  private CallOption timeout() {
    return CallOptions.timeout(callTimeout.toNanos(), TimeUnit.NANOSECONDS);
  }
}
