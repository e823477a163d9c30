package dev.flightcluster.server.store;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.server.parquet.ParquetFiles;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;

/**
 * Upload staging and publishing: an upload is streamed into the staging area, synced, then moved
 * into place in one step, so its dataset appears whole or not at all, and nothing is left behind
 * after a failure. Thread-safe: one upload per name at a time.
 */
final class Uploads {
  private final BufferAllocator allocator;
  private final DataDir dir;
  private final Set<String> inProgress = ConcurrentHashMap.newKeySet();

  Uploads(BufferAllocator allocator, DataDir dir) {
    this.allocator = requireNonNull(allocator, "allocator is null");
    this.dir = requireNonNull(dir, "dir is null");
  }

  /**
   * Clears the staging area of uploads an earlier run left behind; the hot cache's default folder
   * stays, its copies are checked by the cache itself.
   */
  void clearStaging() throws IOException {
    Files.createDirectories(dir.staging());
    List<Path> left = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir.staging())) {
      entries.forEach(left::add);
    }
    for (Path entry : left) {
      if (!entry.equals(dir.defaultCache())) {
        ParquetFiles.deleteRecursively(entry);
      }
    }
  }

  /** See {@link DatasetStore#upload}. */
  ParquetFiles.Written upload(DatasetName name, ArrowReader source, BooleanSupplier cancelled)
      throws IOException {
    if (name.segments().size() != 1) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription(
              "an upload names one top-level dataset such as 'sales.parquet' or 'trips',"
                  + " without '/'; got '"
                  + name
                  + "'")
          .toRuntimeException();
    }
    if (!inProgress.add(name.value())) {
      throw alreadyExists("an upload of dataset '" + name + "' is already in progress here");
    }
    try {
      Path target = dir.entry(name);
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        throw alreadyExists(
            "dataset '" + name + "' already exists here; upload under another name");
      }
      Path work = dir.staging().resolve(UUID.randomUUID().toString());
      try {
        boolean singleFile = DataDir.isParquetName(name.value());
        ParquetFiles.Written written;
        try {
          if (singleFile) {
            written = ParquetFiles.writeInto(allocator, source, work, "part-0.parquet");
          } else {
            Files.createDirectory(work);
            written =
                ParquetFiles.writeInto(
                    allocator, source, work.resolve(name.value()), "part-0.parquet");
          }
        } catch (IllegalArgumentException e) {
          throw CallStatus.INVALID_ARGUMENT
              .withDescription(e.getMessage())
              .withCause(e)
              .toRuntimeException();
        }
        if (cancelled.getAsBoolean()) {
          throw CallStatus.CANCELLED
              .withDescription("the client cancelled the upload")
              .toRuntimeException();
        }
        if (singleFile) {
          publishFile(written.file(), target, name);
        } else {
          publishDirectory(work.resolve(name.value()), target, name);
        }
        ParquetFiles.fsync(dir.root());
        return written;
      } finally {
        ParquetFiles.deleteRecursively(work);
      }
    } finally {
      inProgress.remove(name.value());
    }
  }

  private static void publishFile(Path file, Path target, DatasetName name) throws IOException {
    try {
      // A hard link publishes atomically and, unlike rename, never replaces what another process
      // may have created under the same name meanwhile.
      Files.createLink(target, file);
    } catch (FileAlreadyExistsException e) {
      throw alreadyExists("dataset '" + name + "' already exists here; upload under another name");
    } catch (UnsupportedOperationException | FileSystemException e) {
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        throw alreadyExists(
            "dataset '" + name + "' already exists here; upload under another name");
      }
      Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  private static void publishDirectory(Path dir, Path target, DatasetName name) throws IOException {
    try {
      Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
      throw alreadyExists("dataset '" + name + "' already exists here; upload under another name");
    }
  }

  private static FlightRuntimeException alreadyExists(String message) {
    return CallStatus.ALREADY_EXISTS.withDescription(message).toRuntimeException();
  }
}
