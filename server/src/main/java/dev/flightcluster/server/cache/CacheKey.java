package dev.flightcluster.server.cache;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.DatasetFingerprint;
import dev.flightcluster.server.parquet.ParquetFiles;
import dev.flightcluster.server.store.FileMeta;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Which version of which Parquet file a cache entry copies: its real path, size, modification time
 * and a digest of its footer (which holds its row groups' offsets and statistics). A file that
 * changes in any of them has another key, so its old copy is never served for it.
 *
 * @param source the Parquet file's real path
 * @param digest hex SHA-256 of the path, size, modification time and footer
 */
record CacheKey(Path source, String digest) {
  static final String SUFFIX = ".arrow";

  CacheKey {
    requireNonNull(source, "source is null");
    requireNonNull(digest, "digest is null");
  }

  /** The key of the file as the store inspected it. */
  static CacheKey of(FileMeta file) {
    return of(file.path(), file.size(), file.modified().to(TimeUnit.NANOSECONDS), file.footer());
  }

  /**
   * The key of the file as it is on disk now.
   *
   * @throws IOException when it cannot be read, or is no Parquet file
   */
  static CacheKey onDisk(Path source) throws IOException {
    BasicFileAttributes attributes = Files.readAttributes(source, BasicFileAttributes.class);
    return of(
        source,
        attributes.size(),
        attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS),
        ParquetFiles.footer(source));
  }

  private static CacheKey of(Path source, long size, long modifiedNanos, byte[] footer) {
    MessageDigest sha = DatasetFingerprint.sha256();
    sha.update(source.toString().getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
    sha.update((size + ":" + modifiedNanos + ":").getBytes(StandardCharsets.UTF_8));
    sha.update(footer);
    return new CacheKey(source, HexFormat.of().formatHex(sha.digest()));
  }

  /**
   * A new name for a copy in the cache folder: unique per write, so deleting a copy that left the
   * cache never deletes a newer copy of the same file.
   */
  String newFileName() {
    return digest.substring(0, 32) + "-" + UUID.randomUUID().toString().substring(0, 8) + SUFFIX;
  }
}
