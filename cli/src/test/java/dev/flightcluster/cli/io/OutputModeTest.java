package dev.flightcluster.cli.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcluster.cli.demo.SampleData;
import dev.flightcluster.cli.demo.SampleTable;
import dev.flightcluster.server.parquet.ParquetFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Output files get the permissions any new file of the user gets, whatever the format. */
class OutputModeTest {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(OutputFormat.class)
  void anOutputFileHasTheModeTheUmaskGivesANewFile(OutputFormat format) throws Exception {
    // The JVM cannot read the umask; a file it creates with default permissions shows its effect.
    Set<PosixFilePermission> umasked =
        Files.getPosixFilePermissions(Files.createFile(dir.resolve("reference")));
    assertThat(umasked).contains(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    Path target = dir.resolve("out." + format.name().toLowerCase(java.util.Locale.ROOT));

    write(format, target);

    assertThat(Files.getPosixFilePermissions(target)).isEqualTo(umasked);
  }

  @Test
  void replacingAFileGivesTheNewOneTheSameMode() throws Exception {
    Set<PosixFilePermission> umasked =
        Files.getPosixFilePermissions(Files.createFile(dir.resolve("reference")));
    Path target = dir.resolve("again.csv");
    write(OutputFormat.CSV, target);
    write(OutputFormat.CSV, target);
    assertThat(Files.getPosixFilePermissions(target)).isEqualTo(umasked);
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactlyInAnyOrder(dir.resolve("reference"), target);
    }
  }

  private static void write(OutputFormat format, Path target) throws Exception {
    try (BufferAllocator allocator = new RootAllocator()) {
      try (ArrowReader data = SampleData.reader(allocator, SampleTable.ORDERS, 100, 50);
          BatchSink sink = format.open(allocator, target, ParquetFiles::write)) {
        while (data.loadNextBatch()) {
          sink.write(data.getVectorSchemaRoot());
        }
        sink.finish(data.getVectorSchemaRoot().getSchema());
      }
      Allocators.awaitReleased(allocator);
    }
  }
}
