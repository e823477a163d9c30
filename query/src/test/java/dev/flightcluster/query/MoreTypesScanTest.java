package dev.flightcluster.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.dataset.file.DatasetFileWriter;
import org.apache.arrow.dataset.file.FileFormat;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampMilliTZVector;
import org.apache.arrow.vector.TimeStampNanoVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The column types {@link NativeScanTest} does not hold: small and unsigned integers, float32,
 * large strings, naive nanosecond and tz-aware millisecond timestamps, time of day, and a binary
 * column no filter can name (which still has its place in the base schema). Row {@code i} has
 * {@code id = i}; row 3 is all nulls.
 */
class MoreTypesScanTest {
  @TempDir static Path dir;
  private static BufferAllocator allocator;
  private static String uri;
  private static Schema fileSchema;

  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.notNullable("id", new ArrowType.Int(64, true)),
              Field.nullable("blob", ArrowType.Binary.INSTANCE),
              Field.nullable("i8", new ArrowType.Int(8, true)),
              Field.nullable("i16", new ArrowType.Int(16, true)),
              Field.nullable("u32", new ArrowType.Int(32, false)),
              Field.nullable("f32", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
              Field.nullable("big", ArrowType.LargeUtf8.INSTANCE),
              Field.nullable("ns", new ArrowType.Timestamp(TimeUnit.NANOSECOND, null)),
              Field.nullable("ms", new ArrowType.Timestamp(TimeUnit.MILLISECOND, "UTC")),
              Field.nullable("tod", new ArrowType.Time(TimeUnit.MICROSECOND, 64)),
              Field.nullable(
                  "ny", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "America/New_York"))));

  // 2024-01-01 00:00:00 UTC in seconds.
  private static final long T0 = 1_704_067_200L;

  @BeforeAll
  static void writeFile() throws Exception {
    allocator = new RootAllocator();
    try (VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator)) {
      int rows = 5;
      for (int i = 0; i < rows; i++) {
        ((BigIntVector) root.getVector("id")).setSafe(i, i);
        if (i == 3) {
          for (FieldVector vector : root.getFieldVectors().subList(1, SCHEMA.getFields().size())) {
            vector.setNull(i);
          }
          continue;
        }
        ((VarBinaryVector) root.getVector("blob")).setSafe(i, new byte[] {(byte) i});
        ((TinyIntVector) root.getVector("i8")).setSafe(i, (byte) (i - 2));
        ((SmallIntVector) root.getVector("i16")).setSafe(i, (short) (i * 1000));
        ((UInt4Vector) root.getVector("u32")).setSafe(i, i * 10);
        ((Float4Vector) root.getVector("f32")).setSafe(i, i * 0.5f);
        ((LargeVarCharVector) root.getVector("big"))
            .setSafe(i, ("v" + i).getBytes(StandardCharsets.UTF_8));
        // Row i is at T0 + i hours (+ i nanoseconds in the naive column).
        ((TimeStampNanoVector) root.getVector("ns"))
            .setSafe(i, (T0 + i * 3600L) * 1_000_000_000L + i);
        ((TimeStampMilliTZVector) root.getVector("ms")).setSafe(i, (T0 + i * 3600L) * 1000L);
        ((TimeMicroVector) root.getVector("tod")).setSafe(i, i * 3_600_000_000L);
        ((TimeStampMicroTZVector) root.getVector("ny")).setSafe(i, (T0 + i * 3600L) * 1_000_000L);
      }
      root.setRowCount(rows);
      Path target = Files.createDirectories(dir.resolve("data"));
      try (ArrowReader reader = new OneBatchReader(root, allocator)) {
        DatasetFileWriter.write(allocator, reader, FileFormat.PARQUET, target.toUri().toString());
      }
      try (Stream<Path> files = Files.list(target)) {
        uri = files.findFirst().orElseThrow().toUri().toString();
      }
    }
    fileSchema = TypedParquet.inspect(allocator, uri);
  }

  @AfterAll
  static void closeAllocator() {
    allocator.close();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "i8 < 0|0,1",
        "i8 = -2 OR i8 = 2|0,4",
        "i16 >= 2000|2,4",
        "i16 + i8 = 2000|2",
        "u32 > 10|2,4",
        "u32 IN (0, 40)|0,4",
        "f32 = 0.5|1",
        "f32 > 1.2|4",
        "big = 'v2'|2",
        "big LIKE 'v%'|0,1,2,4",
        "big IS NULL|3",
        "ns > TIMESTAMP '2024-01-01 01:00:00'|1,2,4",
        "ns >= TIMESTAMP '2024-01-01 02:00:00'|2,4",
        "ns < TIMESTAMP '2024-01-01 00:00:00.000001'|0",
        "ms = TIMESTAMP '2024-01-01 02:00:00'|2",
        "ms BETWEEN TIMESTAMP '2024-01-01 01:00:00' AND TIMESTAMP '2024-01-01 02:00:00'|1,2",
        "tod >= TIME '02:00:00'|2,4",
        "tod = TIME '01:00:00'|1",
        // The literal is a UTC instant whatever the column's zone.
        "ny >= TIMESTAMP '2024-01-01 02:00:00'|2,4",
        "i8 IS NULL AND id > 0|3",
      })
  void nativeScanOnMoreTypes(String sql, String expected) throws Exception {
    RowFilter filter = RowFilter.parse(sql, SCHEMA);
    List<Long> ids = TypedParquet.scanIds(allocator, uri, filter.toSubstrait(fileSchema, Map.of()));
    List<Long> want =
        expected.isEmpty()
            ? List.of()
            : Stream.of(expected.split(",")).map(Long::parseLong).toList();
    assertThat(ids).containsExactlyElementsOf(want);
  }

  /** Yields one batch copied from a root, for the dataset writer. */
  private static final class OneBatchReader extends ArrowReader {
    private final VectorSchemaRoot source;
    private boolean done;

    OneBatchReader(VectorSchemaRoot source, BufferAllocator allocator) {
      super(allocator);
      this.source = source;
    }

    @Override
    public boolean loadNextBatch() {
      if (done) {
        return false;
      }
      done = true;
      try (ArrowRecordBatch batch = new VectorUnloader(source).getRecordBatch()) {
        loadRecordBatch(batch);
      }
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
      return source.getSchema();
    }
  }
}
