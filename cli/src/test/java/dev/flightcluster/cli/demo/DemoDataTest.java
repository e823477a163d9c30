package dev.flightcluster.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcluster.cli.io.Allocators;
import dev.flightcluster.cli.io.DatasetParquetWriter;
import dev.flightcluster.cli.io.ParquetWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoDataTest {
  @TempDir Path dataDir;

  @Test
  void writesEachServersDatasetsWithAByteIdenticalReplica() throws Exception {
    DemoData demo = new DemoData(dataDir);
    List<Path> written = new ArrayList<>();
    ParquetWriter recording =
        (allocator, source, target) -> {
          written.add(target);
          new DatasetParquetWriter().write(allocator, source, target);
        };
    StringWriter progress = new StringWriter();
    try (BufferAllocator allocator = new RootAllocator()) {
      demo.ensure(allocator, recording, 2_000, 500, new PrintWriter(progress));
      Allocators.awaitReleased(allocator);
    }
    Path server1 = demo.serverDir("server-1");
    Path server2 = demo.serverDir("server-2");
    assertThat(written)
        .containsExactly(
            server1.resolve("taxi_trips.parquet"),
            server1.resolve("sensor_readings.parquet"),
            server2.resolve("orders.parquet"));
    assertThat(
            Files.mismatch(
                server1.resolve("sensor_readings.parquet"),
                server2.resolve("sensor_readings.parquet")))
        .isEqualTo(-1L);
    assertThat(progress.toString()).contains("writing").contains("2,000 rows").contains("replica");
    assertThat(demo.expectedDatasets())
        .containsExactly("orders.parquet", "sensor_readings.parquet", "taxi_trips.parquet");
    assertThat(demo.logsDir()).isEqualTo(dataDir.resolve("logs"));

    // A second run finds the data and writes nothing.
    written.clear();
    try (BufferAllocator allocator = new RootAllocator()) {
      demo.ensure(allocator, recording, 2_000, 500, new PrintWriter(new StringWriter()));
    }
    assertThat(written).isEmpty();
  }

  @Test
  void leavesUserDataAlone() throws Exception {
    DemoData demo = new DemoData(dataDir);
    Path own = demo.serverDir("server-2").resolve("trips/year=2024");
    Files.createDirectories(own);
    Files.write(own.resolve("part-0.parquet"), new byte[] {1});
    Files.write(demo.serverDir("server-2").resolve(".hidden.parquet"), new byte[] {1});
    List<Path> written = new ArrayList<>();
    try (BufferAllocator allocator = new RootAllocator()) {
      demo.ensure(
          allocator,
          (allocator1, source, target) -> {
            written.add(target);
            new DatasetParquetWriter().write(allocator1, source, target);
          },
          100,
          100,
          new PrintWriter(new StringWriter()));
      Allocators.awaitReleased(allocator);
    }
    assertThat(written).allMatch(path -> path.startsWith(demo.serverDir("server-1")));
    assertThat(demo.expectedDatasets())
        .containsExactly("sensor_readings.parquet", "taxi_trips.parquet", "trips");
  }
}
