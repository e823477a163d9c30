package dev.flightcluster.cli.io;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

/** Writes batches to an Arrow IPC file through a temp file beside the target. */
final class ArrowFileSink implements BatchSink {
  private final BufferAllocator allocator;
  private final Path target;
  private Path temp;
  private FileChannel channel;
  private VectorSchemaRoot root;
  private ArrowFileWriter writer;
  private long rows;
  private boolean finished;

  ArrowFileSink(BufferAllocator allocator, Path target) {
    this.allocator = requireNonNull(allocator, "allocator is null");
    this.target = requireNonNull(target, "target is null");
  }

  @Override
  public void write(VectorSchemaRoot batch) throws IOException {
    open(batch.getSchema());
    // Zero-copy: the batch's buffers are shared into our root for the write, then released.
    try (ArrowRecordBatch recordBatch = new VectorUnloader(batch).getRecordBatch()) {
      new VectorLoader(root).load(recordBatch);
      writer.writeBatch();
    } finally {
      root.clear();
    }
    rows += batch.getRowCount();
  }

  @Override
  public void finish(Schema schemaIfEmpty) throws IOException {
    open(schemaIfEmpty);
    writer.end();
    channel.force(true);
    writer.close(); // closes the channel too
    writer = null;
    TempFiles.moveIntoPlace(temp, target);
    finished = true;
  }

  @Override
  public long rows() {
    return rows;
  }

  private void open(Schema schema) throws IOException {
    if (writer != null) {
      return;
    }
    temp = TempFiles.besides(target);
    channel =
        FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    root = VectorSchemaRoot.create(schema, allocator);
    writer = new ArrowFileWriter(root, null, channel);
    writer.start();
  }

  @Override
  public void close() throws IOException {
    try {
      if (writer != null) {
        writer.close();
      }
      if (channel != null) {
        channel.close();
      }
    } finally {
      if (root != null) {
        root.close();
      }
      if (!finished && temp != null) {
        Files.deleteIfExists(temp);
      }
    }
  }
}
