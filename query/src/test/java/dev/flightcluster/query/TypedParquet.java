package dev.flightcluster.query;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.arrow.dataset.file.DatasetFileWriter;
import org.apache.arrow.dataset.file.FileFormat;
import org.apache.arrow.dataset.file.FileSystemDatasetFactory;
import org.apache.arrow.dataset.jni.NativeMemoryPool;
import org.apache.arrow.dataset.scanner.ScanOptions;
import org.apache.arrow.dataset.scanner.Scanner;
import org.apache.arrow.dataset.source.Dataset;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A Parquet file with a column of every type filters support, nulls in each, written with
 * arrow-dataset's writer, and a scan of it with a Substrait filter that returns the ids of the rows
 * that passed. The rows are {@link Row}s, so a test computes the expected ids in Java.
 */
final class TypedParquet {
  /** One row; null fields are SQL NULLs. Times are UTC microseconds. */
  record Row(
      long id,
      Integer i32,
      Double dbl,
      String str,
      String dict,
      Long tsMicros,
      BigDecimal dec,
      LocalDate day,
      Boolean flag) {}

  static final Field DICT_FIELD =
      new Field(
          "dict",
          new FieldType(true, new ArrowType.Int(32, true), new DictionaryEncoding(1L, false, null)),
          null);

  static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.notNullable("id", new ArrowType.Int(64, true)),
              Field.nullable("i32", new ArrowType.Int(32, true)),
              Field.nullable("dbl", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
              Field.nullable("str", ArrowType.Utf8.INSTANCE),
              DICT_FIELD,
              Field.nullable("ts", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
              Field.nullable("dec", new ArrowType.Decimal(10, 2, 128)),
              Field.nullable("day", new ArrowType.Date(org.apache.arrow.vector.types.DateUnit.DAY)),
              Field.nullable("flag", ArrowType.Bool.INSTANCE)));

  private static final List<String> DICTIONARY = List.of("red", "green", "blue");

  static final List<Row> ROWS =
      List.of(
          new Row(
              0,
              5,
              1.5,
              "apple",
              "red",
              1_700_000_000_000_000L,
              dec("10.50"),
              day(2024, 1, 1),
              true),
          new Row(
              1,
              -3,
              -2.25,
              "apricot",
              "green",
              1_700_000_060_000_000L,
              dec("-3.25"),
              day(2024, 1, 2),
              false),
          new Row(2, null, null, null, null, null, null, null, null),
          new Row(
              3,
              42,
              0.0,
              "banana",
              "blue",
              1_700_003_600_000_000L,
              dec("0.01"),
              day(2023, 12, 31),
              true),
          new Row(
              4,
              7,
              1e10,
              "Apple",
              "red",
              1_600_000_000_000_000L,
              dec("99999999.99"),
              day(2020, 2, 29),
              false),
          new Row(
              5, 0, 3.75, "", "green", 1_700_000_000_000_001L, dec("10.5"), day(1970, 1, 1), null),
          new Row(6, 100, -0.5, "a%b_c", null, 0L, dec("-0.01"), day(1969, 12, 31), true),
          new Row(
              7,
              5,
              2.0,
              "ápple",
              "blue",
              1_800_000_000_000_000L,
              dec("10.49"),
              day(2024, 1, 1),
              false));

  private static BigDecimal dec(String s) {
    return new BigDecimal(s).setScale(2);
  }

  private static LocalDate day(int y, int m, int d) {
    return LocalDate.of(y, m, d);
  }

  private TypedParquet() {}

  /** Writes {@link #ROWS} to one Parquet file in {@code dir} and returns its URI. */
  static String write(BufferAllocator allocator, Path dir) throws Exception {
    byte[] ipc;
    try (VarCharVector dictionary =
            new VarCharVector(
                "dict-values",
                new FieldType(false, ArrowType.Utf8.INSTANCE, DICT_FIELD.getDictionary()),
                allocator);
        VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator)) {
      for (int i = 0; i < DICTIONARY.size(); i++) {
        dictionary.setSafe(i, DICTIONARY.get(i).getBytes(StandardCharsets.UTF_8));
      }
      dictionary.setValueCount(DICTIONARY.size());
      DictionaryProvider.MapDictionaryProvider provider =
          new DictionaryProvider.MapDictionaryProvider(
              new Dictionary(dictionary, DICT_FIELD.getDictionary()));
      fill(root);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (ArrowStreamWriter writer = new ArrowStreamWriter(root, provider, out)) {
        writer.start();
        writer.writeBatch();
        writer.end();
      }
      ipc = out.toByteArray();
    }
    Path target = Files.createDirectories(dir.resolve("data"));
    try (ArrowStreamReader reader =
        new ArrowStreamReader(new ByteArrayInputStream(ipc), allocator)) {
      DatasetFileWriter.write(allocator, reader, FileFormat.PARQUET, target.toUri().toString());
    }
    try (Stream<Path> files = Files.list(target)) {
      return files.findFirst().orElseThrow().toUri().toString();
    }
  }

  private static void fill(VectorSchemaRoot root) {
    for (int r = 0; r < ROWS.size(); r++) {
      Row row = ROWS.get(r);
      ((BigIntVector) root.getVector("id")).setSafe(r, row.id());
      IntVector i32 = (IntVector) root.getVector("i32");
      if (row.i32() == null) i32.setNull(r);
      else i32.setSafe(r, row.i32());
      Float8Vector dbl = (Float8Vector) root.getVector("dbl");
      if (row.dbl() == null) dbl.setNull(r);
      else dbl.setSafe(r, row.dbl());
      VarCharVector str = (VarCharVector) root.getVector("str");
      if (row.str() == null) str.setNull(r);
      else str.setSafe(r, row.str().getBytes(StandardCharsets.UTF_8));
      IntVector dict = (IntVector) root.getVector("dict");
      if (row.dict() == null) dict.setNull(r);
      else dict.setSafe(r, DICTIONARY.indexOf(row.dict()));
      TimeStampMicroTZVector ts = (TimeStampMicroTZVector) root.getVector("ts");
      if (row.tsMicros() == null) ts.setNull(r);
      else ts.setSafe(r, row.tsMicros());
      DecimalVector dec = (DecimalVector) root.getVector("dec");
      if (row.dec() == null) dec.setNull(r);
      else dec.setSafe(r, row.dec());
      DateDayVector day = (DateDayVector) root.getVector("day");
      if (row.day() == null) day.setNull(r);
      else day.setSafe(r, (int) row.day().toEpochDay());
      BitVector flag = (BitVector) root.getVector("flag");
      if (row.flag() == null) flag.setNull(r);
      else flag.setSafe(r, row.flag() ? 1 : 0);
    }
    root.setRowCount(ROWS.size());
  }

  /** The schema arrow-dataset reads from the file at {@code uri}. */
  static Schema inspect(BufferAllocator allocator, String uri) {
    try (FileSystemDatasetFactory factory =
        new FileSystemDatasetFactory(
            allocator, NativeMemoryPool.getDefault(), FileFormat.PARQUET, uri)) {
      return factory.inspect();
    }
  }

  /** The ids of the rows of the file at {@code uri} that pass {@code filter}. */
  static List<Long> scanIds(BufferAllocator allocator, String uri, java.nio.ByteBuffer filter)
      throws Exception {
    List<Long> ids = new ArrayList<>();
    ScanOptions options =
        new ScanOptions.Builder(1024)
            .columns(Optional.of(new String[] {"id"}))
            .substraitFilter(filter)
            .build();
    try (FileSystemDatasetFactory factory =
            new FileSystemDatasetFactory(
                allocator, NativeMemoryPool.getDefault(), FileFormat.PARQUET, uri);
        Dataset dataset = factory.finish();
        Scanner scanner = dataset.newScan(options);
        ArrowReader reader = scanner.scanBatches()) {
      while (reader.loadNextBatch()) {
        BigIntVector id = (BigIntVector) reader.getVectorSchemaRoot().getVector("id");
        for (int i = 0; i < id.getValueCount(); i++) {
          ids.add(id.get(i));
        }
      }
    }
    return ids;
  }
}
