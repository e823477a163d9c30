package dev.flightcluster.server.cache;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import org.apache.arrow.dataset.file.FileFormat;

/**
 * What one scan of a Parquet file reads: the file itself, or its current copy in the {@link
 * HotCache}, which stays on disk until this source is closed. Not thread-safe: one stream uses it.
 */
public final class ScanSource implements AutoCloseable {
  private final Path parquet;
  private final HotCache cache;
  private final CacheIndex.Entry entry;
  private boolean closed;

  private ScanSource(Path parquet, HotCache cache, CacheIndex.Entry entry) {
    this.parquet = requireNonNull(parquet, "parquet is null");
    this.cache = cache;
    this.entry = entry;
  }

  /** The Parquet file itself. */
  public static ScanSource parquet(Path file) {
    return new ScanSource(file, null, null);
  }

  static ScanSource cached(Path parquet, HotCache cache, CacheIndex.Entry entry) {
    return new ScanSource(
        parquet, requireNonNull(cache, "cache is null"), requireNonNull(entry, "entry is null"));
  }

  /** The file to scan. */
  public Path file() {
    return entry == null ? parquet : entry.file();
  }

  /** How to scan it. */
  public FileFormat format() {
    return entry == null ? FileFormat.PARQUET : FileFormat.ARROW_IPC;
  }

  /** Whether this is the cached copy, which may be given up for {@link #parquet()}. */
  public boolean cached() {
    return entry != null;
  }

  /** The Parquet file this source reads or copies. */
  public Path parquet() {
    return parquet;
  }

  /**
   * Reports that the cached copy could not be opened or read: the cache drops it, with one WARN per
   * cause, and the caller goes on with {@link #parquet()}.
   */
  public void failed(Throwable cause) {
    if (entry != null) {
      cache.failed(entry, cause);
    }
  }

  /** Lets the cache delete the copy when it has left the cache meanwhile. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      if (entry != null) {
        cache.release(entry);
      }
    }
  }
}
