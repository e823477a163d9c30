package dev.flightcluster.server.cache;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The copies in the cache folder, one per Parquet file, least recently used first, and their bytes
 * within the size cap. A copy that leaves the index (evicted, stale or failed) is deleted at once,
 * or, while streams still read it, when the last of them is done. Thread-safe: a short lock guards
 * the bookkeeping; files are deleted outside it.
 */
final class CacheIndex {
  private static final Logger log = LoggerFactory.getLogger(CacheIndex.class);

  /**
   * One copy.
   *
   * @param layout the scan schema and batch size it was written with
   */
  static final class Entry {
    private final CacheKey key;
    private final Path file;
    private final long bytes;
    private final String layout;
    // Guarded by the index's lock.
    private int pins;
    private boolean removed;

    Entry(CacheKey key, Path file, long bytes, String layout) {
      this.key = requireNonNull(key, "key is null");
      this.file = requireNonNull(file, "file is null");
      this.bytes = bytes;
      this.layout = requireNonNull(layout, "layout is null");
    }

    CacheKey key() {
      return key;
    }

    Path file() {
      return file;
    }

    long bytes() {
      return bytes;
    }
  }

  private final long maxBytes;
  private final Object lock = new Object();

  // Guarded by lock. Access order: the eldest is the least recently used.
  private final LinkedHashMap<Path, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
  private long bytes;

  CacheIndex(long maxBytes) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
    }
    this.maxBytes = maxBytes;
  }

  /**
   * The current copy for {@code key} written with {@code layout}, pinned until released, and
   * counted as used; null when there is none. A copy of another version of the file, or of another
   * layout, is dropped.
   */
  Entry pin(CacheKey key, String layout) {
    List<Path> doomed = new ArrayList<>();
    Entry pinned = null;
    synchronized (lock) {
      Entry entry = entries.get(key.source());
      if (entry != null) {
        if (entry.key.equals(key) && entry.layout.equals(layout)) {
          entry.pins++;
          pinned = entry;
        } else {
          removeLocked(entry, doomed);
        }
      }
    }
    delete(doomed);
    return pinned;
  }

  /** Whether the current copy of {@code key} exists, written with {@code layout}. */
  boolean holds(CacheKey key, String layout) {
    synchronized (lock) {
      Entry entry = entries.get(key.source());
      return entry != null && entry.key.equals(key) && entry.layout.equals(layout);
    }
  }

  /** Unpins a copy; one that left the index meanwhile is deleted now. */
  void release(Entry entry) {
    boolean delete;
    synchronized (lock) {
      entry.pins--;
      delete = entry.removed && entry.pins == 0;
    }
    if (delete) {
      delete(List.of(entry.file));
    }
  }

  /**
   * Adds a copy as the most recently used, replacing the file's earlier copy, and evicts the least
   * recently used until the copies fit the cap.
   */
  void add(Entry entry) {
    List<Path> doomed = new ArrayList<>();
    synchronized (lock) {
      Entry old = entries.get(entry.key.source());
      if (old != null) {
        removeLocked(old, doomed);
      }
      entries.put(entry.key.source(), entry);
      bytes += entry.bytes;
      Iterator<Entry> eldest = entries.values().iterator();
      while (bytes > maxBytes && eldest.hasNext()) {
        Entry evicted = eldest.next();
        eldest.remove();
        forgetLocked(evicted, doomed);
        log.debug("evicted the cached copy of {} ({} bytes)", evicted.key.source(), evicted.bytes);
      }
    }
    delete(doomed);
  }

  /** Drops a copy, if it is still in the index. */
  void remove(Entry entry) {
    List<Path> doomed = new ArrayList<>();
    synchronized (lock) {
      if (entries.get(entry.key.source()) == entry) {
        removeLocked(entry, doomed);
      }
    }
    delete(doomed);
  }

  /** Drops every copy (their folder is gone). */
  void clear() {
    List<Path> doomed = new ArrayList<>();
    synchronized (lock) {
      for (Entry entry : List.copyOf(entries.values())) {
        removeLocked(entry, doomed);
      }
    }
    delete(doomed);
  }

  long bytes() {
    synchronized (lock) {
      return bytes;
    }
  }

  int size() {
    synchronized (lock) {
      return entries.size();
    }
  }

  private void removeLocked(Entry entry, List<Path> doomed) {
    entries.remove(entry.key.source());
    forgetLocked(entry, doomed);
  }

  private void forgetLocked(Entry entry, List<Path> doomed) {
    bytes -= entry.bytes;
    entry.removed = true;
    if (entry.pins == 0) {
      doomed.add(entry.file);
    }
  }

  private static void delete(List<Path> files) {
    for (Path file : files) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        log.debug("cannot delete cached copy {}: {}", file, e.toString());
      }
    }
  }
}
