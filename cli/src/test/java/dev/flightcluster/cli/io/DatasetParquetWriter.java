package dev.flightcluster.cli.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.dataset.file.DatasetFileWriter;
import org.apache.arrow.dataset.file.FileFormat;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;

/**
 * A Parquet writer for tests, on arrow-dataset's writer (which the data server's {@code
 * ParquetFiles} is expected to wrap): it writes into a temp folder and moves the one file out.
 */
public final class DatasetParquetWriter implements ParquetWriter {
  @Override
  public void write(BufferAllocator allocator, ArrowReader source, Path target) throws IOException {
    Path dir = Files.createTempDirectory(target.toAbsolutePath().getParent(), ".write-");
    try {
      DatasetFileWriter.write(allocator, source, FileFormat.PARQUET, dir.toUri().toString());
      List<Path> written;
      try (Stream<Path> files = Files.list(dir)) {
        written = files.toList();
      }
      if (written.size() != 1) {
        throw new IOException("expected one file, got " + written);
      }
      Files.move(written.get(0), target, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path file : files.toList()) {
          Files.deleteIfExists(file);
        }
      }
      Files.deleteIfExists(dir);
    }
  }
}
