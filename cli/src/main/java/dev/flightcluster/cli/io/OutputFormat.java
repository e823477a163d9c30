package dev.flightcluster.cli.io;

import java.nio.file.Path;
import java.util.Locale;
import org.apache.arrow.memory.BufferAllocator;

/** The file formats {@code client get --output} writes, chosen by the file name's extension. */
public enum OutputFormat {
  /** Parquet, written by the data server's own writer (atomic: temp file, fsync, rename). */
  PARQUET,
  /** The Arrow IPC file format ({@code .arrow}, also known as Feather v2). */
  ARROW,
  /** Comma-separated values per RFC 4180, with a header row. */
  CSV;

  /**
   * Opens a sink that writes this format to {@code target}.
   *
   * @param parquetWriter the Parquet writer, used by {@link #PARQUET} only
   */
  public BatchSink open(BufferAllocator allocator, Path target, ParquetWriter parquetWriter) {
    return switch (this) {
      case PARQUET -> new ParquetSink(allocator, target, parquetWriter);
      case ARROW -> new ArrowFileSink(allocator, target);
      case CSV -> new CsvSink(target);
    };
  }

  /**
   * The format for {@code path}.
   *
   * @throws IllegalArgumentException for an extension that is not {@code .parquet}, {@code .arrow},
   *     {@code .feather} or {@code .csv}
   */
  public static OutputFormat forPath(Path path) {
    String name =
        path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".parquet")) {
      return PARQUET;
    }
    if (name.endsWith(".arrow") || name.endsWith(".feather")) {
      return ARROW;
    }
    if (name.endsWith(".csv")) {
      return CSV;
    }
    throw new IllegalArgumentException(
        "cannot tell the output format of '" + path + "': name it .parquet, .arrow or .csv");
  }
}
