package dev.flightcluster.cli.io;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Turns pushed batches into a pulled {@link ArrowReader}: a Flight stream pushes batches as they
 * arrive, while a Parquet writer pulls from a reader. The producer thread {@link #put}s batches,
 * the consumer thread (the writer) reads them; at most {@value #CAPACITY} batches wait in between,
 * so memory stays bounded whichever side is slower.
 *
 * <p>Batches are handed over without copying: {@link #put} takes a reference to the batch's
 * buffers, and the reader's root takes them over when loading. The producer's and this reader's
 * allocators must share a root allocator.
 */
final class BatchHandoffReader extends ArrowReader {
  static final int CAPACITY = 2;
  private static final long POLL_MILLIS = 100;

  private sealed interface Item {}

  private record Batch(ArrowRecordBatch batch) implements Item {}

  private record End() implements Item {}

  private record Failure(Throwable cause) implements Item {}

  private final Schema schema;
  private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(CAPACITY);
  private volatile boolean consumerClosed;
  private long bytesRead;

  BatchHandoffReader(BufferAllocator allocator, Schema schema) {
    super(allocator);
    this.schema = requireNonNull(schema, "schema is null");
  }

  /**
   * Hands one batch over, waiting while the consumer is {@value #CAPACITY} batches behind.
   *
   * @throws IOException when the consumer has stopped reading (it failed or was closed)
   */
  void put(VectorSchemaRoot root) throws IOException {
    ArrowRecordBatch batch = new VectorUnloader(root).getRecordBatch();
    try {
      offer(new Batch(batch));
    } catch (IOException | RuntimeException e) {
      batch.close();
      throw e;
    }
  }

  /** Ends the stream: the consumer's next read returns false. */
  void end() throws IOException {
    offer(new End());
  }

  /** Ends the stream with a failure, which the consumer's next read throws. Never blocks. */
  void fail(Throwable cause) {
    Failure failure = new Failure(requireNonNull(cause, "cause is null"));
    while (!queue.offer(failure) && !consumerClosed) {
      // Make room: the batches before a failure will not be written anyway.
      if (queue.poll() instanceof Batch(ArrowRecordBatch dropped)) {
        dropped.close();
      }
    }
  }

  private void offer(Item item) throws IOException {
    try {
      while (!queue.offer(item, POLL_MILLIS, TimeUnit.MILLISECONDS)) {
        if (consumerClosed) {
          throw new IOException("the writer stopped reading before the stream ended");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while handing a batch to the writer");
    }
    if (consumerClosed) {
      drain();
      throw new IOException("the writer stopped reading before the stream ended");
    }
  }

  @Override
  public boolean loadNextBatch() throws IOException {
    prepareLoadNextBatch();
    Item item;
    try {
      item = queue.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the next batch");
    }
    return switch (item) {
      case Batch(ArrowRecordBatch batch) -> {
        bytesRead += batch.computeBodyLength();
        loadRecordBatch(batch);
        yield true;
      }
      case End end -> {
        queue.offer(end); // later reads see the end again
        yield false;
      }
      case Failure(Throwable cause) -> {
        queue.offer(item);
        throw new IOException("the stream failed: " + cause.getMessage(), cause);
      }
    };
  }

  @Override
  public long bytesRead() {
    return bytesRead;
  }

  @Override
  protected void closeReadSource() {
    consumerClosed = true;
    drain();
  }

  @Override
  protected Schema readSchema() {
    return schema;
  }

  private void drain() {
    for (Item item = queue.poll(); item != null; item = queue.poll()) {
      if (item instanceof Batch(ArrowRecordBatch batch)) {
        batch.close();
      }
    }
  }
}
