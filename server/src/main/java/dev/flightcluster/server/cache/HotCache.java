package dev.flightcluster.server.cache;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.DatasetFingerprint;
import dev.flightcluster.server.store.FileMeta;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hot cache of a data server: an Arrow IPC copy of each Parquet file that was uploaded here or
 * read a second time, in a folder of its own, served instead of the Parquet file while the file is
 * the version copied (decisions D86, D87). Copies are written by one background thread, never on a
 * client's stream, batch by batch; the least recently used leave first when the copies pass the
 * size cap.
 *
 * <p>An optimisation only: a copy that cannot be written or read, or a cache folder that is gone,
 * costs one WARN per cause, and the stream reads the Parquet file. Thread-safe. Owns its writer
 * thread and its allocator (a child of the one given); close it after the streams that read from
 * it.
 */
public final class HotCache implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HotCache.class);

  /** Files whose reads are counted toward their second read; older counts are forgotten. */
  private static final int READS_REMEMBERED = 4096;

  /** Copies waiting for the writer; more are not queued (a later read asks again). */
  private static final int QUEUED_WRITES = 64;

  private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

  private final Path dir;
  private final long maxBytes;
  private final int batchRows;
  private final BufferAllocator allocator;
  private final ThreadPoolExecutor writer;
  private final CacheIndex index;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final Set<String> warned = ConcurrentHashMap.newKeySet();
  private final Object lock = new Object();

  // Guarded by lock.
  private final Map<CacheKey, Integer> reads = bounded();
  private final Set<CacheKey> pending = new HashSet<>();
  private final Map<CacheKey, Boolean> refused = bounded();

  private HotCache(BufferAllocator parent, Path dir, long maxBytes, int batchRows)
      throws IOException {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.batchRows = batchRows;
    if (maxBytes == 0) {
      allocator = null;
      writer = null;
      index = null;
      return;
    }
    allocator = parent.newChildAllocator("hot-cache", 0, parent.getLimit());
    boolean ok = false;
    try {
      index = new CacheIndex(maxBytes);
      List<CacheIndex.Entry> kept = CacheFolder.reindex(allocator, dir);
      kept.forEach(index::add);
      writer =
          new ThreadPoolExecutor(
              1,
              1,
              0,
              TimeUnit.SECONDS,
              new ArrayBlockingQueue<>(QUEUED_WRITES),
              runnable -> {
                Thread thread = new Thread(runnable, "flight-server-cache-writer");
                thread.setDaemon(true);
                return thread;
              });
      ok = true;
    } finally {
      if (!ok) {
        allocator.close();
      }
    }
    log.info("hot cache {}: {} copies, {} of {} bytes", dir, index.size(), index.bytes(), maxBytes);
  }

  /**
   * Opens the cache folder, creating it if missing: deletes what an interrupted write left, and
   * keeps the copies that are whole and current.
   *
   * @param allocator the writer allocates from a child of it; it must outlive the cache
   * @param maxBytes the size cap; 0 turns the cache off (every file is read from Parquet)
   * @param batchRows the rows per batch of the copies: the DoGet scans' batch size
   * @throws IOException when the folder cannot be created or listed
   */
  public static HotCache open(BufferAllocator allocator, Path dir, long maxBytes, int batchRows)
      throws IOException {
    requireNonNull(allocator, "allocator is null");
    requireNonNull(dir, "dir is null");
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
    }
    if (batchRows <= 0) {
      throw new IllegalArgumentException("batchRows must be positive: " + batchRows);
    }
    return new HotCache(allocator, dir, maxBytes, batchRows);
  }

  /** A cache that is off: every file is read from Parquet. */
  public static HotCache off() {
    try {
      return new HotCache(null, Path.of(""), 0, 1);
    } catch (IOException e) {
      throw new IllegalStateException("an off cache opens nothing", e);
    }
  }

  /** Whether the cache is on. */
  public boolean enabled() {
    return index != null;
  }

  /** The cache folder. */
  public Path dir() {
    return dir;
  }

  /** The size cap, in bytes; 0 when off. */
  public long maxBytes() {
    return maxBytes;
  }

  /**
   * What a stream reads for {@code file}, scanned with {@code scanSchema}: its current copy when
   * there is one (a hit), else the Parquet file (a miss), whose second read queues its copy. Close
   * the result when the scan is done.
   */
  public ScanSource source(FileMeta file, Schema scanSchema) {
    requireNonNull(file, "file is null");
    requireNonNull(scanSchema, "scanSchema is null");
    if (index == null) {
      return ScanSource.parquet(file.path());
    }
    CacheKey key = CacheKey.of(file);
    String layout = layout(scanSchema);
    CacheIndex.Entry entry = index.pin(key, layout);
    if (entry != null) {
      hits.increment();
      return ScanSource.cached(file.path(), this, entry);
    }
    misses.increment();
    boolean second;
    synchronized (lock) {
      second = reads.merge(key, 1, Integer::sum) >= 2;
    }
    if (second) {
      queue(key, file, scanSchema, layout);
    }
    return ScanSource.parquet(file.path());
  }

  /** Queues the copy of an uploaded file, unless it has a current one. */
  public void admit(FileMeta file, Schema scanSchema) {
    requireNonNull(file, "file is null");
    requireNonNull(scanSchema, "scanSchema is null");
    if (index == null) {
      return;
    }
    CacheKey key = CacheKey.of(file);
    String layout = layout(scanSchema);
    if (!index.holds(key, layout)) {
      queue(key, file, scanSchema, layout);
    }
  }

  /** Streams that found a current copy. */
  public long hits() {
    return hits.sum();
  }

  /** Streams that read a Parquet file because it had no current copy (0 while off). */
  public long misses() {
    return misses.sum();
  }

  /** The bytes of the copies in the cache. */
  public long bytes() {
    return index == null ? 0 : index.bytes();
  }

  /** How many copies the cache holds. */
  public int entries() {
    return index == null ? 0 : index.size();
  }

  private void queue(CacheKey key, FileMeta file, Schema scanSchema, String layout) {
    synchronized (lock) {
      if (refused.containsKey(key) || !pending.add(key)) {
        return;
      }
    }
    try {
      writer.execute(() -> write(key, file, scanSchema, layout));
    } catch (RejectedExecutionException e) {
      synchronized (lock) {
        pending.remove(key);
      }
    }
  }

  private void write(CacheKey key, FileMeta file, Schema scanSchema, String layout) {
    try {
      if (file.arrowBytes() > maxBytes) {
        refuse(key, "its Arrow data (about " + file.arrowBytes() + " bytes) exceeds the cache");
        return;
      }
      Files.createDirectories(dir);
      Path copy = CopyWriter.write(allocator, key, scanSchema, layout, batchRows, dir);
      long size = Files.size(copy);
      if (size > maxBytes || !CacheKey.onDisk(key.source()).equals(key)) {
        // Too large after all, or the Parquet file changed while it was copied.
        Files.deleteIfExists(copy);
        return;
      }
      warned.remove(FOLDER_GONE);
      index.add(new CacheIndex.Entry(key, copy, size, layout));
      log.debug("cached {} as {} ({} bytes)", key.source(), copy, size);
    } catch (CopyWriter.NotCacheable e) {
      refuse(key, e.getMessage());
    } catch (InterruptedIOException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      if (warned.add("write:" + e.getClass().getName())) {
        log.warn(
            "cannot write the hot cache copy of {} into {}: {}; it is served from Parquet (one"
                + " warning per cause)",
            key.source(),
            dir,
            firstLine(e));
      }
    } finally {
      synchronized (lock) {
        pending.remove(key);
      }
    }
  }

  private void refuse(CacheKey key, String why) {
    synchronized (lock) {
      refused.put(key, Boolean.TRUE);
    }
    log.info("not caching {}: {}", key.source(), why);
  }

  private static final String FOLDER_GONE = "folder";

  /** See {@link ScanSource#failed}. */
  void failed(CacheIndex.Entry entry, Throwable cause) {
    if (!Files.isDirectory(dir)) {
      if (warned.add(FOLDER_GONE)) {
        log.warn("the hot cache folder {} is gone; serving from Parquet and caching afresh", dir);
      }
      index.clear();
      return;
    }
    if (warned.add("read:" + entry.file())) {
      log.warn(
          "cannot read {}, the hot cache copy of {}: {}; serving it from Parquet and dropping"
              + " the copy",
          entry.file(),
          entry.key().source(),
          firstLine(cause));
    }
    index.remove(entry);
  }

  /** See {@link ScanSource#close}. */
  void release(CacheIndex.Entry entry) {
    index.release(entry);
  }

  /** The scan schema and batch size a copy is written with: a copy serves only scans of both. */
  private String layout(Schema scanSchema) {
    MessageDigest sha = DatasetFingerprint.sha256();
    sha.update(scanSchema.serializeAsMessage());
    sha.update(ByteBuffer.allocate(4).putInt(0, batchRows));
    return HexFormat.of().formatHex(sha.digest(), 0, 16);
  }

  private static String firstLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return message.lines().findFirst().orElse(message);
  }

  private static <K, V> Map<K, V> bounded() {
    return new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > READS_REMEMBERED;
      }
    };
  }

  /** Stops the writer (a copy in progress is abandoned, leaving nothing) and frees its memory. */
  @Override
  public void close() {
    if (writer == null) {
      return;
    }
    writer.shutdownNow();
    try {
      if (!writer.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("the hot cache writer did not stop within {}", CLOSE_WAIT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    allocator.close();
  }
}
