package dev.flightcluster.cli.demo;

import static java.util.Objects.requireNonNull;

import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Generates a {@link SampleTable} as an {@link ArrowReader} of bounded batches, so a million rows
 * never sit in memory at once. Deterministic: the same table, row count and batch size give the
 * same batches.
 */
public final class SampleData extends ArrowReader {
  /** Rows per batch unless told otherwise. */
  public static final int DEFAULT_BATCH_ROWS = 65_536;

  private final SampleTable table;
  private final long rows;
  private final int batchRows;
  private final SplittableRandom random;
  private long nextRow;
  private long bytesRead;

  private SampleData(BufferAllocator allocator, SampleTable table, long rows, int batchRows) {
    super(allocator);
    this.table = requireNonNull(table, "table is null");
    if (rows < 0) {
      throw new IllegalArgumentException("rows must not be negative: " + rows);
    }
    if (batchRows <= 0) {
      throw new IllegalArgumentException("batchRows must be positive: " + batchRows);
    }
    this.rows = rows;
    this.batchRows = batchRows;
    this.random = table.random();
  }

  /** A reader of {@code rows} rows of {@code table} in batches of {@code batchRows}. */
  public static SampleData reader(
      BufferAllocator allocator, SampleTable table, long rows, int batchRows) {
    return new SampleData(allocator, table, rows, batchRows);
  }

  @Override
  public boolean loadNextBatch() {
    VectorSchemaRoot root;
    try {
      prepareLoadNextBatch();
      root = getVectorSchemaRoot();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    if (nextRow >= rows) {
      return false;
    }
    int count = (int) Math.min(batchRows, rows - nextRow);
    root.clear();
    root.getFieldVectors().forEach(vector -> vector.setInitialCapacity(count));
    root.allocateNew();
    table.rows().fill(root, nextRow, count, random);
    root.setRowCount(count);
    nextRow += count;
    root.getFieldVectors().forEach(vector -> bytesRead += vector.getBufferSize());
    return true;
  }

  @Override
  public long bytesRead() {
    return bytesRead;
  }

  @Override
  protected void closeReadSource() {}

  @Override
  protected Schema readSchema() {
    return table.schema();
  }
}
