package dev.flightcluster.server.parquet;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The reader handed to the native Parquet writer: it moves each batch of a borrowed source reader
 * into vectors of its own allocator, converting the columns the writer cannot take as they are
 * ({@link WritableColumns}).
 *
 * <p>Moving (a zero-copy transfer) matters because the native writer releases the batches it was
 * given asynchronously, after {@code DatasetFileWriter.write} has returned
 * (apache/arrow-java#1255). With every exported buffer accounted to one private allocator, {@link
 * ParquetFiles} can wait until that allocator is empty, so no buffer outlives the write and callers
 * can close their allocators.
 *
 * <p>It is also the writer's backpressure. arrow-dataset's writer pulls batches as fast as the
 * reader hands them out and queues what it has not yet encoded (up to 64M rows by default, not
 * settable from Java), so a fast upload used to sit in memory whole: 540 MB for a 460 MB upload,
 * and four at once exhausted the server's direct memory. Before taking the next batch this reader
 * waits until the batches the writer still holds are under {@code inFlightBytes}; the wait reaches
 * the client through gRPC flow control.
 *
 * <p>Closing this reader never closes the source: its owner does.
 */
final class ExportReader extends ArrowReader {
  private final ArrowReader source;
  private final DrainWatcher watcher;
  private final long inFlightBytes;
  private final Duration waitLimit;
  private volatile long rows;
  private volatile long batches;
  private volatile long bytes;

  /**
   * @param allocator receives every batch handed to the writer; {@code watcher} must listen to it
   * @param inFlightBytes how much the writer may hold before the next batch waits
   * @param waitLimit how long one batch may wait for the writer before it is handed over anyway, so
   *     a stuck writer cannot stall an upload for ever
   */
  ExportReader(
      BufferAllocator allocator,
      ArrowReader source,
      DrainWatcher watcher,
      long inFlightBytes,
      Duration waitLimit) {
    super(allocator);
    this.source = requireNonNull(source, "source is null");
    this.watcher = requireNonNull(watcher, "watcher is null");
    if (inFlightBytes < 0) {
      throw new IllegalArgumentException("inFlightBytes must not be negative: " + inFlightBytes);
    }
    this.inFlightBytes = inFlightBytes;
    this.waitLimit = requireNonNull(waitLimit, "waitLimit is null");
  }

  @Override
  protected Schema readSchema() throws IOException {
    Schema sourceSchema = source.getVectorSchemaRoot().getSchema();
    List<Field> fields = new ArrayList<>();
    for (Field field : sourceSchema.getFields()) {
      fields.add(WritableColumns.writable(field, source));
    }
    return new Schema(fields, sourceSchema.getCustomMetadata());
  }

  @Override
  public boolean loadNextBatch() throws IOException {
    VectorSchemaRoot target = getVectorSchemaRoot();
    // The C stream has exported the previous batch, which holds references of its own: dropping
    // ours
    // leaves in the allocator only what the writer holds, or a batch larger than inFlightBytes
    // would
    // wait for itself.
    target.clear();
    awaitWriter();
    if (!source.loadNextBatch()) {
      return false;
    }
    VectorSchemaRoot batch = source.getVectorSchemaRoot();
    for (int i = 0; i < batch.getFieldVectors().size(); i++) {
      WritableColumns.convert(batch.getVector(i), target.getVector(i), source, allocator);
    }
    target.setRowCount(batch.getRowCount());
    rows += batch.getRowCount();
    batches++;
    for (FieldVector vector : target.getFieldVectors()) {
      bytes += vector.getBufferSize();
    }
    return true;
  }

  private void awaitWriter() throws IOException {
    try {
      // Not a deadlock risk: the writer encodes and releases what it holds without waiting for
      // more.
      watcher.awaitAtMost(allocator, inFlightBytes, waitLimit);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while the Parquet writer caught up");
    }
  }

  long rows() {
    return rows;
  }

  long batches() {
    return batches;
  }

  long bytes() {
    return bytes;
  }

  @Override
  public long bytesRead() {
    return 0;
  }

  @Override
  protected void closeReadSource() {
    // The source is borrowed: whoever passed it in closes it.
  }
}
