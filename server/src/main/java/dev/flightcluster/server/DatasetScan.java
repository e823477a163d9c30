package dev.flightcluster.server;

import org.apache.arrow.dataset.file.FileSystemDatasetFactory;
import org.apache.arrow.dataset.scanner.ScanOptions;
import org.apache.arrow.dataset.scanner.Scanner;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.util.AutoCloseables;
import org.apache.arrow.vector.ipc.ArrowReader;

/**
 * A streaming scan of one dataset through arrow-dataset: the native scanner reads at most {@code
 * batchRows} rows per batch into the reader's root, one batch at a time.
 *
 * <p>The dataset is finished with the served schema (as {@link RestoredColumns#scanSchema} has it),
 * so the native scanner casts what it reads to the stored types; a dictionary-encoded column that
 * the store serves plain is decoded by it (decisions D38).
 *
 * <p>A dataset with hive partition columns is read by a {@link PartitionedReader} instead, file by
 * file, because the native scanner cannot tell which file a batch came from.
 */
final class DatasetScan implements AutoCloseable {
  private final FileSystemDatasetFactory factory;
  private final org.apache.arrow.dataset.source.Dataset dataset;
  private final Scanner scanner;
  private final ArrowReader reader;

  private DatasetScan(ArrowReader reader) {
    this(null, null, null, reader);
  }

  private DatasetScan(
      FileSystemDatasetFactory factory,
      org.apache.arrow.dataset.source.Dataset dataset,
      Scanner scanner,
      ArrowReader reader) {
    this.factory = factory;
    this.dataset = dataset;
    this.scanner = scanner;
    this.reader = reader;
  }

  static DatasetScan open(BufferAllocator allocator, Dataset served, int batchRows) throws Exception {
    if (!served.partitions().isEmpty()) {
      return new DatasetScan(new PartitionedReader(allocator, served, batchRows));
    }
    FileSystemDatasetFactory factory = DatasetStore.factory(allocator, served.paths());
    org.apache.arrow.dataset.source.Dataset dataset = null;
    Scanner scanner = null;
    try {
      dataset = factory.finish(RestoredColumns.scanSchema(served.schema()));
      scanner = dataset.newScan(new ScanOptions(batchRows));
      return new DatasetScan(factory, dataset, scanner, scanner.scanBatches());
    } catch (Exception e) {
      AutoCloseables.close(e, scanner, dataset, factory);
      throw e;
    }
  }

  ArrowReader reader() {
    return reader;
  }

  @Override
  public void close() throws Exception {
    AutoCloseables.close(reader, scanner, dataset, factory);
  }
}
