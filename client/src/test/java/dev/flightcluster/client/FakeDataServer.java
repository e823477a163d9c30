package dev.flightcluster.client;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.DatasetTicket;
import dev.flightcluster.protocol.Descriptors;
import dev.flightcluster.protocol.ResumePosition;
import dev.flightcluster.protocol.ResumeToken;
import dev.flightcluster.protocol.Tickets;
import dev.flightcluster.testing.InMemoryTelemetry;
import io.opentelemetry.context.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.flight.BackpressureStrategy;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A hand-written data server: serves generated datasets by DoGet and keeps what DoPut sends, on
 * 127.0.0.1 with an ephemeral port, traced with its own in-memory telemetry. It owns a root
 * allocator, so closing it fails the test when the server side leaked.
 */
final class FakeDataServer implements AutoCloseable {
  /** How a served dataset's stream ends. */
  enum Ending {
    /** After the batches, completes normally. */
    COMPLETE,
    /** After the batches, fails UNAVAILABLE, as a server that is shutting down does. */
    FAIL,
    /** Never: streams until the client cancels. */
    ENDLESS,
    /**
     * Refuses the stream before any batch with RESOURCE_EXHAUSTED, as a server out of scan memory
     * does.
     */
    BUSY,
    /**
     * After the batches, sends nothing more and never ends the stream, as a stopped server does.
     */
    STALL,
    /** Sends nothing at all, not even the schema, and never ends the stream. */
    SILENT
  }

  /**
   * @param failAfter for {@link Ending#FAIL}: how many batches a stream sends before it fails,
   *     counting those a resumed stream skipped; {@code batches} otherwise
   * @param tokens whether each batch carries a resume token and a ticket's resume position is
   *     honoured
   */
  private record Served(
      int batches, int rowsPerBatch, Ending ending, int failAfter, boolean tokens) {}

  private final String serverId;
  private final InMemoryTelemetry telemetry;
  private final BufferAllocator allocator = new RootAllocator();
  private final Map<String, Served> datasets = new ConcurrentHashMap<>();
  private final Set<String> occupiedNames = ConcurrentHashMap.newKeySet();
  private final Map<String, List<TestData.Row>> uploads = new ConcurrentHashMap<>();
  private final AtomicInteger doGets = new AtomicInteger();
  private final List<ResumePosition> resumes =
      java.util.Collections.synchronizedList(new ArrayList<>());
  private final List<DatasetTicket> tickets =
      java.util.Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger cancelledStreams = new AtomicInteger();
  // Streams run here, not on the gRPC thread: a getStream that blocks its call's thread keeps gRPC
  // from delivering the
  // very ready and cancel callbacks it waits for.
  private final ExecutorService streams = Executors.newCachedThreadPool();
  private final FlightServer server;
  private final Location location;

  private FakeDataServer(String serverId) {
    this.serverId = requireNonNull(serverId, "serverId is null");
    this.telemetry = InMemoryTelemetry.forService(serverId);
    try {
      server =
          telemetry
              .flightTelemetry()
              .instrument(
                  FlightServer.builder(
                      allocator, Location.forGrpcInsecure("127.0.0.1", 0), new Producer()))
              .build()
              .start();
    } catch (IOException e) {
      allocator.close();
      telemetry.close();
      throw new UncheckedIOException(e);
    }
    location = Location.forGrpcInsecure("127.0.0.1", server.getPort());
  }

  static FakeDataServer start(String serverId) {
    return new FakeDataServer(serverId);
  }

  /** Serves {@code name}: {@code batches} batches of {@code rowsPerBatch} rows, ids from 0. */
  FakeDataServer serve(String name, int batches, int rowsPerBatch) {
    return serve(name, batches, rowsPerBatch, Ending.COMPLETE);
  }

  FakeDataServer serve(String name, int batches, int rowsPerBatch, Ending ending) {
    datasets.put(name, new Served(batches, rowsPerBatch, ending, batches, false));
    return this;
  }

  /**
   * Serves {@code name} as a server that sends resume tokens: each batch carries the position after
   * it (file {@code name}, row), and a ticket with a resume position starts right after it.
   *
   * @param failAfter the stream fails UNAVAILABLE once it has reached this batch; {@code batches}
   *     for a stream that completes
   */
  FakeDataServer serveResumable(String name, int batches, int rowsPerBatch, int failAfter) {
    Ending ending = failAfter < batches ? Ending.FAIL : Ending.COMPLETE;
    datasets.put(name, new Served(batches, rowsPerBatch, ending, failAfter, true));
    return this;
  }

  /** The tickets of the DoGets received, in order. */
  List<DatasetTicket> tickets() {
    return List.copyOf(tickets);
  }

  /** The resume positions of the DoGets received, in order; null for a DoGet from the start. */
  List<ResumePosition> resumePositions() {
    return List.copyOf(resumes);
  }

  /** Makes DoPut of {@code name} fail ALREADY_EXISTS, as for a dataset already on disk. */
  FakeDataServer occupy(String name) {
    occupiedNames.add(name);
    return this;
  }

  /** This server's FlightInfo for a dataset it serves: one endpoint, at this server. */
  FlightInfo info(String name) {
    Served served = requireNonNull(datasets.get(name), name);
    DatasetName dataset = DatasetName.of(name);
    return new FlightInfo(
        TestData.SCHEMA,
        Descriptors.of(dataset),
        List.of(new FlightEndpoint(Tickets.of(dataset), location)),
        -1,
        served.ending() == Ending.ENDLESS ? -1 : (long) served.batches() * served.rowsPerBatch());
  }

  String serverId() {
    return serverId;
  }

  Location location() {
    return location;
  }

  InMemoryTelemetry telemetry() {
    return telemetry;
  }

  /** DoGet calls received. */
  int doGets() {
    return doGets.get();
  }

  /** DoGet streams that ended because the client cancelled them. */
  int cancelledStreams() {
    return cancelledStreams.get();
  }

  /** The rows a completed DoPut stored under {@code name}, or null. */
  List<TestData.Row> uploaded(String name) {
    return uploads.get(name);
  }

  @Override
  public void close() throws Exception {
    try {
      server.close();
      streams.shutdown();
      if (!streams.awaitTermination(10, TimeUnit.SECONDS)) {
        streams.shutdownNow();
      }
    } finally {
      try {
        allocator.close();
      } finally {
        telemetry.close();
      }
    }
  }

  private final class Producer extends NoOpFlightProducer {
    @Override
    public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
      doGets.incrementAndGet();
      DatasetTicket request = Tickets.decode(ticket);
      resumes.add(request.resume());
      tickets.add(request);
      String name = request.dataset().value();
      Served served = datasets.get(name);
      if (served == null) {
        listener.error(
            CallStatus.NOT_FOUND
                .withDescription("dataset '" + name + "' is not on " + serverId)
                .toRuntimeException());
        return;
      }
      if (served.ending() == Ending.BUSY) {
        listener.error(
            CallStatus.RESOURCE_EXHAUSTED
                .withDescription(
                    serverId + " has no room for another scan; read from another replica")
                .toRuntimeException());
        return;
      }
      if (served.ending() == Ending.SILENT) {
        listener.setOnCancelHandler(cancelledStreams::incrementAndGet);
        return;
      }
      BackpressureStrategy.CallbackBackpressureStrategy backpressure =
          new BackpressureStrategy.CallbackBackpressureStrategy();
      backpressure.register(listener);
      int first =
          served.tokens() && request.resume() != null
              ? (int) (request.resume().row() / served.rowsPerBatch())
              : 0;
      streams.execute(
          Context.current().wrap(() -> stream(name, served, first, listener, backpressure)));
    }

    private void stream(
        String name,
        Served served,
        int first,
        ServerStreamListener listener,
        BackpressureStrategy.CallbackBackpressureStrategy backpressure) {
      try (VectorSchemaRoot root = VectorSchemaRoot.create(TestData.SCHEMA, allocator)) {
        listener.start(root);
        int last = served.ending() == Ending.FAIL ? served.failAfter() : served.batches();
        for (int b = first; served.ending() == Ending.ENDLESS || b < last; b++) {
          // Wait for the client to want more: an endless stream then ends only by cancellation.
          if (listener.isCancelled()
              || backpressure.waitForListener(0) != BackpressureStrategy.WaitResult.READY) {
            cancelledStreams.incrementAndGet();
            return;
          }
          TestData.fill(root, (long) b * served.rowsPerBatch(), served.rowsPerBatch());
          if (served.tokens()) {
            byte[] token =
                new ResumeToken(
                        DatasetName.of(name),
                        new ResumePosition(name, (long) (b + 1) * served.rowsPerBatch()))
                    .toAppMetadata();
            ArrowBuf metadata = allocator.buffer(token.length);
            metadata.writeBytes(token);
            listener.putNext(metadata);
          } else {
            listener.putNext();
          }
        }
        if (served.ending() == Ending.STALL) {
          // Leave the call open with nothing more to send; only the client's cancel ends it.
          listener.setOnCancelHandler(cancelledStreams::incrementAndGet);
          return;
        }
        if (served.ending() == Ending.FAIL) {
          listener.error(
              CallStatus.UNAVAILABLE
                  .withDescription(serverId + " is shutting down")
                  .toRuntimeException());
        } else {
          listener.completed();
        }
      }
    }

    @Override
    public Runnable acceptPut(
        CallContext context, FlightStream flightStream, StreamListener<PutResult> ackStream) {
      return () -> {
        String name = Descriptors.datasetName(flightStream.getDescriptor()).value();
        if (occupiedNames.contains(name)
            || datasets.containsKey(name)
            || uploads.containsKey(name)) {
          ackStream.onError(
              CallStatus.ALREADY_EXISTS
                  .withDescription("dataset '" + name + "' already exists on " + serverId)
                  .toRuntimeException());
          return;
        }
        List<TestData.Row> rows = new ArrayList<>();
        while (flightStream.next()) {
          rows.addAll(TestData.rows(flightStream.getRoot(), flightStream.getDictionaryProvider()));
        }
        uploads.put(name, rows);
        ackStream.onCompleted();
      };
    }
  }
}
