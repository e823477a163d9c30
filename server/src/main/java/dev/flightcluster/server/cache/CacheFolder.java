package dev.flightcluster.server.cache;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a restarted server finds in its cache folder: the {@code .tmp} files of writes it did not
 * finish are deleted; each copy is kept when its footer reads as an Arrow IPC file (magic, schema,
 * blocks inside the file) and names a Parquet file that is still the version it copied; every other
 * copy is deleted. Files of other names are left alone.
 */
final class CacheFolder {
  private static final Logger log = LoggerFactory.getLogger(CacheFolder.class);

  private CacheFolder() {}

  /** The copies kept, oldest first (by modification time, the best guess of their last use). */
  static List<CacheIndex.Entry> reindex(BufferAllocator allocator, Path dir) throws IOException {
    Files.createDirectories(dir);
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      stream.forEach(files::add);
    }
    List<Kept> kept = new ArrayList<>();
    for (Path file : files) {
      String name = file.getFileName().toString();
      if (name.endsWith(CopyWriter.TMP_SUFFIX)) {
        Files.deleteIfExists(file); // a write cut short
      } else if (name.endsWith(CacheKey.SUFFIX) && Files.isRegularFile(file)) {
        CacheIndex.Entry entry = check(allocator, file);
        if (entry == null) {
          Files.deleteIfExists(file);
        } else {
          kept.add(new Kept(entry, Files.getLastModifiedTime(file)));
        }
      }
    }
    kept.sort(Comparator.comparing(Kept::modified));
    return kept.stream().map(Kept::entry).toList();
  }

  private record Kept(CacheIndex.Entry entry, FileTime modified) {}

  /** The entry of a copy that is whole and current, or null. */
  private static CacheIndex.Entry check(BufferAllocator allocator, Path file) {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        ArrowFileReader reader = new ArrowFileReader(channel, allocator)) {
      long size = channel.size();
      reader.initialize(); // reads and checks the magic and the footer
      for (var block : reader.getRecordBlocks()) {
        if (block.getOffset() + block.getMetadataLength() + block.getBodyLength() > size) {
          return null;
        }
      }
      Map<String, String> footer = reader.getMetaData();
      String source = footer.get(CopyWriter.SOURCE);
      String digest = footer.get(CopyWriter.KEY);
      String layout = footer.get(CopyWriter.LAYOUT);
      if (source == null || digest == null || layout == null) {
        return null;
      }
      CacheKey key = CacheKey.onDisk(Path.of(source));
      if (!key.digest().equals(digest)) {
        return null; // the Parquet file changed since
      }
      return new CacheIndex.Entry(key, file, size, layout);
    } catch (IOException | RuntimeException e) {
      log.debug("dropping cached copy {}: {}", file, e.toString());
      return null;
    }
  }
}
