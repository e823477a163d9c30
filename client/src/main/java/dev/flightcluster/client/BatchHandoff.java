package dev.flightcluster.client;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.arrow.flight.Location;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryProvider;

/**
 * Hands the batches of parallel endpoint readers to the one thread that calls the consumer
 * (decisions D60). A reader offers a batch and waits until the consumer has returned, because the
 * batch is its stream's root and is overwritten by the stream's next message; so no batch is
 * copied, and memory stays bounded by one batch per reader plus what gRPC's flow control lets in.
 * The queue holds at most one event per reader.
 */
final class BatchHandoff {
  /** What a reader tells the consumer thread. */
  sealed interface Event permits Batch, Finished {}

  /**
   * One batch, valid until {@link #reply} is called.
   *
   * @param location where it came from, for the schema check's message
   */
  record Batch(
      VectorSchemaRoot root,
      DictionaryProvider dictionaries,
      Location location,
      CompletableFuture<Boolean> more)
      implements Event {
    void reply(boolean wantMore) {
      more.complete(wantMore);
    }
  }

  /**
   * A reader has no more endpoints to read.
   *
   * @param failure why it stopped early; null when it read its endpoints
   */
  record Finished(Throwable failure) implements Event {}

  private final BlockingQueue<Event> events;

  BatchHandoff(int readers) {
    this.events = new ArrayBlockingQueue<>(readers);
  }

  /**
   * Offers a batch from a reader thread and waits for the consumer.
   *
   * @return whether the consumer wants more
   */
  boolean offer(VectorSchemaRoot root, DictionaryProvider dictionaries, Location location)
      throws InterruptedException {
    requireNonNull(root, "root is null");
    Batch batch = new Batch(root, dictionaries, location, new CompletableFuture<>());
    events.put(batch);
    try {
      return batch.more().get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("a batch reply never fails", e);
    }
  }

  /**
   * Tells the consumer thread that a reader is done; never blocks for long (one slot per reader).
   */
  void finished(Throwable failure) {
    boolean interrupted = false;
    while (true) {
      try {
        events.put(new Finished(failure));
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** The next event, on the consumer thread. */
  Event take() throws InterruptedException {
    return events.take();
  }
}
