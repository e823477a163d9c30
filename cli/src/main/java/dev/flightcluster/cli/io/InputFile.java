package dev.flightcluster.cli.io;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.arrow.dataset.file.FileFormat;
import org.apache.arrow.dataset.file.FileSystemDatasetFactory;
import org.apache.arrow.dataset.jni.NativeMemoryPool;
import org.apache.arrow.dataset.scanner.ScanOptions;
import org.apache.arrow.dataset.scanner.Scanner;
import org.apache.arrow.dataset.source.Dataset;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;

/**
 * A local file opened as an {@link ArrowReader}, for {@code client put}: Parquet (a file, or a
 * folder of Parquet files) through arrow-dataset's scanner, Arrow IPC files ({@code .arrow}, {@code
 * .feather}) and streams ({@code .arrows}). Closing it closes the reader and everything under it.
 */
public final class InputFile implements AutoCloseable {
  /** Rows per batch read from Parquet. */
  public static final long PARQUET_BATCH_ROWS = 65_536;

  private final ArrowReader reader;
  private final long batches;
  private final List<AutoCloseable> resources;

  private InputFile(ArrowReader reader, long batches, List<AutoCloseable> resources) {
    this.reader = reader;
    this.batches = batches;
    this.resources = resources;
  }

  /**
   * Opens {@code path}.
   *
   * @throws NoSuchFileException when it does not exist
   * @throws IllegalArgumentException for an extension this cannot read
   */
  public static InputFile open(BufferAllocator allocator, Path path) throws IOException {
    requireNonNull(allocator, "allocator is null");
    requireNonNull(path, "path is null");
    if (!Files.exists(path)) {
      throw new NoSuchFileException(path.toString(), null, "no such file");
    }
    String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".parquet") || Files.isDirectory(path)) {
      return parquet(allocator, path);
    }
    if (name.endsWith(".arrow") || name.endsWith(".feather")) {
      FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
      ArrowFileReader reader = new ArrowFileReader(channel, allocator);
      try {
        return new InputFile(reader, reader.getRecordBlocks().size(), List.of(channel));
      } catch (IOException | RuntimeException e) {
        reader.close();
        throw e;
      }
    }
    if (name.endsWith(".arrows")) {
      FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
      return new InputFile(new ArrowStreamReader(channel, allocator), -1, List.of(channel));
    }
    throw new IllegalArgumentException(
        "cannot read '"
            + path
            + "': put takes .parquet (or a folder of them), .arrow, .feather or .arrows");
  }

  private static InputFile parquet(BufferAllocator allocator, Path path) {
    List<AutoCloseable> resources = new ArrayList<>();
    try {
      FileSystemDatasetFactory factory =
          new FileSystemDatasetFactory(
              allocator,
              NativeMemoryPool.getDefault(),
              FileFormat.PARQUET,
              path.toAbsolutePath().toUri().toString());
      resources.add(factory);
      Dataset dataset = factory.finish();
      resources.add(dataset);
      Scanner scanner = dataset.newScan(new ScanOptions(PARQUET_BATCH_ROWS));
      resources.add(scanner);
      return new InputFile(scanner.scanBatches(), -1, resources);
    } catch (RuntimeException e) {
      closeAll(resources, e);
      throw e;
    }
  }

  /** The reader; owned by this object. */
  public ArrowReader reader() {
    return reader;
  }

  /** Record batches in the file when the format says so up front, else -1. */
  public long batches() {
    return batches;
  }

  @Override
  public void close() throws IOException {
    IOException failure = null;
    try {
      reader.close();
    } catch (IOException e) {
      failure = e;
    }
    // Closed in reverse order of opening: scanner, dataset, factory (or the channel).
    closeAll(resources, failure);
    if (failure != null) {
      throw failure;
    }
  }

  private static void closeAll(List<AutoCloseable> resources, Throwable primary) {
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        if (primary != null) {
          primary.addSuppressed(e);
        }
      }
    }
  }
}
