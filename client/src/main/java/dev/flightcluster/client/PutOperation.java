package dev.flightcluster.client;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.otel.FlightAttributes;
import dev.flightcluster.otel.Spans;
import dev.flightcluster.otel.TracedFlightClient;
import dev.flightcluster.protocol.ChooseServer;
import dev.flightcluster.protocol.ClusterActions;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.Descriptors;
import dev.flightcluster.protocol.Locations;
import dev.flightcluster.protocol.Messages;
import dev.flightcluster.protocol.ServerChoice;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.locks.LockSupport;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.AsyncPutListener;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightClient.ClientStreamListener;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Result;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;

/**
 * One {@link FlightClusterClient#put}: asks the coordinator where the dataset should go, then
 * streams the reader there batch by batch. Used once, by one thread.
 *
 * <p>Span: {@code put}, current throughout, so the gRPC CLIENT spans of choose_server (DoAction)
 * and of the DoPut hang below it.
 */
final class PutOperation {
  private static final long READY_POLL_NANOS = 20_000;

  private final Connections connections;
  private final Tracer tracer;
  private final Coordinators coordinators;
  private final CallOption callTimeout;
  private final DatasetName dataset;
  private final ArrowReader source;
  private final ProgressListener progress;

  private long rows;
  private long batches;
  private long bytes;

  PutOperation(
      Connections connections,
      Tracer tracer,
      Coordinators coordinators,
      CallOption callTimeout,
      DatasetName dataset,
      ArrowReader source,
      ProgressListener progress) {
    this.connections = requireNonNull(connections, "connections is null");
    this.tracer = requireNonNull(tracer, "tracer is null");
    this.coordinators = requireNonNull(coordinators, "coordinators is null");
    this.callTimeout = requireNonNull(callTimeout, "callTimeout is null");
    this.dataset = requireNonNull(dataset, "dataset is null");
    this.source = requireNonNull(source, "source is null");
    this.progress = requireNonNull(progress, "progress is null");
  }

  PutResult run() throws IOException {
    long start = System.nanoTime();
    Span span =
        tracer
            .spanBuilder("put")
            .setAttribute(FlightAttributes.DATASET, dataset.value())
            .startSpan();
    try (Scope ignored = span.makeCurrent()) {
      ServerChoice choice = chooseServer();
      Location location = serverLocation(choice);
      span.setAttribute(FlightAttributes.SERVER_ID, choice.serverId());
      span.setAllAttributes(ClientAttributes.of(location));
      try {
        upload(connections.connect(location).client(), choice);
      } catch (FlightRuntimeException e) {
        throw Failures.withContext(
            e,
            "data server '"
                + choice.serverId()
                + "' at "
                + location.getUri()
                + ", chosen by the coordinator for '"
                + dataset
                + "'",
            location);
      }
      setTotals(span);
      return new PutResult(
          choice.serverId(),
          location,
          rows,
          batches,
          bytes,
          Duration.ofNanos(System.nanoTime() - start));
    } catch (IOException | RuntimeException | Error e) {
      setTotals(span);
      Spans.recordFailure(span, e);
      throw e;
    } finally {
      span.end();
    }
  }

  /**
   * Asks a coordinator where the dataset should go. choose_server only picks a server, so asking
   * the next coordinator when one cannot answer is safe.
   */
  private ServerChoice chooseServer() {
    Action action =
        new Action(
            ClusterActions.CHOOSE_SERVER, Messages.encode(new ChooseServer(dataset.value())));
    Reply reply =
        coordinators.call(
            (client, location) -> {
              Iterator<Result> results = client.doAction(action, callTimeout);
              if (!results.hasNext()) {
                return new Reply(null, location);
              }
              byte[] body = results.next().getBody();
              // Read to the end so the call completes instead of lingering until its deadline.
              results.forEachRemaining(r -> {});
              return new Reply(body, location);
            });
    String coordinator = "the coordinator at " + reply.coordinator().getUri();
    if (reply.body() == null) {
      throw CallStatus.INTERNAL
          .withDescription(coordinator + " answered choose_server with no result")
          .toRuntimeException();
    }
    try {
      return Messages.decode(reply.body(), ServerChoice.class);
    } catch (FlightRuntimeException e) {
      // Messages reports INVALID_ARGUMENT, right for a server reading a request, wrong here: the
      // caller did nothing wrong.
      throw CallStatus.INTERNAL
          .withDescription(
              coordinator + " sent a malformed choose_server reply: " + e.status().description())
          .withCause(e)
          .toRuntimeException();
    }
  }

  /** A choose_server reply and which coordinator sent it, for messages. */
  private record Reply(byte[] body, Location coordinator) {}

  private Location serverLocation(ServerChoice choice) {
    try {
      return Locations.parse(choice.location());
    } catch (FlightRuntimeException e) {
      throw CallStatus.INTERNAL
          .withDescription(
              "the coordinator chose data server '"
                  + choice.serverId()
                  + "' with an unusable location: "
                  + e.status().description())
          .withCause(e)
          .toRuntimeException();
    }
  }

  private void upload(TracedFlightClient client, ServerChoice choice) throws IOException {
    VectorSchemaRoot root = source.getVectorSchemaRoot();
    // Flight sends the dictionaries once, when the stream starts, and a stream reader fills them
    // only while loading the first batch: load it before starting.
    boolean loaded = source.loadNextBatch();
    AsyncPutListener acknowledgements = new AsyncPutListener();
    ClientStreamListener stream =
        client.flightClient().startPut(Descriptors.of(dataset), root, source, acknowledgements);
    try {
      // isCancelled: the server has ended the call (rejected it, typically); stop sending.
      while (loaded && !acknowledgements.isCancelled()) {
        awaitReady(stream, acknowledgements);
        stream.putNext();
        rows += root.getRowCount();
        batches++;
        bytes += Batches.bufferBytes(root);
        progress.onProgress(rows, bytes);
        loaded = source.loadNextBatch();
      }
    } catch (IOException | RuntimeException | Error e) {
      abort(stream, acknowledgements, e);
      throw e;
    }
    stream.completed();
    acknowledgements.getResult(); // the server's verdict: ALREADY_EXISTS, INVALID_ARGUMENT, ...
    if (loaded) {
      throw CallStatus.INTERNAL
          .withDescription(
              "data server '"
                  + choice.serverId()
                  + "' ended the upload of '"
                  + dataset
                  + "' after "
                  + batches
                  + " batches, before the source was exhausted")
          .toRuntimeException();
    }
  }

  /**
   * Waits until gRPC can take another batch, so at most a batch or two is in memory. Flight's own
   * wait inside {@code putNext} is a busy loop, and on a small machine a client spinning there
   * takes the core the server needs to encode what it received (bench/NOTES.md, optimisation 1).
   * Flight offers no readiness callback once a put has started, so this polls with short sleeps:
   * well under the time gRPC takes to drain one batch.
   */
  private static void awaitReady(ClientStreamListener stream, AsyncPutListener acknowledgements) {
    while (!stream.isReady() && !acknowledgements.isCancelled()) {
      LockSupport.parkNanos(READY_POLL_NANOS);
      if (Thread.currentThread().isInterrupted()) {
        throw CallStatus.CANCELLED
            .withDescription("interrupted while uploading")
            .toRuntimeException();
      }
    }
  }

  /**
   * Cancels the DoPut and waits until gRPC has closed it, so no buffer of the caller's reader is
   * still queued for sending when the caller goes on to close the reader.
   */
  private static void abort(
      ClientStreamListener stream, AsyncPutListener acknowledgements, Throwable failure) {
    try {
      stream.error(failure);
      acknowledgements.getResult();
    } catch (FlightRuntimeException expected) {
      // The call ends as cancelled; the failure that made us cancel is what the caller needs.
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  private void setTotals(Span span) {
    span.setAttribute(FlightAttributes.ROWS, rows);
    span.setAttribute(FlightAttributes.BATCHES, batches);
    span.setAttribute(FlightAttributes.BYTES, bytes);
  }
}
