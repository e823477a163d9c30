package dev.flightcluster.server.store;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.DatasetName;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The data dir's layout and the path checks that keep every read inside it. Nothing outside the
 * data dir is ever listed or opened: every path is resolved to its real path and checked before
 * use, so a symbolic link that leads out is left out. Hidden entries (starting with {@code .}) are
 * never served; {@link #STAGING_DIR} holds uploads in progress.
 */
final class DataDir {
  static final String STAGING_DIR = ".flight-staging";

  /**
   * The hot cache's default folder, inside the staging area: hidden, so never listed, and kept when
   * the staging area is cleared at startup.
   */
  static final String CACHE_DIR = "cache";

  private static final String PARQUET_SUFFIX = ".parquet";

  private final Path root;

  /**
   * @param root the data dir's real path
   */
  DataDir(Path root) {
    this.root = requireNonNull(root, "root is null");
  }

  Path root() {
    return root;
  }

  Path staging() {
    return root.resolve(STAGING_DIR);
  }

  Path defaultCache() {
    return staging().resolve(CACHE_DIR);
  }

  /** Where the top-level entry of dataset {@code name} lies (not resolved, maybe absent). */
  Path entry(DatasetName name) {
    return root.resolve(name.value());
  }

  /** The top-level entries, in name order. */
  List<Path> entries() throws IOException {
    List<Path> entries = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(root)) {
      stream.forEach(entries::add);
    }
    entries.sort(null);
    return entries;
  }

  /**
   * Whether {@code name} names something on disk that resolves outside the data dir: only to
   * explain a refusal (resolving a link reads no file content).
   */
  boolean leadsOutside(DatasetName name) {
    return leadsOutside(entry(name));
  }

  /** Whether {@code path} exists and resolves outside the data dir or into a hidden entry. */
  boolean leadsOutside(Path path) {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    try {
      return !inside(path.toRealPath());
    } catch (IOException e) {
      return false; // a dangling link: simply not there
    }
  }

  /** True for a real path strictly inside the data dir that crosses no hidden entry. */
  boolean inside(Path real) {
    if (!real.startsWith(root) || real.equals(root)) {
      return false;
    }
    for (Path segment : root.relativize(real)) {
      if (segment.toString().startsWith(".")) {
        return false;
      }
    }
    return true;
  }

  /**
   * A Parquet file of a dataset.
   *
   * @param relative where it lies relative to the dataset's folder; a single-file dataset's one
   *     file is its own name
   * @param real its real path, inside the data dir
   */
  record Found(Path relative, Path real) {}

  /** Why a file under a folder dataset is left out: it leads outside the data dir. */
  interface OutsideListener {
    void leftOut(Path file, Path real);
  }

  /** The Parquet files under a folder dataset, in the order of their relative names. */
  List<Found> parquetFilesUnder(Path folder, OutsideListener outside) throws IOException {
    SortedMap<String, Found> found = new TreeMap<>();
    Files.walkFileTree(
        folder,
        EnumSet.noneOf(FileVisitOption.class),
        Integer.MAX_VALUE,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            return !dir.equals(folder) && isIgnored(dir.getFileName().toString())
                ? FileVisitResult.SKIP_SUBTREE
                : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            String fileName = file.getFileName().toString();
            if (isIgnored(fileName) || !isParquetName(fileName)) {
              return FileVisitResult.CONTINUE;
            }
            Path real = file;
            if (attrs.isSymbolicLink()) {
              real = file.toRealPath();
              if (!inside(real)) {
                outside.leftOut(file, real);
                return FileVisitResult.CONTINUE;
              }
            }
            if (Files.isRegularFile(real)) {
              Path relative = folder.relativize(file);
              found.put(relative.toString(), new Found(relative, real));
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException failure)
              throws IOException {
            throw failure;
          }
        });
    return List.copyOf(found.values());
  }

  static boolean isParquetName(String fileName) {
    return fileName.toLowerCase(Locale.ROOT).endsWith(PARQUET_SUFFIX);
  }

  /** Hidden entries, and the {@code _SUCCESS}-style markers that writers leave beside data. */
  private static boolean isIgnored(String fileName) {
    return fileName.startsWith(".") || fileName.startsWith("_");
  }
}
