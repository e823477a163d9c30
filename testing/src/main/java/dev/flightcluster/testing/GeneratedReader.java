package dev.flightcluster.testing;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An {@link ArrowReader} over rows that a function computes batch by batch, so a test can stream a
 * table of any size while only one batch is ever in memory. The caller owns the reader and closes
 * it.
 */
public final class GeneratedReader extends ArrowReader {
  /**
   * Writes rows {@code firstRow .. firstRow + count - 1} into {@code root} and sets its row count.
   */
  @FunctionalInterface
  public interface BatchFiller {
    void fill(VectorSchemaRoot root, long firstRow, int count);
  }

  private final Schema schema;
  private final long rows;
  private final int batchRows;
  private final BatchFiller filler;
  private long next;

  public GeneratedReader(
      BufferAllocator allocator, Schema schema, long rows, int batchRows, BatchFiller filler) {
    super(requireNonNull(allocator, "allocator is null"));
    this.schema = requireNonNull(schema, "schema is null");
    this.filler = requireNonNull(filler, "filler is null");
    if (rows < 0) {
      throw new IllegalArgumentException("rows is negative: " + rows);
    }
    if (batchRows <= 0) {
      throw new IllegalArgumentException("batchRows must be positive: " + batchRows);
    }
    this.rows = rows;
    this.batchRows = batchRows;
  }

  @Override
  public boolean loadNextBatch() throws IOException {
    if (next >= rows) {
      return false;
    }
    int count = (int) Math.min(batchRows, rows - next);
    filler.fill(getVectorSchemaRoot(), next, count);
    next += count;
    return true;
  }

  @Override
  public long bytesRead() {
    return 0;
  }

  @Override
  protected void closeReadSource() {}

  @Override
  protected Schema readSchema() {
    return schema;
  }
}
