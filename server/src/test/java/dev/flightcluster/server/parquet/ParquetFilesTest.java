package dev.flightcluster.server.parquet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcluster.testing.GeneratedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.UnionMode;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParquetFilesTest {
  private static final Schema SCHEMA =
      new Schema(List.of(Field.nullable("x", new ArrowType.Int(64, true))));

  @TempDir Path dir;

  @Test
  void writeReplacesTheTargetAtomicallyAndLeavesNothingElse() throws Exception {
    try (BufferAllocator allocator = new RootAllocator()) {
      Path target = dir.resolve("out.parquet");
      ParquetFiles.Written first = write(allocator, target, 3);
      byte[] firstFooter = ParquetFiles.footer(target);
      ParquetFiles.Written second = write(allocator, target, 5);

      assertThat(first.rows()).isEqualTo(3);
      assertThat(second.rows()).isEqualTo(5);
      assertThat(second.file()).isEqualTo(target.toAbsolutePath());
      assertThat(ParquetFiles.footer(target)).isNotEqualTo(firstFooter);
      try (var entries = Files.list(dir)) {
        assertThat(entries).containsExactly(target);
      }
    }
  }

  @Test
  void theWriterHoldsAtMostItsInFlightLimitOfAFastSource() throws Exception {
    Schema schema =
        new Schema(
            List.of(
                Field.nullable("x", new ArrowType.Int(64, true)),
                Field.nullable("s", ArrowType.Utf8.INSTANCE)));
    int batchRows = 65_536;
    try (BufferAllocator root = new RootAllocator();
        BufferAllocator writeSide = root.newChildAllocator("write", 0, Long.MAX_VALUE);
        BufferAllocator sourceSide = root.newChildAllocator("source", 0, Long.MAX_VALUE);
        GeneratedReader source =
            new GeneratedReader(
                sourceSide,
                schema,
                6_000_000,
                batchRows,
                (batch, first, count) -> {
                  BigIntVector x = (BigIntVector) batch.getVector(0);
                  VarCharVector s = (VarCharVector) batch.getVector(1);
                  x.allocateNew(count);
                  s.allocateNew(count * 24L, count);
                  for (int i = 0; i < count; i++) {
                    x.set(i, first + i);
                    s.setSafe(
                        i,
                        ("row-" + (first + i) + "-" + (first + i) * 7919)
                            .getBytes(StandardCharsets.UTF_8));
                  }
                  batch.setRowCount(count);
                })) {
      ParquetFiles.Written written =
          ParquetFiles.write(writeSide, source, dir.resolve("big.parquet"));

      assertThat(written.rows()).isEqualTo(6_000_000);
      // Without backpressure the writer queues what a fast source hands it: here ~250 MB.
      long oneBatch = written.bytes() / written.batches() + (1 << 20);
      assertThat(writeSide.getPeakMemoryAllocation())
          .isLessThanOrEqualTo(ParquetFiles.WRITER_IN_FLIGHT_BYTES + oneBatch);
      assertThat(writeSide.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void typesParquetCannotStoreAreRefusedBeforeAnythingIsWritten() {
    Field union =
        new Field(
            "u",
            FieldType.nullable(new ArrowType.Union(UnionMode.Sparse, new int[] {2})),
            List.of(Field.nullable("i", new ArrowType.Int(32, true))));
    assertThatThrownBy(() -> ParquetFiles.checkWritable(new Schema(List.of(union))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'u'");
    assertThatThrownBy(() -> ParquetFiles.checkWritable(new Schema(List.of())))
        .isInstanceOf(IllegalArgumentException.class);
    ParquetFiles.checkWritable(SCHEMA);
  }

  @Test
  void footerRefusesFilesThatAreNotParquet() throws Exception {
    Path notParquet =
        Files.writeString(dir.resolve("x.parquet"), "hello PAR1", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> ParquetFiles.footer(notParquet))
        .isInstanceOf(java.io.IOException.class);
  }

  private static ParquetFiles.Written write(BufferAllocator allocator, Path target, int rows)
      throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator);
        ArrowStreamWriter writer = new ArrowStreamWriter(root, null, bytes)) {
      BigIntVector x = (BigIntVector) root.getVector(0);
      x.allocateNew(rows);
      for (int i = 0; i < rows; i++) {
        x.set(i, i);
      }
      root.setRowCount(rows);
      writer.start();
      writer.writeBatch();
      writer.end();
    }
    try (ArrowStreamReader reader =
        new ArrowStreamReader(new ByteArrayInputStream(bytes.toByteArray()), allocator)) {
      return ParquetFiles.write(allocator, reader, target);
    }
  }
}
