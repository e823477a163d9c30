package dev.flightcluster.server.stream;

import dev.flightcluster.protocol.ResumePosition;
import dev.flightcluster.server.cache.HotCache;
import dev.flightcluster.server.cache.ScanSource;
import dev.flightcluster.server.parquet.ParquetPieces;
import dev.flightcluster.server.store.Dataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.arrow.dataset.file.FileFormat;
import org.apache.arrow.dataset.file.FileSystemDatasetFactory;
import org.apache.arrow.dataset.jni.NativeMemoryPool;
import org.apache.arrow.dataset.scanner.ScanOptions;
import org.apache.arrow.dataset.scanner.Scanner;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.util.AutoCloseables;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads the files of a {@link StreamPlan} one after the other, in the plan's order, through one
 * arrow-dataset scan per file, so every batch is known to come from one file at one row offset:
 * what its resume token says (decisions D54). A batch of a hive-partitioned dataset gets its file's
 * partition values appended as constant columns (arrow-dataset Java cannot discover partitions).
 *
 * <p>A resumed plan starts at its file without opening the files before it; inside that file the
 * scan starts at the file's beginning and the rows already delivered are dropped, whole batches
 * without a copy and the batch the position falls in sliced (arrow-dataset Java 18.3 cannot start a
 * scan at a row group or row). The scanner cuts a file into the same batches every time, so a
 * stream resumed at a token this server issued sends exactly the batches the first stream would
 * have sent next.
 *
 * <p>Each scan is finished with the served schema (as {@link RestoredColumns#scanSchema} has it),
 * so the native scanner casts what it reads to the stored types. The reader holds one batch at a
 * time: the file columns are moved (a zero-copy transfer) from the scanner into this reader's root,
 * and the partition columns are filled into fresh buffers for every batch, the previous batch's
 * released first: with zero-copy sends, gRPC may still be writing them, and it keeps its own
 * reference until it has.
 *
 * <p>Each file is read from its {@link HotCache} copy when it has a current one: the same batches
 * through the same scan options. A copy that fails to open or to read is given up for the Parquet
 * file at the same row (decisions D87).
 */
final class FileSequenceReader extends ArrowReader {
  private final StreamPlan plan;
  private final Schema fileSchema;
  private final int batchRows;
  private final HotCache cache;
  private final DictionaryProvider dictionaries = new CurrentDictionaries();
  private int next;
  private long skip;
  private FileScan current;
  private String currentPath;
  private long currentRow;
  private List<Object> currentValues = List.of();
  private List<byte[]> currentUtf8 = List.of();

  FileSequenceReader(BufferAllocator allocator, StreamPlan plan, int batchRows, HotCache cache) {
    super(allocator);
    this.plan = plan;
    this.cache = cache;
    this.fileSchema = RestoredColumns.scanSchema(plan.dataset().fileSchema());
    this.batchRows = batchRows;
    this.next = plan.first();
    this.skip = plan.skipRows();
  }

  @Override
  protected Schema readSchema() {
    return RestoredColumns.scanSchema(plan.dataset().schema());
  }

  /**
   * The dictionaries of the current batch: its file scan's, valid until the next batch. Only a
   * dataset of one file keeps dictionary columns (decisions D38).
   */
  DictionaryProvider dictionaries() {
    return dictionaries;
  }

  /** The position right after the batch loaded last: its file, and that file's rows sent so far. */
  ResumePosition position() {
    if (currentPath == null) {
      throw new IllegalStateException("no batch loaded yet");
    }
    return new ResumePosition(currentPath, currentRow);
  }

  @Override
  public boolean loadNextBatch() throws IOException {
    prepareLoadNextBatch();
    VectorSchemaRoot root = getVectorSchemaRoot();
    Dataset dataset = plan.dataset();
    while (true) {
      if (current == null) {
        if (next == plan.files().size()) {
          return false;
        }
        int file = plan.files().get(next);
        current = open(cache.source(dataset.files().get(file), fileSchema));
        currentPath = plan.path(next);
        currentRow = 0;
        currentValues =
            dataset.partitions().isEmpty() ? List.of() : dataset.partitions().values().get(file);
        currentUtf8 = utf8(currentValues);
        next++;
      }
      boolean loaded;
      try {
        loaded = current.reader().loadNextBatch();
      } catch (IOException | RuntimeException e) {
        if (!current.source.cached()) {
          throw e;
        }
        fallBack(e);
        continue;
      }
      if (!loaded) {
        closeCurrent();
        continue;
      }
      VectorSchemaRoot batch = current.reader().getVectorSchemaRoot();
      int rows = batch.getRowCount();
      if (skip >= rows) {
        // Delivered before the resume: dropped; the scanner releases it at its next batch.
        skip -= rows;
        currentRow += rows;
        continue;
      }
      int from = (int) skip;
      int sent = rows - from;
      skip = 0;
      int columns = fileSchema.getFields().size();
      for (int i = 0; i < columns; i++) {
        if (from == 0) {
          batch.getVector(i).makeTransferPair(root.getVector(i)).transfer();
        } else {
          batch.getVector(i).makeTransferPair(root.getVector(i)).splitAndTransfer(from, sent);
        }
      }
      for (int k = 0; k < currentValues.size(); k++) {
        fill(root.getVector(columns + k), currentValues.get(k), currentUtf8.get(k), sent);
      }
      root.setRowCount(sent);
      currentRow += rows;
      return true;
    }
  }

  /** Opens the scan of a source; a cached copy that cannot be opened gives way to its Parquet. */
  private FileScan open(ScanSource source) {
    try {
      return FileScan.open(allocator, source, fileSchema, batchRows);
    } catch (RuntimeException e) {
      if (!source.cached()) {
        throw e;
      }
      source.failed(e);
      return FileScan.open(allocator, ScanSource.parquet(source.parquet()), fileSchema, batchRows);
    }
  }

  /**
   * The cached copy failed mid-file: the Parquet file's scan goes on at the same row, skipping what
   * the copy delivered (the rows of the file are the same in both).
   */
  private void fallBack(Exception failure) throws IOException {
    ScanSource parquet = ScanSource.parquet(current.source.parquet());
    current.source.failed(failure);
    try {
      closeCurrent();
    } catch (IOException | RuntimeException e) {
      failure.addSuppressed(e); // the broken copy's scan; nothing of it is used any more
    }
    skip += currentRow;
    currentRow = 0;
    current = FileScan.open(allocator, parquet, fileSchema, batchRows);
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
    vector
        .clear(); // the previous batch's buffers: gRPC holds its own reference while it sends them
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

  /**
   * The current file scan's dictionaries, under this reader's ids: the scan numbers its
   * dictionaries itself, so a column's dictionary is found by the column.
   */
  private final class CurrentDictionaries implements DictionaryProvider {
    @Override
    public Dictionary lookup(long id) {
      if (current == null) {
        return null;
      }
      List<FieldVector> ours = getVectorSchemaRootUnchecked().getFieldVectors();
      for (int i = 0; i < ours.size() && i < fileSchema.getFields().size(); i++) {
        DictionaryEncoding encoding = ours.get(i).getField().getDictionary();
        if (encoding != null && encoding.getId() == id) {
          DictionaryEncoding scanned =
              rootOf(current.reader()).getVector(i).getField().getDictionary();
          return scanned == null ? null : current.reader().lookup(scanned.getId());
        }
      }
      return null;
    }

    @Override
    public Set<Long> getDictionaryIds() {
      Set<Long> ids = new HashSet<>();
      for (FieldVector vector : getVectorSchemaRootUnchecked().getFieldVectors()) {
        if (vector.getField().getDictionary() != null) {
          ids.add(vector.getField().getDictionary().getId());
        }
      }
      return ids;
    }
  }

  private VectorSchemaRoot getVectorSchemaRootUnchecked() {
    return rootOf(this);
  }

  private static VectorSchemaRoot rootOf(ArrowReader reader) {
    try {
      return reader.getVectorSchemaRoot();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The scan of one file, with the file columns of the served schema: a cached copy in one native
   * scan, a Parquet file in row-group pieces ({@link ParquetPieces}, decisions D89).
   */
  private record FileScan(ScanSource source, ParquetPieces.Scan scan) implements AutoCloseable {
    static FileScan open(
        BufferAllocator allocator, ScanSource source, Schema schema, int batchRows) {
      try {
        ParquetPieces.Scan scan =
            source.cached()
                ? NativeScan.open(allocator, source.file(), source.format(), schema, batchRows)
                : ParquetPieces.open(
                    allocator,
                    source.file(),
                    ParquetPieces.DEFAULT_PIECE_BYTES,
                    piece ->
                        NativeScan.open(allocator, piece, FileFormat.PARQUET, schema, batchRows));
        return new FileScan(source, scan);
      } catch (RuntimeException e) {
        source.close();
        throw e;
      }
    }

    ArrowReader reader() {
      return scan.reader();
    }

    @Override
    public void close() throws Exception {
      AutoCloseables.close(scan, source);
    }
  }

  /** One native arrow-dataset scan of one file. */
  private record NativeScan(
      FileSystemDatasetFactory factory,
      org.apache.arrow.dataset.source.Dataset dataset,
      Scanner scanner,
      ArrowReader reader)
      implements ParquetPieces.Scan {
    static NativeScan open(
        BufferAllocator allocator, Path file, FileFormat format, Schema schema, int batchRows) {
      FileSystemDatasetFactory factory =
          new FileSystemDatasetFactory(
              allocator, NativeMemoryPool.getDefault(), format, file.toUri().toString());
      org.apache.arrow.dataset.source.Dataset dataset = null;
      Scanner scanner = null;
      try {
        dataset = factory.finish(schema);
        scanner = dataset.newScan(new ScanOptions(batchRows));
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
