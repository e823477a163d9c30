package dev.flightcluster.cli.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampMilliVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.complex.impl.UnionMapWriter;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvSinkTest {
  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.nullable("name, first", ArrowType.Utf8.INSTANCE),
              Field.nullable("at", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
              Field.nullable("value", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
              Field.nullable("raw", ArrowType.Binary.INSTANCE)));

  @TempDir Path dir;

  @Test
  void quotesEveryStringSoNullAndEmptyDifferAndEndsLinesWithLf() throws Exception {
    Path target = dir.resolve("out.csv");
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator);
        BatchSink sink = OutputFormat.CSV.open(allocator, target, null)) {
      fill(root);
      sink.write(root);
      sink.write(root);
      assertThat(target).doesNotExist();
      sink.finish(SCHEMA);
      assertThat(sink.rows()).isEqualTo(6);
    }
    String header = "\"name, first\",\"at\",\"value\",\"raw\"\n";
    String rows =
        "\"Smith, Jo\",2024-01-01T00:00:01.500000Z,1.5,\"AQI=\"\n"
            + "\"say \"\"hi\"\"\nand bye\",,,\n"
            + "\"\",,NaN,\"\"\n";
    assertThat(Files.readString(target, StandardCharsets.UTF_8)).isEqualTo(header + rows + rows);
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(target);
    }
  }

  @Test
  void aNullInAOneColumnFileIsNotAnEmptyLine() throws Exception {
    Schema schema = new Schema(List.of(Field.nullable("n", new ArrowType.Int(64, true))));
    Path target = dir.resolve("one.csv");
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        BatchSink sink = OutputFormat.CSV.open(allocator, target, null)) {
      BigIntVector n = (BigIntVector) root.getVector(0);
      n.allocateNew();
      n.setSafe(0, 1);
      n.setNull(1);
      n.setSafe(2, 3);
      root.setRowCount(3);
      sink.write(root);
      sink.finish(schema);
    }
    assertThat(Files.readString(target)).isEqualTo("\"n\"\n1\nNULL\n3\n");
  }

  @Test
  void writesIsoDatesTimesAndTimestampsInTheColumnsZone() throws Exception {
    Schema schema =
        new Schema(
            List.of(
                Field.nullable("d32", new ArrowType.Date(DateUnit.DAY)),
                Field.nullable("d64", new ArrowType.Date(DateUnit.MILLISECOND)),
                Field.nullable("t", new ArrowType.Time(TimeUnit.MICROSECOND, 64)),
                Field.nullable("local", new ArrowType.Timestamp(TimeUnit.MILLISECOND, null)),
                Field.nullable(
                    "ny", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "America/New_York")),
                Field.nullable("u64", new ArrowType.Int(64, false)),
                Field.nullable("i", new ArrowType.Int(32, true)),
                Field.nullable("dec", new ArrowType.Decimal(20, 4, 128)),
                Field.nullable("ok", ArrowType.Bool.INSTANCE)));
    Path target = dir.resolve("types.csv");
    long instant = 1_706_693_400_000L; // 2024-01-31T09:30:00Z
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        BatchSink sink = OutputFormat.CSV.open(allocator, target, null)) {
      root.allocateNew();
      ((DateDayVector) root.getVector("d32"))
          .setSafe(0, (int) LocalDate.of(2024, 1, 31).toEpochDay());
      ((DateMilliVector) root.getVector("d64")).setSafe(0, instant);
      ((TimeMicroVector) root.getVector("t")).setSafe(0, 34_200_000_001L);
      ((TimeStampMilliVector) root.getVector("local")).setSafe(0, instant + 5);
      ((TimeStampMicroTZVector) root.getVector("ny")).setSafe(0, instant * 1000);
      ((UInt8Vector) root.getVector("u64")).setSafe(0, -1L);
      ((IntVector) root.getVector("i")).setSafe(0, -7);
      ((DecimalVector) root.getVector("dec")).setSafe(0, new BigDecimal("12345678901234.5000"));
      ((BitVector) root.getVector("ok")).setSafe(0, 1);
      root.setRowCount(1);
      sink.write(root);
      sink.finish(schema);
    }
    assertThat(Files.readAllLines(target).get(1))
        .isEqualTo(
            "2024-01-31,2024-01-31,09:30:00.000001,2024-01-31T09:30:00.005,"
                + "2024-01-31T04:30:00.000000-05:00,18446744073709551615,-7,12345678901234.5000,true");
  }

  @Test
  void nestedValuesAreJsonAndKeepTheirNulls() throws Exception {
    Field struct =
        new Field(
            "s",
            FieldType.nullable(ArrowType.Struct.INSTANCE),
            List.of(
                Field.nullable("a", new ArrowType.Int(32, true)),
                Field.nullable("b", ArrowType.Utf8.INSTANCE)));
    Field list =
        new Field(
            "l",
            FieldType.nullable(ArrowType.List.INSTANCE),
            List.of(Field.nullable("item", new ArrowType.Int(32, true))));
    Schema schema = new Schema(List.of(struct, list, Field.nullable("x", ArrowType.Utf8.INSTANCE)));
    Path target = dir.resolve("nested.csv");
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        BatchSink sink = OutputFormat.CSV.open(allocator, target, null)) {
      root.allocateNew();
      StructVector s = (StructVector) root.getVector("s");
      IntVector a = s.getChild("a", IntVector.class);
      VarCharVector b = s.getChild("b", VarCharVector.class);
      s.setIndexDefined(0);
      a.setNull(0);
      b.setSafe(0, "q\"uote".getBytes(StandardCharsets.UTF_8));
      s.setNull(1);
      UnionListWriter items = ((ListVector) root.getVector("l")).getWriter();
      items.setPosition(0);
      items.startList();
      items.writeInt(1);
      items.writeNull();
      items.endList();
      items.setPosition(1);
      items.startList();
      items.endList();
      ((VarCharVector) root.getVector("x")).setSafe(0, new byte[0]);
      ((VarCharVector) root.getVector("x")).setNull(1);
      root.setRowCount(2);
      sink.write(root);
      sink.finish(schema);
    }
    assertThat(Files.readAllLines(target))
        .containsExactly(
            "\"s\",\"l\",\"x\"",
            "\"{\"\"a\"\":null,\"\"b\"\":\"\"q\\\"\"uote\"\"}\",\"[1,null]\",\"\"",
            ",\"[]\",");
  }

  @Test
  void mapsAreListsOfKeyValueEntries() throws Exception {
    try (BufferAllocator allocator = new RootAllocator();
        MapVector map = MapVector.empty("m", allocator, false)) {
      UnionMapWriter writer = map.getWriter();
      writer.setPosition(0);
      writer.startMap();
      writer.startEntry();
      writer.key().integer().writeInt(1);
      writer.value().integer().writeNull();
      writer.endEntry();
      writer.endMap();
      writer.setValueCount(1);
      assertThat(NestedJson.of(map, 0)).isEqualTo("[{\"key\":1,\"value\":null}]");
    }
  }

  @Test
  void dictionaryEncodedColumnsAreWrittenAsTheirValuesAndNeverAsIndices() throws Exception {
    DictionaryEncoding encoding = new DictionaryEncoding(7, false, new ArrowType.Int(32, true));
    Schema schema =
        new Schema(
            List.of(
                new Field("city", new FieldType(true, new ArrowType.Int(32, true), encoding), null),
                Field.nullable("n", new ArrowType.Int(32, true))));
    Path target = dir.resolve("dict.csv");
    try (BufferAllocator allocator = new RootAllocator();
        VarCharVector cities = new VarCharVector("cities", allocator);
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        BatchSink sink = OutputFormat.CSV.open(allocator, target, null)) {
      cities.allocateNew();
      cities.setSafe(0, "Oslo".getBytes(StandardCharsets.UTF_8));
      cities.setSafe(1, "".getBytes(StandardCharsets.UTF_8));
      cities.setValueCount(2);
      root.allocateNew();
      IntVector indices = (IntVector) root.getVector("city");
      indices.setSafe(0, 1);
      indices.setNull(1);
      indices.setSafe(2, 0);
      ((IntVector) root.getVector("n")).setSafe(0, 5);
      root.setRowCount(3);
      DictionaryProvider dictionaries =
          new DictionaryProvider.MapDictionaryProvider(new Dictionary(cities, encoding));

      assertThatThrownBy(() -> sink.write(root))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("'city'")
          .hasMessageContaining("without its dictionary");
      sink.write(root, dictionaries);
      sink.finish(schema);
    }
    assertThat(Files.readString(target)).isEqualTo("\"city\",\"n\"\n\"\",5\n,\n\"Oslo\",\n");
  }

  @Test
  void emptyResultIsAHeaderAndAnAbandonedOneLeavesNothing() throws Exception {
    Path empty = dir.resolve("empty.csv");
    Path abandoned = dir.resolve("abandoned.csv");
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator)) {
      try (BatchSink sink = OutputFormat.CSV.open(allocator, empty, null)) {
        sink.finish(SCHEMA);
      }
      try (BatchSink sink = OutputFormat.CSV.open(allocator, abandoned, null)) {
        fill(root);
        sink.write(root);
      }
    }
    assertThat(Files.readString(empty)).isEqualTo("\"name, first\",\"at\",\"value\",\"raw\"\n");
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(empty);
    }
  }

  private static void fill(VectorSchemaRoot root) {
    root.allocateNew();
    VarCharVector names = (VarCharVector) root.getVector(0);
    names.setSafe(0, "Smith, Jo".getBytes(StandardCharsets.UTF_8));
    names.setNull(1);
    names.setSafe(1, "say \"hi\"\nand bye".getBytes(StandardCharsets.UTF_8));
    names.setSafe(2, new byte[0]);
    ((TimeStampMicroTZVector) root.getVector(1)).setSafe(0, 1_500_000L + 1704067200_000_000L);
    ((TimeStampMicroTZVector) root.getVector(1)).setNull(1);
    ((TimeStampMicroTZVector) root.getVector(1)).setNull(2);
    ((Float8Vector) root.getVector(2)).setSafe(0, 1.5);
    ((Float8Vector) root.getVector(2)).setNull(1);
    ((Float8Vector) root.getVector(2)).setSafe(2, Double.NaN);
    ((VarBinaryVector) root.getVector(3)).setSafe(0, new byte[] {1, 2});
    ((VarBinaryVector) root.getVector(3)).setNull(1);
    ((VarBinaryVector) root.getVector(3)).setSafe(2, new byte[0]);
    root.setRowCount(3);
  }
}
