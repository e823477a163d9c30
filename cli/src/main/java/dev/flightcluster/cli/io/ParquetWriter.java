package dev.flightcluster.cli.io;

import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;

/**
 * Writes everything an {@link ArrowReader} yields to one Parquet file. The CLI passes the data
 * server's {@code ParquetFiles::write}, so files the CLI writes are byte-for-byte what a server
 * would write; tests pass arrow-dataset's writer.
 */
@FunctionalInterface
public interface ParquetWriter {
  /** Writes all batches of {@code source} to {@code target}, atomically. */
  void write(BufferAllocator allocator, ArrowReader source, Path target) throws Exception;
}
