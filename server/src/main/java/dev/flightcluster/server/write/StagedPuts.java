package dev.flightcluster.server.write;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.AbortPut;
import dev.flightcluster.protocol.CommitPut;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.PutParts;
import dev.flightcluster.protocol.SchemaDifference;
import dev.flightcluster.server.parquet.ParquetFiles;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shards of parallel puts on one data server: staged where no listing sees them, published by
 * {@link #commit}, deleted by {@link #abort} or, when no commit came within the staging timeout, by
 * {@link #expire} (D65). The staging area is under the data dir's hidden staging directory, which
 * the server empties at startup, so a crash leaves nothing staged behind either.
 *
 * <p>Layout: {@code <staging>/<put id>/<NAME>/part-<put id>-<index>.parquet}. A commit renames
 * every staged part to its final name ({@link PutParts#committedName}), then moves the {@code
 * <NAME>} folder into the data dir in one rename when the dataset is new here, or each part into
 * the existing folder when appending (the coordinator serves a put only when all its parts are
 * present, so a partly moved put is never served).
 *
 * <p>Thread-safe. The lock guards the bookkeeping and the renames, never the writing of a shard.
 */
public final class StagedPuts {
  /** How long a staged put waits for its commit before it is deleted. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

  private static final Logger log = LoggerFactory.getLogger(StagedPuts.class);

  /** The parts of one put staged here so far. */
  private static final class Put {
    final DatasetName name;
    final TreeMap<Integer, Schema> parts = new TreeMap<>();
    int writing;
    Instant touched;

    Put(DatasetName name, Instant touched) {
      this.name = name;
      this.touched = touched;
    }
  }

  private final BufferAllocator allocator;
  private final Path dataDir;
  private final Path root;
  private final InstantSource clock;
  private final Duration timeout;
  private final Object lock = new Object();

  // Guarded by lock.
  private final Map<String, Put> puts = new HashMap<>();

  /**
   * @param dataDir the data dir, a real path
   * @param root the directory staged puts live under, hidden inside the data dir; created with the
   *     first shard
   * @param timeout how long after its last staged part an uncommitted put is deleted
   */
  public StagedPuts(
      BufferAllocator allocator, Path dataDir, Path root, InstantSource clock, Duration timeout) {
    this.allocator = requireNonNull(allocator, "allocator is null");
    this.dataDir = requireNonNull(dataDir, "dataDir is null");
    this.root = requireNonNull(root, "root is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.timeout = requireNonNull(timeout, "timeout is null");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
  }

  /**
   * Whether a DoPut of {@code name} uploads a shard of a parallel put: a name of two segments, the
   * dataset and a staged part name ({@link PutParts#stagedName}).
   */
  public static boolean isPart(DatasetName name) {
    List<String> segments = name.segments();
    return segments.size() == 2 && PutParts.stagedPutId(segments.get(1)).isPresent();
  }

  /**
   * Stages one shard.
   *
   * @param part the DoPut's name, for which {@link #isPart} holds
   * @param cancelled checked after the last batch: a cancelled upload is never staged
   * @throws FlightRuntimeException ALREADY_EXISTS when the put already staged that shard here,
   *     INVALID_ARGUMENT for data Parquet cannot store, CANCELLED when the client cancelled
   */
  public ParquetFiles.Written stage(DatasetName part, ArrowReader source, BooleanSupplier cancelled)
      throws IOException {
    requireNonNull(source, "source is null");
    requireNonNull(cancelled, "cancelled is null");
    DatasetName name = DatasetName.of(part.segments().get(0));
    String fileName = part.segments().get(1);
    String putId = PutParts.stagedPutId(fileName).orElseThrow();
    int index = PutParts.stagedIndex(putId, fileName).orElseThrow();
    Path dir = root.resolve(putId).resolve(name.value());
    synchronized (lock) {
      Put put = puts.computeIfAbsent(putId, id -> new Put(name, clock.instant()));
      if (!put.name.equals(name)) {
        throw CallStatus.INVALID_ARGUMENT
            .withDescription(
                "put " + putId + " writes dataset '" + put.name + "', not '" + name + "'")
            .toRuntimeException();
      }
      if (put.parts.containsKey(index) || Files.exists(dir.resolve(fileName))) {
        throw CallStatus.ALREADY_EXISTS
            .withDescription("shard " + index + " of put " + putId + " is already staged here")
            .toRuntimeException();
      }
      put.writing++;
      put.touched = clock.instant();
    }
    Path work = root.resolve(putId).resolve(".tmp-" + UUID.randomUUID());
    boolean staged = false;
    Schema schema = source.getVectorSchemaRoot().getSchema();
    try {
      ParquetFiles.Written written;
      try {
        Files.createDirectories(work.getParent());
        written = ParquetFiles.writeInto(allocator, source, work, fileName);
      } catch (IllegalArgumentException e) {
        throw CallStatus.INVALID_ARGUMENT
            .withDescription(e.getMessage())
            .withCause(e)
            .toRuntimeException();
      }
      if (cancelled.getAsBoolean()) {
        throw CallStatus.CANCELLED
            .withDescription(
                "the client cancelled the upload of shard " + index + " of put " + putId)
            .toRuntimeException();
      }
      synchronized (lock) {
        Put put = puts.get(putId);
        if (put == null) {
          throw CallStatus.NOT_FOUND
              .withDescription(
                  "put " + putId + " was aborted while shard " + index + " was written")
              .toRuntimeException();
        }
        Files.createDirectories(dir);
        Files.move(written.file(), dir.resolve(fileName), StandardCopyOption.ATOMIC_MOVE);
        ParquetFiles.fsync(dir);
        put.parts.put(index, schema);
        put.touched = clock.instant();
        staged = true;
      }
      return new ParquetFiles.Written(
          dir.resolve(fileName), written.rows(), written.batches(), written.bytes());
    } finally {
      ParquetFiles.deleteRecursively(work);
      synchronized (lock) {
        Put put = puts.get(putId);
        if (put != null) {
          put.writing--;
          if (!staged && put.parts.isEmpty() && put.writing == 0) {
            puts.remove(putId);
            ParquetFiles.deleteRecursively(root.resolve(putId));
          }
        }
      }
    }
  }

  /**
   * Publishes the parts of a put staged here, or, for a {@link CommitPut#prepare} request, only
   * checks that it could.
   *
   * @param existing the schema of the dataset of that name this server already serves, if any
   * @return how many parts were published
   * @throws FlightRuntimeException NOT_FOUND when no part of the put is staged here (never staged,
   *     aborted or expired); ALREADY_EXISTS when the dataset exists and the commit is no append;
   *     INVALID_ARGUMENT when the parts' schema differs from the existing dataset's, or a part is
   *     still being written
   */
  public int commit(CommitPut request, Optional<Schema> existing) throws IOException {
    requireNonNull(request, "request is null");
    requireNonNull(existing, "existing is null");
    DatasetName name = DatasetName.of(request.name());
    String putId = request.putId();
    synchronized (lock) {
      Put put = puts.get(putId);
      if (put == null || !put.name.equals(name) || put.parts.isEmpty()) {
        throw CallStatus.NOT_FOUND
            .withDescription(
                "no part of put "
                    + putId
                    + " of '"
                    + name
                    + "' is staged here: it was never uploaded, or was aborted or expired after "
                    + timeout.toSeconds()
                    + " s")
            .toRuntimeException();
      }
      if (put.writing > 0) {
        throw CallStatus.INVALID_ARGUMENT
            .withDescription(
                "put "
                    + putId
                    + " still has shards being uploaded here; commit after every"
                    + " upload is acknowledged")
            .toRuntimeException();
      }
      int highest = put.parts.lastKey();
      if (highest >= request.shards()) {
        throw CallStatus.INVALID_ARGUMENT
            .withDescription(
                "put "
                    + putId
                    + " staged shard "
                    + highest
                    + " here, but the commit says it"
                    + " has "
                    + request.shards()
                    + " shards")
            .toRuntimeException();
      }
      Path target = dataDir.resolve(name.value());
      boolean exists = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
      if (exists && !request.append()) {
        throw CallStatus.ALREADY_EXISTS
            .withDescription(
                "dataset '"
                    + name
                    + "' already exists here; put it under another name or"
                    + " append to it")
            .toRuntimeException();
      }
      if (exists && !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
        throw CallStatus.INVALID_ARGUMENT
            .withDescription(
                "dataset '"
                    + name
                    + "' is a single file here; only a folder dataset takes"
                    + " appended shards")
            .toRuntimeException();
      }
      if (existing.isPresent()) {
        for (Schema schema : put.parts.values()) {
          Optional<String> difference = SchemaDifference.between(existing.get(), schema);
          if (difference.isPresent()) {
            throw CallStatus.INVALID_ARGUMENT
                .withDescription(
                    "cannot append to dataset '"
                        + name
                        + "': its schema differs: "
                        + difference.get())
                .toRuntimeException();
          }
        }
      }
      if (!request.parts().isEmpty() && !put.parts.keySet().containsAll(request.parts())) {
        List<Integer> missing = new ArrayList<>(request.parts());
        missing.removeAll(put.parts.keySet());
        throw CallStatus.NOT_FOUND
            .withDescription("shards " + missing + " of put " + putId + " are not staged here")
            .toRuntimeException();
      }
      if (request.prepare()) {
        put.touched = clock.instant();
        return put.parts.size();
      }
      Path dir = root.resolve(putId).resolve(name.value());
      for (int index : put.parts.keySet()) {
        Files.move(
            dir.resolve(PutParts.stagedName(putId, index)),
            dir.resolve(PutParts.committedName(putId, index, request.shards())),
            StandardCopyOption.ATOMIC_MOVE);
      }
      if (exists) {
        for (int index : put.parts.keySet()) {
          String fileName = PutParts.committedName(putId, index, request.shards());
          Files.move(
              dir.resolve(fileName), target.resolve(fileName), StandardCopyOption.ATOMIC_MOVE);
        }
        ParquetFiles.fsync(target);
      } else {
        try {
          Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
          throw CallStatus.ALREADY_EXISTS
              .withDescription(
                  "dataset '"
                      + name
                      + "' was created here meanwhile; put it under another"
                      + " name or append to it")
              .toRuntimeException();
        }
        ParquetFiles.fsync(dataDir);
      }
      puts.remove(putId);
      ParquetFiles.deleteRecursively(root.resolve(putId));
      log.info("committed put {} of {}: {} parts", putId, name, put.parts.size());
      return put.parts.size();
    }
  }

  /**
   * Deletes every part of a put here: staged ones, and committed ones in the dataset's folder
   * (which is removed when nothing else is left in it).
   *
   * @return how many files were deleted
   */
  public int abort(AbortPut request) throws IOException {
    requireNonNull(request, "request is null");
    DatasetName name = DatasetName.of(request.name());
    if (name.segments().size() != 1) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription("a put names one top-level dataset; got '" + name + "'")
          .toRuntimeException();
    }
    String putId = request.putId();
    int deleted = 0;
    synchronized (lock) {
      Put put = puts.remove(putId);
      if (put != null) {
        deleted += put.parts.size();
      }
      ParquetFiles.deleteRecursively(root.resolve(putId));
      Path target = dataDir.resolve(name.value());
      if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
        List<Path> parts = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(target)) {
          for (Path file : files) {
            Optional<PutParts.Part> part = PutParts.committed(file.getFileName().toString());
            if (part.isPresent() && part.get().putId().equals(putId)) {
              parts.add(file);
            }
          }
        }
        for (Path file : parts) {
          Files.deleteIfExists(file);
          deleted++;
        }
        if (!parts.isEmpty()) {
          try {
            Files.delete(target); // only when empty: the put created it
          } catch (DirectoryNotEmptyException e) {
            // Other files of the dataset stay.
          }
        }
      }
    }
    if (deleted > 0) {
      log.info("aborted put {} of {}: {} parts deleted", putId, name, deleted);
    }
    return deleted;
  }

  /**
   * Deletes the puts whose last part was staged more than the timeout ago and that are not being
   * written.
   *
   * @return the ids of the puts deleted
   */
  public List<String> expire() {
    Instant deadline = clock.instant().minus(timeout);
    List<String> expired = new ArrayList<>();
    synchronized (lock) {
      var entries = puts.entrySet().iterator();
      while (entries.hasNext()) {
        var entry = entries.next();
        Put put = entry.getValue();
        if (put.writing == 0 && put.touched.isBefore(deadline)) {
          entries.remove();
          expired.add(entry.getKey());
          try {
            ParquetFiles.deleteRecursively(root.resolve(entry.getKey()));
          } catch (IOException e) {
            log.warn("cannot delete expired put {}: {}", entry.getKey(), e.toString());
          }
        }
      }
    }
    expired.forEach(
        id ->
            log.warn(
                "deleted put {}: no commit_put within {} s of its last shard",
                id,
                timeout.toSeconds()));
    return expired;
  }

  /** The ids of the puts staged here, for tests and diagnostics. */
  public List<String> staged() {
    synchronized (lock) {
      return List.copyOf(puts.keySet());
    }
  }
}
