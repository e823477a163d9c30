package dev.flightcluster.server.stream;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.server.cache.ScanSource;
import org.apache.arrow.dataset.file.FileSystemDatasetFactory;
import org.apache.arrow.dataset.jni.NativeMemoryPool;
import org.apache.arrow.dataset.scanner.ScanOptions;
import org.apache.arrow.dataset.scanner.Scanner;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.util.AutoCloseables;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The native scan of one file: the one place a stream opens a file, so that another source of the
 * same rows (a piece of a large file) plugs in here. It reads a {@link ScanSource}: the Parquet
 * file or its hot cache copy in Arrow IPC, with the same options either way. The scan applies the
 * options' projection and filter itself, so rows and columns the stream does not send never reach
 * Java. It owns its source: closing it releases the scanner, its native memory and the source (so
 * the cache may delete a copy that left it); batches already moved out of {@link #reader()} keep
 * their own references.
 */
final class FileScan implements AutoCloseable {
  private final ScanSource source;
  private final FileSystemDatasetFactory factory;
  private final org.apache.arrow.dataset.source.Dataset dataset;
  private final Scanner scanner;
  private final ArrowReader reader;

  private FileScan(
      ScanSource source,
      FileSystemDatasetFactory factory,
      org.apache.arrow.dataset.source.Dataset dataset,
      Scanner scanner,
      ArrowReader reader) {
    this.source = source;
    this.factory = factory;
    this.dataset = dataset;
    this.scanner = scanner;
    this.reader = reader;
  }

  /**
   * Opens the scan of {@code source}, which it owns from now on, also when opening fails.
   *
   * @param schema the file's columns as the scan reads them (see {@link
   *     RestoredColumns#scanSchema}): the native scanner casts what it reads to these types, and a
   *     Substrait filter's field references index into it
   * @param options the batch size, the columns to read (in the order the batches hold them) and the
   *     filter
   */
  static FileScan open(
      BufferAllocator allocator, ScanSource source, Schema schema, ScanOptions options) {
    requireNonNull(source, "source is null");
    FileSystemDatasetFactory factory = null;
    org.apache.arrow.dataset.source.Dataset dataset = null;
    Scanner scanner = null;
    try {
      requireNonNull(allocator, "allocator is null");
      requireNonNull(schema, "schema is null");
      requireNonNull(options, "options is null");
      factory =
          new FileSystemDatasetFactory(
              allocator,
              NativeMemoryPool.getDefault(),
              source.format(),
              source.file().toUri().toString());
      dataset = factory.finish(schema);
      scanner = dataset.newScan(options);
      return new FileScan(source, factory, dataset, scanner, scanner.scanBatches());
    } catch (RuntimeException e) {
      AutoCloseables.close(e, scanner, dataset, factory, source);
      throw e;
    }
  }

  /** What this scan reads. */
  ScanSource source() {
    return source;
  }

  /** The scan's batches, one at a time; valid until this scan is closed. */
  ArrowReader reader() {
    return reader;
  }

  @Override
  public void close() throws Exception {
    AutoCloseables.close(reader, scanner, dataset, factory, source);
  }
}
