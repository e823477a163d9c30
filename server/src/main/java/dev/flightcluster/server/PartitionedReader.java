package dev.flightcluster.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.dataset.file.FileSystemDatasetFactory;
import org.apache.arrow.dataset.scanner.ScanOptions;
import org.apache.arrow.dataset.scanner.Scanner;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.util.AutoCloseables;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads a hive-partitioned dataset with its partition columns: arrow-dataset Java cannot discover
 * partitions, so the files are scanned one after the other, in the dataset's file order, and every
 * batch of a file gets its partition values appended as constant columns.
 *
 * <p>The reader holds one batch at a time. The file columns are moved (a zero-copy transfer) from the
 * native scanner into this reader's root. The partition columns are filled into fresh buffers for
 * every batch, and the previous batch's are released first: with zero-copy sends, gRPC may still be
 * writing them, and it keeps its own reference until it has.
 */
final class PartitionedReader extends ArrowReader {
  private final Dataset dataset;
  private final Schema fileSchema;
  private final int batchRows;
  private int nextFile;
  private FileScan current;
  private List<Object> currentValues = List.of();
  private List<byte[]> currentUtf8 = List.of();

  PartitionedReader(BufferAllocator allocator, Dataset dataset, int batchRows) {
    super(allocator);
    if (dataset.partitions().isEmpty()) {
      throw new IllegalArgumentException("dataset " + dataset.name() + " has no partitions");
    }
    this.dataset = dataset;
    this.fileSchema = RestoredColumns.scanSchema(dataset.fileSchema());
    this.batchRows = batchRows;
  }

  @Override
  protected Schema readSchema() {
    return RestoredColumns.scanSchema(dataset.schema());
  }

  @Override
  public boolean loadNextBatch() throws IOException {
    prepareLoadNextBatch();
    VectorSchemaRoot root = getVectorSchemaRoot();
    while (true) {
      if (current == null) {
        if (nextFile == dataset.files().size()) {
          return false;
        }
        current = FileScan.open(allocator, dataset.files().get(nextFile).path(), fileSchema, batchRows);
        currentValues = dataset.partitions().values().get(nextFile);
        currentUtf8 = utf8(currentValues);
        nextFile++;
      }
      if (current.reader.loadNextBatch()) {
        VectorSchemaRoot batch = current.reader.getVectorSchemaRoot();
        int rows = batch.getRowCount();
        int columns = fileSchema.getFields().size();
        for (int i = 0; i < columns; i++) {
          batch.getVector(i).makeTransferPair(root.getVector(i)).transfer();
        }
        for (int k = 0; k < currentValues.size(); k++) {
          fill(root.getVector(columns + k), currentValues.get(k), currentUtf8.get(k), rows);
        }
        root.setRowCount(rows);
        return true;
      }
      closeCurrent();
    }
  }

  /** The UTF-8 bytes of the string values, null for the others. */
  private static List<byte[]> utf8(List<Object> values) {
    List<byte[]> encoded = new ArrayList<>(values.size());
    for (Object value : values) {
      encoded.add(value instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : null);
    }
    return encoded;
  }

  /** Fills a partition column with {@code rows} copies of one value, into fresh buffers. */
  private static void fill(FieldVector vector, Object value, byte[] utf8, int rows) {
    vector.clear(); // the previous batch's buffers: gRPC holds its own reference while it sends them
    if (vector instanceof BigIntVector longs) {
      longs.allocateNew(rows);
      if (value != null) {
        long v = (Long) value;
        for (int i = 0; i < rows; i++) {
          longs.set(i, v);
        }
      }
    } else {
      VarCharVector strings = (VarCharVector) vector;
      strings.allocateNew(utf8 == null ? 0 : (long) utf8.length * rows, rows);
      if (utf8 != null) {
        for (int i = 0; i < rows; i++) {
          strings.set(i, utf8);
        }
      }
    }
    vector.setValueCount(rows); // unset slots are null
  }

  private void closeCurrent() throws IOException {
    FileScan scan = current;
    current = null;
    if (scan != null) {
      try {
        scan.close();
      } catch (IOException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IOException(e);
      }
    }
  }

  @Override
  public long bytesRead() {
    return 0;
  }

  @Override
  protected void closeReadSource() throws IOException {
    closeCurrent();
  }

  /** The native scan of one file, with the file columns of the served schema. */
  private record FileScan(
      FileSystemDatasetFactory factory,
      org.apache.arrow.dataset.source.Dataset dataset,
      Scanner scanner,
      ArrowReader reader) implements AutoCloseable {
    static FileScan open(BufferAllocator allocator, Path file, Schema schema, int batchRows)
        throws IOException {
      FileSystemDatasetFactory factory = DatasetStore.factory(allocator, List.of(file));
      org.apache.arrow.dataset.source.Dataset dataset = null;
      Scanner scanner = null;
      try {
        dataset = factory.finish(schema);
        scanner = dataset.newScan(new ScanOptions(batchRows));
        return new FileScan(factory, dataset, scanner, scanner.scanBatches());
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
