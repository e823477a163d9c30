package dev.flightcluster.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A deterministic table for tests: row {@code i} of a table with seed {@code s} always holds the
 * same values, so a test can check every value it reads back without keeping the table in memory.
 *
 * <p>Columns: {@code id} int64, {@code city} low-cardinality string, {@code value} double, {@code
 * ts} timestamp (microseconds, UTC).
 */
public record SampleTable(long rows, int seed) {
  public static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.notNullable("id", new ArrowType.Int(64, true)),
              Field.nullable("city", ArrowType.Utf8.INSTANCE),
              Field.nullable("value", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
              Field.nullable("ts", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC"))));

  private static final String[] CITIES = {
    "Lisbon", "Osaka", "Quito", "Oslo", "Dakar", "Perth", "Lima"
  };
  private static final long EPOCH_MICROS = 1_700_000_000_000_000L;

  public SampleTable {
    if (rows < 0) {
      throw new IllegalArgumentException("rows is negative: " + rows);
    }
  }

  /** The value of {@code city} in row {@code id}. */
  public String city(long id) {
    return CITIES[(int) Math.floorMod(id * 31 + seed, CITIES.length)];
  }

  /** The value of {@code value} in row {@code id}. */
  public double value(long id) {
    return id * 0.25 + seed;
  }

  /** The value of {@code ts} in row {@code id}, in microseconds since the epoch. */
  public long timestampMicros(long id) {
    return EPOCH_MICROS + id * 1_000_000L + seed;
  }

  /**
   * Checks that row {@code index} of {@code root} is the row of this table its {@code id} says.
   *
   * @return the row's id
   * @throws AssertionError naming the first column that differs
   */
  public long verifyRow(VectorSchemaRoot root, int index) {
    long id = ((BigIntVector) root.getVector("id")).get(index);
    String city =
        new String(((VarCharVector) root.getVector("city")).get(index), StandardCharsets.UTF_8);
    double value = ((Float8Vector) root.getVector("value")).get(index);
    long ts = ((TimeStampMicroTZVector) root.getVector("ts")).get(index);
    if (id < 0
        || id >= rows
        || !city.equals(city(id))
        || value != value(id)
        || ts != timestampMicros(id)) {
      throw new AssertionError(
          "row "
              + index
              + " differs from the table: id="
              + id
              + " city="
              + city
              + " value="
              + value
              + " ts="
              + ts);
    }
    return id;
  }

  /**
   * A reader that generates the table in batches of {@code batchRows}, one batch in memory at a
   * time. The caller owns the reader and must close it.
   */
  public ArrowReader reader(BufferAllocator allocator, int batchRows) {
    return new GeneratedReader(allocator, SCHEMA, rows, batchRows, this::fill);
  }

  /**
   * Fills {@code root} with the rows {@code firstRow .. firstRow + count - 1}, as the reader does.
   */
  public void fill(VectorSchemaRoot root, long firstRow, int count) {
    root.allocateNew();
    BigIntVector id = (BigIntVector) root.getVector("id");
    VarCharVector cityVector = (VarCharVector) root.getVector("city");
    Float8Vector valueVector = (Float8Vector) root.getVector("value");
    TimeStampMicroTZVector ts = (TimeStampMicroTZVector) root.getVector("ts");
    for (int i = 0; i < count; i++) {
      long row = firstRow + i;
      id.setSafe(i, row);
      cityVector.setSafe(i, city(row).getBytes(StandardCharsets.UTF_8));
      valueVector.setSafe(i, value(row));
      ts.setSafe(i, timestampMicros(row));
    }
    root.setRowCount(count);
  }
}
