package dev.flightcluster.cli.io;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Writes batches to Parquet: a {@link ParquetWriter} pulls them, on a thread of its own, from a
 * {@link BatchHandoffReader} that this sink pushes into. The writer is atomic, so an aborted sink
 * leaves no file behind.
 */
final class ParquetSink implements BatchSink {
  private final BufferAllocator allocator;
  private final Path target;
  private final ParquetWriter writer;
  private BatchHandoffReader reader;
  private Thread thread;
  private volatile Throwable failure;
  private long rows;
  private boolean finished;

  ParquetSink(BufferAllocator allocator, Path target, ParquetWriter writer) {
    this.allocator = requireNonNull(allocator, "allocator is null");
    this.target = requireNonNull(target, "target is null");
    this.writer = requireNonNull(writer, "writer is null");
  }

  @Override
  public void write(VectorSchemaRoot batch) throws IOException {
    start(batch.getSchema());
    try {
      reader.put(batch);
    } catch (IOException e) {
      // The writer gave up; its reason is the one worth reporting.
      awaitWriter();
      throw writerFailure(e);
    }
    rows += batch.getRowCount();
  }

  @Override
  public void finish(Schema schemaIfEmpty) throws IOException {
    start(schemaIfEmpty);
    try {
      reader.end();
    } catch (IOException e) {
      awaitWriter();
      throw writerFailure(e);
    }
    awaitWriter();
    if (failure != null) {
      throw writerFailure(null);
    }
    finished = true;
  }

  @Override
  public long rows() {
    return rows;
  }

  private void start(Schema schema) {
    if (reader != null) {
      return;
    }
    reader = new BatchHandoffReader(allocator, schema);
    thread =
        new Thread(
            () -> {
              try (BatchHandoffReader source = reader) {
                writer.write(allocator, source, target);
              } catch (Throwable t) {
                failure = t;
              }
            },
            "parquet-writer");
    thread.setDaemon(true);
    thread.start();
  }

  private void awaitWriter() throws IOException {
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the Parquet writer");
    }
  }

  private IOException writerFailure(IOException fallback) {
    Throwable cause = failure == null ? fallback : failure;
    if (cause instanceof IOException io) {
      return io;
    }
    return new IOException("writing " + target + " failed: " + cause, cause);
  }

  @Override
  public void close() throws IOException {
    if (thread == null || finished) {
      return;
    }
    reader.fail(new IOException("the download was abandoned"));
    awaitWriter();
  }
}
