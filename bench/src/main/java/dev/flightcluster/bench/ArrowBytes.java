package dev.flightcluster.bench;

import static java.util.Objects.requireNonNull;

import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseLargeVariableWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Counts the "Arrow bytes" of a record batch, the unit every throughput figure of the bench is
 * given in (bench/NOTES.md, "Method").
 *
 * <p>The count is logical, not physical: it is what the values need in the Arrow format, not what
 * happens to be allocated. Allocations differ between Java and C++ (Java always allocates a
 * validity buffer and rounds capacities up; C++ may omit the validity buffer of a column without
 * nulls), so counting allocations would make the Java and the Python client disagree about the same
 * stream. This class and {@code arrow_bytes()} in bench/py/flightbench.py implement the same rule,
 * and the harness checks that both report the byte count the data generator computed:
 *
 * <ul>
 *   <li>fixed width: rows x byte width (booleans: one bit a row, rounded up to a byte); a
 *       dictionary-encoded column counts its indices, the dictionary itself is not counted (it is
 *       sent once a stream and is tiny for the low-cardinality columns it is meant for);
 *   <li>variable width: (rows + 1) offsets + the value bytes the offsets span;
 *   <li>plus a validity bitmap (rows / 8, rounded up) only when the batch has nulls in the column.
 * </ul>
 *
 * Other layouts (nested, views, unions) fall back to {@link FieldVector#getBufferSize()}; the bench
 * datasets do not use them.
 */
public final class ArrowBytes {
  private ArrowBytes() {}

  /** The Arrow bytes of the batch currently loaded in {@code root}. */
  public static long of(VectorSchemaRoot root) {
    requireNonNull(root, "root is null");
    long total = 0;
    for (FieldVector vector : root.getFieldVectors()) {
      total += of(vector);
    }
    return total;
  }

  /** The Arrow bytes of one column, as loaded. */
  public static long of(FieldVector vector) {
    requireNonNull(vector, "vector is null");
    long rows = vector.getValueCount();
    long validity = vector.getNullCount() > 0 ? bitmapBytes(rows) : 0;
    if (vector instanceof BitVector) {
      return bitmapBytes(rows) + validity;
    }
    if (vector instanceof BaseFixedWidthVector fixed) {
      return rows * fixed.getTypeWidth() + validity;
    }
    if (vector instanceof BaseVariableWidthVector variable) {
      if (rows == 0) {
        return 0;
      }
      long span =
          (long) variable.getOffsetBuffer().getInt(rows * BaseVariableWidthVector.OFFSET_WIDTH)
              - variable.getOffsetBuffer().getInt(0);
      return (rows + 1) * BaseVariableWidthVector.OFFSET_WIDTH + span + validity;
    }
    if (vector instanceof BaseLargeVariableWidthVector variable) {
      if (rows == 0) {
        return 0;
      }
      long span =
          variable.getOffsetBuffer().getLong(rows * BaseLargeVariableWidthVector.OFFSET_WIDTH)
              - variable.getOffsetBuffer().getLong(0);
      return (rows + 1) * BaseLargeVariableWidthVector.OFFSET_WIDTH + span + validity;
    }
    return vector.getBufferSize();
  }

  private static long bitmapBytes(long rows) {
    return (rows + 7) / 8;
  }
}
