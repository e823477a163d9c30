package dev.flightcluster.bench;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.flight.BackpressureStrategy;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;

/**
 * The "library limit" producer: it streams a {@link PreloadedDataset} on DoGet and drains and
 * discards whatever arrives on DoPut. With no storage and no decoding in the way, what it measures
 * is the cost of Arrow Flight Java and gRPC alone, the ceiling for the cluster's data server.
 *
 * <p>It speaks the cluster's addressing so that the same clients measure both: the ticket is the
 * UTF-8 dataset name and the descriptor is PATH [name].
 *
 * <p>DoGet streams from a thread of its own, not from the thread that calls {@link #getStream}:
 * Arrow Flight Java calls getStream on the gRPC call's serialized executor, which is also the only
 * way gRPC's onReady notification reaches a {@link BackpressureStrategy}. A getStream that waits
 * for readiness on that thread therefore waits for a notification it is itself holding back, and
 * stalls until its timeout as soon as the transport's window fills once (seen with 10M rows).
 */
public final class PreloadedFlightProducer extends NoOpFlightProducer implements AutoCloseable {
  /** More concurrent DoGets than this are refused (RESOURCE_EXHAUSTED) rather than queued. */
  public static final int MAX_STREAMS = 64;

  private final BufferAllocator allocator;
  private final PreloadedDataset dataset;
  private final String name;
  private final byte[] ticket;
  private final long streamTimeoutMillis;
  private final boolean zeroCopy;
  private final ExecutorService streams;

  /**
   * Serves {@code dataset} under {@code name}.
   *
   * @param allocator parent of every per-call allocator; must share a root with the dataset's
   * @param streamTimeoutMillis how long a DoGet waits for a client that stopped reading before it
   *     gives up, so that a stalled client cannot pin a stream (and its buffers) for ever
   * @param zeroCopy whether to hand Arrow buffers to gRPC without copying them (see
   *     OutboundStreamListener#setUseZeroCopy)
   */
  public PreloadedFlightProducer(
      BufferAllocator allocator,
      PreloadedDataset dataset,
      String name,
      long streamTimeoutMillis,
      boolean zeroCopy) {
    this.allocator = requireNonNull(allocator, "allocator is null");
    this.dataset = requireNonNull(dataset, "dataset is null");
    this.name = requireNonNull(name, "name is null");
    this.ticket = name.getBytes(StandardCharsets.UTF_8);
    if (streamTimeoutMillis <= 0) {
      throw new IllegalArgumentException("streamTimeoutMillis must be positive");
    }
    this.streamTimeoutMillis = streamTimeoutMillis;
    this.zeroCopy = zeroCopy;
    AtomicInteger threads = new AtomicInteger();
    this.streams =
        new ThreadPoolExecutor(
            0,
            MAX_STREAMS,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            runnable -> {
              Thread thread = new Thread(runnable, "doget-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
  }

  @Override
  public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
    if (!Arrays.equals(this.ticket, ticket.getBytes())) {
      listener.error(
          CallStatus.NOT_FOUND
              .withDescription("this server holds only '" + name + "'")
              .toRuntimeException());
      return;
    }
    BackpressureStrategy backpressure = new BackpressureStrategy.CallbackBackpressureStrategy();
    // Registered here, before getStream returns: gRPC may deliver onReady as soon as it does.
    backpressure.register(listener);
    try {
      streams.execute(() -> stream(listener, backpressure));
    } catch (RejectedExecutionException e) {
      listener.error(
          CallStatus.RESOURCE_EXHAUSTED
              .withDescription("more than " + MAX_STREAMS + " concurrent streams")
              .toRuntimeException());
    }
  }

  private void stream(ServerStreamListener listener, BackpressureStrategy backpressure) {
    try (BufferAllocator callAllocator = allocator.newChildAllocator("doget", 0, Long.MAX_VALUE);
        VectorSchemaRoot root = VectorSchemaRoot.create(dataset.schema(), callAllocator)) {
      VectorLoader loader = new VectorLoader(root);
      listener.setUseZeroCopy(zeroCopy);
      listener.start(root, dataset.dictionaries());
      for (ArrowRecordBatch batch : dataset.batches()) {
        BackpressureStrategy.WaitResult ready = backpressure.waitForListener(streamTimeoutMillis);
        if (ready == BackpressureStrategy.WaitResult.CANCELLED) {
          return;
        }
        if (ready != BackpressureStrategy.WaitResult.READY) {
          listener.error(
              CallStatus.TIMED_OUT
                  .withDescription("client did not read for " + streamTimeoutMillis + " ms")
                  .toRuntimeException());
          return;
        }
        loader.load(batch);
        listener.putNext();
      }
      listener.completed();
    } catch (RuntimeException e) {
      listener.error(e);
    }
  }

  @Override
  public Runnable acceptPut(
      CallContext context, FlightStream flightStream, StreamListener<PutResult> ackStream) {
    // Draining is the whole job: the DoPut baseline measures receiving and decoding, not storage.
    return () -> {
      try {
        while (flightStream.next()) {
          // Nothing to keep: next() already received and loaded the batch.
        }
        ackStream.onCompleted();
      } catch (RuntimeException e) {
        ackStream.onError(e);
      }
    };
  }

  @Override
  public FlightInfo getFlightInfo(CallContext context, FlightDescriptor descriptor) {
    if (!isOurs(descriptor)) {
      throw CallStatus.NOT_FOUND
          .withDescription("this server holds only '" + name + "'")
          .toRuntimeException();
    }
    return info();
  }

  @Override
  public void listFlights(
      CallContext context, Criteria criteria, StreamListener<FlightInfo> listener) {
    listener.onNext(info());
    listener.onCompleted();
  }

  /**
   * Stops the stream threads; streams still running are interrupted, which their backpressure wait
   * reports as a cancellation. Close the server first, then this, then the dataset.
   */
  @Override
  public void close() {
    streams.shutdownNow();
    try {
      if (!streams.awaitTermination(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("DoGet streams still running 30 s after close");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean isOurs(FlightDescriptor descriptor) {
    return descriptor.isCommand() ? false : descriptor.getPath().equals(List.of(name));
  }

  private FlightInfo info() {
    // No location in the endpoint: by the Flight spec the ticket is then redeemed at this server.
    return FlightInfo.builder(
            dataset.schema(),
            FlightDescriptor.path(name),
            List.of(new FlightEndpoint(new Ticket(ticket))))
        .setRecords(dataset.rows())
        .setBytes(dataset.arrowBytes())
        .build();
  }
}
