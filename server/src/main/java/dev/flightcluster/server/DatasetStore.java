package dev.flightcluster.server;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.DatasetFingerprint;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.server.parquet.ArrowSchemaFooter;
import dev.flightcluster.server.parquet.ParquetFiles;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.apache.arrow.dataset.file.FileFormat;
import org.apache.arrow.dataset.file.FileSystemDatasetFactory;
import org.apache.arrow.dataset.jni.NativeMemoryPool;
import org.apache.arrow.dataset.scanner.ScanOptions;
import org.apache.arrow.dataset.scanner.Scanner;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.format.FileMetaData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The datasets of a data dir: each top-level {@code *.parquet} file, and each top-level directory
 * holding Parquet files at any depth, scanned as one dataset. A folder whose files lie under
 * hive-style {@code key=value} directories gets one column per key after the files' columns (see
 * {@link Partitions}). Hidden entries (starting with {@code .}) are never served; {@code
 * .flight-staging} holds uploads in progress.
 *
 * <p>Nothing outside the data dir is ever listed or opened: every path is resolved to its real path
 * and checked before use, so a symbolic link that leads out is left out.
 *
 * <p>{@link #refresh} re-reads only files whose size or modification time changed. A file that
 * cannot be read leaves its dataset out, with one WARN per version of the file, while every other
 * dataset keeps serving. Thread-safe: refreshes are serialized, readers see immutable {@link
 * Listing} snapshots.
 */
final class DatasetStore {
  static final String STAGING_DIR = ".flight-staging";

  private static final Logger log = LoggerFactory.getLogger(DatasetStore.class);
  private static final String PARQUET_SUFFIX = ".parquet";
  /** Batch size of the row-count scans; they read no columns, so large batches cost nothing. */
  private static final long COUNT_BATCH_ROWS = 1 << 20;

  private final BufferAllocator allocator;
  private final Path dataDir;
  private final Path staging;
  private final Set<String> uploads = ConcurrentHashMap.newKeySet();
  private final Object refreshLock = new Object();

  // Guarded by refreshLock.
  private Map<Path, FileMeta> cache = new HashMap<>();
  private Set<String> warned = Set.of();

  private volatile Listing listing;

  private DatasetStore(BufferAllocator allocator, Path dataDir) {
    this.allocator = allocator;
    this.dataDir = dataDir;
    this.staging = dataDir.resolve(STAGING_DIR);
    // A restarted server must never reuse a version the coordinator may still hold for it.
    this.listing = new Listing(System.currentTimeMillis(), new TreeMap<>());
  }

  /**
   * Opens the data dir, creating it if missing, clears the staging area of uploads an earlier run
   * left behind, and lists the datasets.
   */
  static DatasetStore open(BufferAllocator allocator, Path dataDir) throws IOException {
    requireNonNull(allocator, "allocator is null");
    requireNonNull(dataDir, "dataDir is null");
    Files.createDirectories(dataDir);
    DatasetStore store = new DatasetStore(allocator, dataDir.toRealPath());
    ParquetFiles.deleteRecursively(store.staging);
    Files.createDirectories(store.staging);
    store.refresh();
    return store;
  }

  Path dataDir() {
    return dataDir;
  }

  Listing listing() {
    return listing;
  }

  /**
   * The dataset called {@code name}.
   *
   * @throws FlightRuntimeException NOT_FOUND when there is none, INVALID_ARGUMENT when the name
   *     leads outside the data dir
   */
  Dataset find(DatasetName name) {
    Dataset dataset = listing.datasets().get(name);
    if (dataset != null) {
      return dataset;
    }
    // Only to explain the refusal: resolving a link reads no file content.
    Path path = dataDir.resolve(name.value());
    if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      try {
        if (!inside(path.toRealPath())) {
          throw CallStatus.INVALID_ARGUMENT
              .withDescription(
                  "dataset '" + name + "' resolves outside the data dir and is never served")
              .toRuntimeException();
        }
      } catch (IOException e) {
        // A dangling link: simply not found.
      }
    }
    throw CallStatus.NOT_FOUND
        .withDescription(
            "no dataset '" + name + "' here; datasets are the top-level Parquet files and folders"
                + " of the data dir, list them with ListFlights")
        .toRuntimeException();
  }

  /**
   * Re-reads the data dir.
   *
   * @return true when the listing version changed
   */
  boolean refresh() {
    synchronized (refreshLock) {
      Set<String> warnings = new HashSet<>();
      Map<Path, FileMeta> seen = new HashMap<>();
      SortedMap<DatasetName, Dataset> datasets = new TreeMap<>();
      List<Path> entries = new ArrayList<>();
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(dataDir)) {
        stream.forEach(entries::add);
      } catch (IOException e) {
        warnOnce(warnings, "dir", "cannot list the data dir {}: {}", dataDir, e.toString());
        warned = warnings;
        return false;
      }
      entries.sort(null);
      for (Path entry : entries) {
        Dataset dataset = datasetAt(entry, seen, warnings);
        if (dataset != null) {
          datasets.put(dataset.name(), dataset);
        }
      }
      cache = seen;
      warned = warnings;
      Listing old = listing;
      if (fingerprints(old.datasets()).equals(fingerprints(datasets))) {
        listing = new Listing(old.version(), datasets);
        return false;
      }
      listing = new Listing(Math.max(old.version() + 1, System.currentTimeMillis()), datasets);
      log.info("listing version {}: {} datasets {}", listing.version(), datasets.size(), datasets.keySet());
      return true;
    }
  }

  private static Map<DatasetName, DatasetFingerprint> fingerprints(Map<DatasetName, Dataset> datasets) {
    Map<DatasetName, DatasetFingerprint> out = new HashMap<>();
    datasets.forEach((name, dataset) -> out.put(name, dataset.fingerprint()));
    return out;
  }

  private Dataset datasetAt(Path entry, Map<Path, FileMeta> seen, Set<String> warnings) {
    String fileName = entry.getFileName().toString();
    if (fileName.startsWith(".")) {
      return null;
    }
    DatasetName name;
    try {
      name = DatasetName.of(fileName);
    } catch (FlightRuntimeException e) {
      warnOnce(warnings, "name:" + fileName, "not serving {}: {}", entry, e.status().description());
      return null;
    }
    Path real;
    try {
      real = entry.toRealPath();
    } catch (IOException e) {
      return null; // a dangling link, or gone since the listing
    }
    if (!inside(real)) {
      warnOnce(warnings, "outside:" + fileName + ":" + real,
          "not serving {}: it resolves to {}, outside the data dir", entry, real);
      return null;
    }
    List<Found> files;
    if (Files.isRegularFile(real) && isParquetName(fileName)) {
      files = List.of(new Found(Path.of(fileName), real));
    } else if (Files.isDirectory(real)) {
      try {
        files = parquetFilesUnder(real, warnings);
      } catch (IOException e) {
        warnOnce(warnings, "walk:" + fileName, "leaving out dataset {}: cannot list {}: {}",
            name, real, e.toString());
        return null;
      }
    } else {
      return null;
    }
    if (files.isEmpty()) {
      return null;
    }
    return load(name, files, seen, warnings);
  }

  /** A Parquet file of a dataset: where it lies relative to the dataset's folder, and its real path. */
  private record Found(Path relative, Path real) {}

  /** The Parquet files under a folder dataset, in the order of their relative names. */
  private List<Found> parquetFilesUnder(Path root, Set<String> warnings) throws IOException {
    SortedMap<String, Found> found = new TreeMap<>();
    Files.walkFileTree(
        root,
        EnumSet.noneOf(FileVisitOption.class),
        Integer.MAX_VALUE,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            return !dir.equals(root) && isIgnored(dir.getFileName().toString())
                ? FileVisitResult.SKIP_SUBTREE
                : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
            String fileName = file.getFileName().toString();
            if (isIgnored(fileName) || !isParquetName(fileName)) {
              return FileVisitResult.CONTINUE;
            }
            Path real = file;
            if (attrs.isSymbolicLink()) {
              real = file.toRealPath();
              if (!inside(real)) {
                warnOnce(warnings, "outside:" + file + ":" + real,
                    "not serving {}: it resolves to {}, outside the data dir", file, real);
                return FileVisitResult.CONTINUE;
              }
            }
            if (Files.isRegularFile(real)) {
              Path relative = root.relativize(file);
              found.put(relative.toString(), new Found(relative, real));
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException failure) throws IOException {
            throw failure;
          }
        });
    return List.copyOf(found.values());
  }

  private Dataset load(DatasetName name, List<Found> found, Map<Path, FileMeta> seen, Set<String> warnings) {
    Partitions partitions;
    try {
      partitions = Partitions.discover(found.stream().map(Found::relative).toList());
    } catch (IllegalArgumentException e) {
      warnOnce(warnings, "partitions:" + name + ":" + e.getMessage(),
          "leaving out dataset {}: {}", name, e.getMessage());
      return null;
    }
    List<FileMeta> metas = new ArrayList<>(found.size());
    for (Found each : found) {
      Path file = each.real();
      FileMeta meta;
      try {
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
        String key = "unreadable:" + file + ":" + attrs.size() + ":" + attrs.lastModifiedTime();
        FileMeta cached = cache.get(file);
        if (cached != null && cached.sameVersion(attrs.size(), attrs.lastModifiedTime())) {
          meta = cached;
        } else if (warned.contains(key)) {
          warnings.add(key); // known bad and unchanged: not read again, not logged again
          return null;
        } else {
          try {
            meta = inspect(file, attrs);
          } catch (IOException | RuntimeException e) {
            warnOnce(warnings, key, "leaving out dataset {}: cannot read Parquet file {}: {}",
                name, file, firstLine(e));
            return null;
          }
        }
      } catch (IOException e) {
        return null; // gone since the listing; the next refresh settles it
      }
      seen.put(file, meta);
      metas.add(meta);
    }
    Schema fileSchema = metas.size() == 1 && partitions.isEmpty() && metas.get(0).rowGroups() <= 1
        ? StoredTypes.keepDictionaries(metas.get(0).schema())
        : plain(metas.get(0).schema());
    for (FileMeta meta : metas.subList(1, metas.size())) {
      if (!plain(meta.schema()).getFields().equals(fileSchema.getFields())) {
        warnOnce(warnings, "schema:" + name + ":" + meta.path() + ":" + meta.modified(),
            "leaving out dataset {}: {} has schema {} but {} has {}; its files must agree",
            name, metas.get(0).path(), fileSchema, meta.path(), plain(meta.schema()));
        return null;
      }
    }
    Schema schema = fileSchema;
    if (!partitions.isEmpty()) {
      List<Field> fields = new ArrayList<>(fileSchema.getFields());
      for (Field partition : partitions.fields()) {
        String key = partition.getName();
        if (fileSchema.getFields().stream().anyMatch(field -> field.getName().equals(key))) {
          FileMeta first = metas.get(0);
          warnOnce(warnings, "partition-column:" + name + ":" + key + ":" + first.path() + ":" + first.modified(),
              "leaving out dataset {}: its files have a column '{}' and also lie under '{}=' directories;"
                  + " rename the column or the directories", name, key, key);
          return null;
        }
        fields.add(partition);
      }
      schema = new Schema(fields, fileSchema.getCustomMetadata());
    }
    long rows = 0;
    long bytes = 0;
    long arrowBytes = 0;
    MessageDigest footers = DatasetFingerprint.sha256();
    for (FileMeta meta : metas) {
      rows += meta.rows();
      bytes += meta.size();
      arrowBytes += meta.arrowBytes();
      footers.update(meta.footer());
    }
    if (!partitions.isEmpty()) {
      partitions.digestInto(footers);
    }
    DatasetFingerprint fingerprint = DatasetFingerprint.compute(schema, rows, bytes, footers.digest());
    List<String> filePaths = found.stream().map(each -> slashed(each.relative())).toList();
    return new Dataset(name, metas, schema, partitions, rows, bytes, arrowBytes, fingerprint, filePaths);
  }

  private static String slashed(Path relative) {
    List<String> parts = new ArrayList<>();
    relative.forEach(part -> parts.add(part.toString()));
    return String.join("/", parts);
  }

  private FileMeta inspect(Path file, BasicFileAttributes attrs) throws IOException {
    byte[] footer = ParquetFiles.footer(file);
    FileMetaData metadata = ArrowSchemaFooter.parse(footer);
    try (FileSystemDatasetFactory factory = factory(allocator, List.of(file))) {
      Schema schema = StoredTypes.served(factory.inspect(), storedSchema(file, footer));
      long rows = 0;
      // An empty projection reads no column data: the row count comes from the row groups.
      try (org.apache.arrow.dataset.source.Dataset dataset = factory.finish();
          Scanner scanner = dataset.newScan(new ScanOptions(COUNT_BATCH_ROWS, Optional.of(new String[0])));
          ArrowReader reader = scanner.scanBatches()) {
        while (reader.loadNextBatch()) {
          rows += reader.getVectorSchemaRoot().getRowCount();
        }
      } catch (IOException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IOException(e);
      }
      return new FileMeta(file, attrs.size(), attrs.lastModifiedTime(), schema, rows, footer,
          metadata.getRow_groupsSize(), ArrowSize.estimate(metadata));
    }
  }

  /** The Arrow schema in the file's footer; a broken one is ignored, as Arrow's readers would fail. */
  private static Optional<Schema> storedSchema(Path file, byte[] footer) {
    try {
      return ArrowSchemaFooter.read(footer);
    } catch (IOException e) {
      log.warn("ignoring the Arrow schema in the footer of {}: {}", file, firstLine(e));
      return Optional.empty();
    }
  }

  static FileSystemDatasetFactory factory(BufferAllocator allocator, List<Path> files) {
    String[] uris = files.stream().map(file -> file.toUri().toString()).toArray(String[]::new);
    return new FileSystemDatasetFactory(allocator, NativeMemoryPool.getDefault(), FileFormat.PARQUET, uris);
  }

  /**
   * Checks, right before a scan opens them, that the files of a listed dataset are still the files
   * that were listed: same real path inside the data dir, same size and modification time.
   */
  boolean unchanged(Dataset dataset) {
    for (FileMeta meta : dataset.files()) {
      try {
        Path real = meta.path().toRealPath();
        BasicFileAttributes attrs = Files.readAttributes(real, BasicFileAttributes.class);
        if (!real.equals(meta.path()) || !inside(real)
            || !meta.sameVersion(attrs.size(), attrs.lastModifiedTime())) {
          return false;
        }
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }

  /**
   * Stores an upload as dataset {@code name}: streamed into the staging area, synced, then renamed
   * into place in one step, so the dataset appears whole or not at all. Nothing is left behind
   * after a failure. The caller refreshes the listing afterwards.
   *
   * @param cancelled checked after the last batch: a cancelled upload is never published
   * @throws FlightRuntimeException INVALID_ARGUMENT for a name of more than one segment or data
   *     Parquet cannot store, ALREADY_EXISTS when the name is taken or being uploaded
   */
  ParquetFiles.Written upload(DatasetName name, ArrowReader source, BooleanSupplier cancelled)
      throws IOException {
    if (name.segments().size() != 1) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription("an upload names one top-level dataset such as 'sales.parquet' or 'trips',"
              + " without '/'; got '" + name + "'")
          .toRuntimeException();
    }
    if (!uploads.add(name.value())) {
      throw alreadyExists("an upload of dataset '" + name + "' is already in progress here");
    }
    try {
      Path target = dataDir.resolve(name.value());
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        throw alreadyExists("dataset '" + name + "' already exists here; upload under another name");
      }
      Path work = staging.resolve(UUID.randomUUID().toString());
      try {
        boolean singleFile = isParquetName(name.value());
        ParquetFiles.Written written;
        try {
          if (singleFile) {
            written = ParquetFiles.writeInto(allocator, source, work, "part-0.parquet");
          } else {
            Files.createDirectory(work);
            written = ParquetFiles.writeInto(allocator, source, work.resolve(name.value()), "part-0.parquet");
          }
        } catch (IllegalArgumentException e) {
          throw CallStatus.INVALID_ARGUMENT.withDescription(e.getMessage()).withCause(e).toRuntimeException();
        }
        if (cancelled.getAsBoolean()) {
          throw CallStatus.CANCELLED.withDescription("the client cancelled the upload").toRuntimeException();
        }
        if (singleFile) {
          publishFile(written.file(), target, name);
        } else {
          publishDirectory(work.resolve(name.value()), target, name);
        }
        ParquetFiles.fsync(dataDir);
        return written;
      } finally {
        ParquetFiles.deleteRecursively(work);
      }
    } finally {
      uploads.remove(name.value());
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
        throw alreadyExists("dataset '" + name + "' already exists here; upload under another name");
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

  /** True for a real path strictly inside the data dir that crosses no hidden entry. */
  private boolean inside(Path real) {
    if (!real.startsWith(dataDir) || real.equals(dataDir)) {
      return false;
    }
    for (Path segment : dataDir.relativize(real)) {
      if (segment.toString().startsWith(".")) {
        return false;
      }
    }
    return true;
  }

  private static boolean isParquetName(String fileName) {
    return fileName.toLowerCase(Locale.ROOT).endsWith(PARQUET_SUFFIX);
  }

  /** Hidden entries, and the {@code _SUCCESS}-style markers that writers leave beside data. */
  private static boolean isIgnored(String fileName) {
    return fileName.startsWith(".") || fileName.startsWith("_");
  }

  /** The schema with every dictionary-encoded field a plain field of its value type. */
  static Schema plain(Schema schema) {
    return new Schema(schema.getFields().stream().map(DatasetStore::plain).toList(), schema.getCustomMetadata());
  }

  static Field plain(Field field) {
    return new Field(
        field.getName(),
        new FieldType(field.isNullable(), field.getType(), null, field.getMetadata()),
        field.getChildren().stream().map(DatasetStore::plain).toList());
  }

  private void warnOnce(Set<String> warnings, String key, String format, Object... args) {
    warnings.add(key);
    if (!warned.contains(key)) {
      log.warn(format, args);
    }
  }

  private static String firstLine(Throwable e) {
    String message = Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
    return message.lines().findFirst().orElse(message);
  }
}
