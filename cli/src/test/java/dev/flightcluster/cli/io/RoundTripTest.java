package dev.flightcluster.cli.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcluster.cli.demo.SampleData;
import dev.flightcluster.cli.demo.SampleTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output sinks and input files, written and read back. */
class RoundTripTest {
  private static final long ROWS = 1_000;
  private static final int BATCH_ROWS = 300;

  @TempDir Path dir;

  @Test
  void arrowFileRoundTrip() throws Exception {
    Path target = dir.resolve("trips.arrow");
    try (BufferAllocator allocator = new RootAllocator()) {
      writeThroughSink(allocator, OutputFormat.ARROW, target, null);
      try (InputFile input = InputFile.open(allocator, target)) {
        assertThat(input.batches()).isEqualTo(4);
        assertThat(input.reader().getVectorSchemaRoot().getSchema())
            .isEqualTo(SampleTable.TAXI_TRIPS.schema());
        assertThat(Contents.of(input.reader())).isEqualTo(expected(allocator));
      }
    }
  }

  @Test
  void parquetRoundTripThroughTheHandoff() throws Exception {
    Path target = dir.resolve("trips.parquet");
    try (BufferAllocator allocator = new RootAllocator()) {
      writeThroughSink(allocator, OutputFormat.PARQUET, target, new DatasetParquetWriter());
      try (InputFile input = InputFile.open(allocator, target)) {
        assertThat(input.batches()).isEqualTo(-1);
        assertThat(Contents.of(input.reader())).isEqualTo(expected(allocator));
      }
      Allocators.awaitReleased(allocator);
    }
  }

  @Test
  void parquetWriterFailureReachesTheProducer() throws Exception {
    Path target = dir.resolve("fails.parquet");
    List<Long> seenByWriter = new ArrayList<>();
    ParquetWriter failsAfterOneBatch =
        (allocator, source, path) -> {
          source.loadNextBatch();
          seenByWriter.add((long) source.getVectorSchemaRoot().getRowCount());
          throw new IllegalStateException("disk full");
        };
    try (BufferAllocator allocator = new RootAllocator();
        SampleData data = SampleData.reader(allocator, SampleTable.ORDERS, 10_000, 100);
        BatchSink sink = OutputFormat.PARQUET.open(allocator, target, failsAfterOneBatch)) {
      assertThatThrownBy(
              () -> {
                while (data.loadNextBatch()) {
                  sink.write(data.getVectorSchemaRoot());
                }
                sink.finish(data.getVectorSchemaRoot().getSchema());
              })
          .isInstanceOf(IOException.class)
          .hasMessageContaining("disk full");
    }
    assertThat(seenByWriter).containsExactly(100L);
    assertThat(target).doesNotExist();
  }

  @Test
  void abandonedParquetDownloadWritesNothing() throws Exception {
    Path target = dir.resolve("abandoned.parquet");
    try (BufferAllocator allocator = new RootAllocator();
        SampleData data = SampleData.reader(allocator, SampleTable.ORDERS, 1_000, 100)) {
      try (BatchSink sink =
          OutputFormat.PARQUET.open(allocator, target, new DatasetParquetWriter())) {
        data.loadNextBatch();
        sink.write(data.getVectorSchemaRoot());
      }
      data.close();
      Allocators.awaitReleased(allocator);
    }
    assertThat(target).doesNotExist();
  }

  @Test
  void countingReaderPassesThrough() throws Exception {
    List<Long> progress = new ArrayList<>();
    try (BufferAllocator allocator = new RootAllocator();
        SampleData data = SampleData.reader(allocator, SampleTable.TAXI_TRIPS, ROWS, BATCH_ROWS);
        CountingReader counting = new CountingReader(allocator, data, progress::add)) {
      assertThat(Contents.of(counting)).isEqualTo(expected(allocator));
      assertThat(counting.rows()).isEqualTo(ROWS);
    }
    assertThat(progress).containsExactly(300L, 600L, 900L, 1000L);
  }

  @Test
  void inputFileErrors() throws Exception {
    try (BufferAllocator allocator = new RootAllocator()) {
      assertThatThrownBy(() -> InputFile.open(allocator, dir.resolve("missing.parquet")))
          .isInstanceOf(NoSuchFileException.class);
      Path text = Files.writeString(dir.resolve("notes.txt"), "x");
      assertThatThrownBy(() -> InputFile.open(allocator, text))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(".parquet");
    }
    assertThatThrownBy(() -> OutputFormat.forPath(Path.of("x.json")))
        .hasMessageContaining("name it .parquet, .arrow or .csv");
    assertThat(OutputFormat.forPath(Path.of("dir/X.Feather"))).isEqualTo(OutputFormat.ARROW);
  }

  private static void writeThroughSink(
      BufferAllocator allocator, OutputFormat format, Path target, ParquetWriter parquet)
      throws Exception {
    try (ArrowReader data = SampleData.reader(allocator, SampleTable.TAXI_TRIPS, ROWS, BATCH_ROWS);
        BatchSink sink = format.open(allocator, target, parquet)) {
      while (data.loadNextBatch()) {
        sink.write(data.getVectorSchemaRoot());
      }
      sink.finish(data.getVectorSchemaRoot().getSchema());
      assertThat(sink.rows()).isEqualTo(ROWS);
    }
  }

  private static String expected(BufferAllocator allocator) throws IOException {
    try (ArrowReader data =
        SampleData.reader(allocator, SampleTable.TAXI_TRIPS, ROWS, BATCH_ROWS)) {
      return Contents.of(data);
    }
  }
}
