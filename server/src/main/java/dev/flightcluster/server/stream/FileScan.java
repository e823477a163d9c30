package dev.flightcluster.server.stream;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.server.cache.ScanSource;
import dev.flightcluster.server.parquet.ParquetPieces;
import java.nio.file.Path;
import org.apache.arrow.dataset.file.FileFormat;
import org.apache.arrow.dataset.file.FileSystemDatasetFactory;
import org.apache.arrow.dataset.jni.NativeMemoryPool;
import org.apache.arrow.dataset.scanner.ScanOptions;
import org.apache.arrow.dataset.scanner.Scanner;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.util.AutoCloseables;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The scan of one file: the one place a stream opens a file. It reads a {@link ScanSource}: a hot
 * cache copy in Arrow IPC in one native scan, or a Parquet file in row-group pieces ({@link
 * ParquetPieces}, decisions D89), so that a slow reader of a large file never holds the whole
 * file's column chunks. The same options apply either way: the native scan applies their projection
 * and filter itself, so rows and columns the stream does not send never reach Java. It owns its
 * source: closing it releases the scanner, its native memory and the source (so the cache may
 * delete a copy that left it); batches already moved out of {@link #reader()} keep their own
 * references.
 */
final class FileScan implements AutoCloseable {
  private final ScanSource source;
  private final ParquetPieces.Scan scan;

  private FileScan(ScanSource source, ParquetPieces.Scan scan) {
    this.source = source;
    this.scan = scan;
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
    try {
      requireNonNull(allocator, "allocator is null");
      requireNonNull(schema, "schema is null");
      requireNonNull(options, "options is null");
      ParquetPieces.Scan scan =
          source.cached()
              ? NativeScan.open(allocator, source.file(), source.format(), schema, options)
              : ParquetPieces.open(
                  allocator,
                  source.file(),
                  ParquetPieces.DEFAULT_PIECE_BYTES,
                  piece -> NativeScan.open(allocator, piece, FileFormat.PARQUET, schema, options));
      return new FileScan(source, scan);
    } catch (RuntimeException e) {
      AutoCloseables.close(e, source);
      throw e;
    }
  }

  /** What this scan reads. */
  ScanSource source() {
    return source;
  }

  /** The scan's batches, one at a time; valid until this scan is closed. */
  ArrowReader reader() {
    return scan.reader();
  }

  @Override
  public void close() throws Exception {
    AutoCloseables.close(scan, source);
  }

  /** One native arrow-dataset scan of one file (a whole file, a cache copy or a piece). */
  private record NativeScan(
      FileSystemDatasetFactory factory,
      org.apache.arrow.dataset.source.Dataset dataset,
      Scanner scanner,
      ArrowReader reader)
      implements ParquetPieces.Scan {
    static NativeScan open(
        BufferAllocator allocator,
        Path file,
        FileFormat format,
        Schema schema,
        ScanOptions options) {
      FileSystemDatasetFactory factory =
          new FileSystemDatasetFactory(
              allocator, NativeMemoryPool.getDefault(), format, file.toUri().toString());
      org.apache.arrow.dataset.source.Dataset dataset = null;
      Scanner scanner = null;
      try {
        dataset = factory.finish(schema);
        scanner = dataset.newScan(options);
        return new NativeScan(factory, dataset, scanner, scanner.scanBatches());
      } catch (RuntimeException e) {
        AutoCloseables.close(e, scanner, dataset, factory);
        throw e;
      }
    }

    @Override
    public void close() throws Exception {
      AutoCloseables.close(reader, scanner, dataset, factory);
    }
  }
}
