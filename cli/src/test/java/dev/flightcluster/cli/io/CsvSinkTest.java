package dev.flightcluster.cli.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
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
  void quotesOnlyWhereRfc4180Requires() {
    assertThat(CsvSink.quote("plain text")).isEqualTo("plain text");
    assertThat(CsvSink.quote("a,b")).isEqualTo("\"a,b\"");
    assertThat(CsvSink.quote("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
    assertThat(CsvSink.quote("two\nlines")).isEqualTo("\"two\nlines\"");
    assertThat(CsvSink.quote("cr\r")).isEqualTo("\"cr\r\"");
    assertThat(CsvSink.quote("")).isEqualTo("");
  }

  @Test
  void writesHeaderRowsAndNulls() throws Exception {
    Path target = dir.resolve("out.csv");
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator);
        BatchSink sink = OutputFormat.CSV.open(allocator, target, null)) {
      fill(root);
      sink.write(root);
      sink.write(root);
      assertThat(target).doesNotExist();
      sink.finish(SCHEMA);
      assertThat(sink.rows()).isEqualTo(4);
    }
    String row1 = "\"Smith, Jo\",2024-01-01T00:00:01.500Z,1.5,AQI=\r\n";
    String row2 = "\"say \"\"hi\"\"\",,,\r\n";
    assertThat(Files.readString(target, StandardCharsets.UTF_8))
        .isEqualTo("\"name, first\",at,value,raw\r\n" + row1 + row2 + row1 + row2);
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(target);
    }
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
    assertThat(Files.readString(empty)).isEqualTo("\"name, first\",at,value,raw\r\n");
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(empty);
    }
  }

  private static void fill(VectorSchemaRoot root) {
    root.allocateNew();
    ((VarCharVector) root.getVector(0)).setSafe(0, "Smith, Jo".getBytes(StandardCharsets.UTF_8));
    ((VarCharVector) root.getVector(0)).setSafe(1, "say \"hi\"".getBytes(StandardCharsets.UTF_8));
    ((TimeStampMicroTZVector) root.getVector(1)).setSafe(0, 1_500_000L + 1704067200_000_000L);
    ((TimeStampMicroTZVector) root.getVector(1)).setNull(1);
    ((Float8Vector) root.getVector(2)).setSafe(0, 1.5);
    ((Float8Vector) root.getVector(2)).setNull(1);
    ((VarBinaryVector) root.getVector(3)).setSafe(0, new byte[] {1, 2});
    ((VarBinaryVector) root.getVector(3)).setNull(1);
    root.setRowCount(2);
  }
}
