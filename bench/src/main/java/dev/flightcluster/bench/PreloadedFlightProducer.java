package dev.flightcluster.bench;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
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
 * UTF-8 dataset name and the descriptor is PATH [name]. It keeps no other state.
 */
public final class PreloadedFlightProducer extends NoOpFlightProducer {
  private final BufferAllocator allocator;
  private final PreloadedDataset dataset;
  private final String name;
  private final byte[] ticket;
  private final long streamTimeoutMillis;
  private final boolean zeroCopy;

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
    backpressure.register(listener);
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
