package dev.flightcluster.server.stream;

import dev.flightcluster.protocol.ResumePosition;
import dev.flightcluster.query.RowFilter;
import dev.flightcluster.server.cache.HotCache;
import dev.flightcluster.server.cache.ScanSource;
import dev.flightcluster.server.store.Dataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.arrow.dataset.scanner.ScanOptions;
import org.apache.arrow.memory.BufferAllocator;
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
 * partition values as constant columns (arrow-dataset Java cannot discover partitions).
 *
 * <p>The plan's pushdown runs in the native scan (decisions D79): the scan reads only the projected
 * file columns, in the served order, and keeps only the rows that pass the filter, bound to the
 * file's partition values. A resume position counts the rows of its file that passed the filter;
 * the same filter over the same file passes the same rows in the same order, so counting them again
 * finds the position. The stream ends after the plan's limit of rows, the last batch sliced.
 *
 * <p>A resumed plan starts at its file without opening the files before it; inside that file the
 * scan starts at the file's beginning and the rows already delivered are dropped, whole batches
 * without a copy and the batch the position falls in sliced (arrow-dataset Java 18.3 cannot start a
 * scan at a row group or row). The scanner cuts a file into the same batches every time, so a
 * stream resumed at a token this server issued sends exactly the batches the first stream would
 * have sent next.
 *
 * <p>Each scan is finished with the files' schema as {@link RestoredColumns#scanSchema} has it, so
 * the native scanner casts what it reads to the stored types. The reader holds one batch at a time:
 * the file columns are moved (a zero-copy transfer) from the scanner into this reader's root, and
 * the partition columns are filled into fresh buffers for every batch, the previous batch's
 * released first: with zero-copy sends, gRPC may still be writing them, and it keeps its own
 * reference until it has.
 *
 * <p>Each file is read from its {@link HotCache} copy when it has a current one, through the same
 * scan options: the copy holds every column of the file in the same batches, so the projection and
 * the filter run on it as on the Parquet file and pass the same rows in the same order. A copy that
 * fails to open or to read is given up for the Parquet file at the same row, counted as positions
 * count it: rows that passed the filter (decisions D87).
 */
final class FileSequenceReader extends ArrowReader {
  private final StreamPlan plan;
  private final Projection projection;
  private final Schema fileSchema;
  private final int batchRows;
  private final HotCache cache;
  private final DictionaryProvider dictionaries = new CurrentDictionaries();
  private int next;
  private long skip;
  private long remaining;
  private int opened;
  private FileScan current;
  private ScanOptions currentOptions;
  private String currentPath;
  private long currentRow;
  private List<Object> currentValues = List.of();
  private List<byte[]> currentUtf8 = List.of();

  FileSequenceReader(BufferAllocator allocator, StreamPlan plan, int batchRows, HotCache cache) {
    super(allocator);
    this.plan = plan;
    this.cache = cache;
    this.projection = plan.projection();
    this.fileSchema = RestoredColumns.scanSchema(plan.dataset().fileSchema());
    this.batchRows = batchRows;
    this.skip = plan.skipRows();
    this.remaining = plan.limit();
  }

  @Override
  protected Schema readSchema() {
    return RestoredColumns.scanSchema(projection.served());
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

  /** How many files this reader has opened so far. */
  int filesOpened() {
    return opened;
  }

  @Override
  public boolean loadNextBatch() throws IOException {
    prepareLoadNextBatch();
    VectorSchemaRoot root = getVectorSchemaRoot();
    while (true) {
      if (remaining == 0) {
        // The limit is reached: the scan stops here, its native memory released now.
        closeCurrent();
        return false;
      }
      if (current == null) {
        if (next == plan.files().size()) {
          return false;
        }
        open(next++);
      }
      boolean loaded;
      try {
        loaded = current.reader().loadNextBatch();
      } catch (IOException | RuntimeException e) {
        if (!current.source().cached()) {
          throw e;
        }
        fallBack(e);
        continue;
      }
      if (!loaded) {
        closeCurrent();
        skip = 0; // a position past the rows that passed: only a forged token says so
        continue;
      }
      VectorSchemaRoot batch = current.reader().getVectorSchemaRoot();
      int rows = batch.getRowCount();
      if (skip >= rows) {
        // Delivered before the resume, or no row passed the filter: dropped; the scanner releases
        // it at its next batch.
        skip -= rows;
        currentRow += rows;
        continue;
      }
      int from = (int) skip;
      int sent = (int) Math.min(rows - from, remaining);
      skip = 0;
      List<Projection.Source> sources = projection.sources();
      for (int i = 0; i < sources.size(); i++) {
        Projection.Source source = sources.get(i);
        if (source.isPartition()) {
          int k = source.partitionIndex();
          fill(root.getVector(i), currentValues.get(k), currentUtf8.get(k), sent);
        } else if (from == 0 && sent == rows) {
          batch.getVector(source.scanIndex()).makeTransferPair(root.getVector(i)).transfer();
        } else {
          batch
              .getVector(source.scanIndex())
              .makeTransferPair(root.getVector(i))
              .splitAndTransfer(from, sent);
        }
      }
      root.setRowCount(sent);
      currentRow += from + sent;
      remaining -= sent;
      return true;
    }
  }

  /** Opens the scan of the {@code k}-th file of the plan. */
  private void open(int k) {
    Dataset dataset = plan.dataset();
    int file = plan.files().get(k);
    // Set even when empty: the builder's default is null, which the scan refuses.
    ScanOptions.Builder options =
        new ScanOptions.Builder(batchRows)
            .columns(projection.scanColumns().map(FileSequenceReader::array));
    Optional<RowFilter> filter = plan.filter();
    if (filter.isPresent()) {
      options.substraitFilter(
          filter.get().toSubstrait(fileSchema, StreamPlan.partitionValues(dataset, file)));
    }
    currentOptions = options.build();
    // The cache is asked with the files' full scan schema, whatever the projection: a copy holds
    // every file column, and the options pick the columns and rows from it as from the Parquet.
    current = open(cache.source(dataset.files().get(file), fileSchema), currentOptions);
    opened++;
    currentPath = plan.path(k);
    currentRow = 0;
    currentValues =
        dataset.partitions().isEmpty() ? List.of() : dataset.partitions().values().get(file);
    currentUtf8 = utf8(currentValues);
  }

  /** Opens the scan of a source; a cached copy that cannot be opened gives way to its Parquet. */
  private FileScan open(ScanSource source, ScanOptions options) {
    try {
      return FileScan.open(allocator, source, fileSchema, options);
    } catch (RuntimeException e) {
      if (!source.cached()) {
        throw e;
      }
      source.failed(e);
      return FileScan.open(allocator, ScanSource.parquet(source.parquet()), fileSchema, options);
    }
  }

  /**
   * The cached copy failed mid-file: the Parquet file's scan, with the same options, goes on at the
   * same row, skipping what the copy delivered. Both count the rows that passed the filter, and the
   * same filter passes the same rows of both in the same order, so the skip lands on the same row.
   */
  private void fallBack(Exception failure) throws IOException {
    ScanSource parquet = ScanSource.parquet(current.source().parquet());
    current.source().failed(failure);
    try {
      closeCurrent();
    } catch (IOException | RuntimeException e) {
      failure.addSuppressed(e); // the broken copy's scan; nothing of it is used any more
    }
    skip += currentRow;
    currentRow = 0;
    current = FileScan.open(allocator, parquet, fileSchema, currentOptions);
  }

  private static String[] array(List<String> columns) {
    return columns.toArray(String[]::new);
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
      List<Projection.Source> sources = projection.sources();
      for (int i = 0; i < ours.size(); i++) {
        DictionaryEncoding encoding = ours.get(i).getField().getDictionary();
        if (encoding != null && encoding.getId() == id && !sources.get(i).isPartition()) {
          DictionaryEncoding scanned =
              rootOf(current.reader())
                  .getVector(sources.get(i).scanIndex())
                  .getField()
                  .getDictionary();
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
}
