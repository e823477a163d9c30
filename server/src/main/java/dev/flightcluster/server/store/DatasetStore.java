package dev.flightcluster.server.store;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.server.parquet.ParquetFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The datasets of a data dir: each top-level {@code *.parquet} file, and each top-level directory
 * holding Parquet files at any depth, scanned as one dataset. A folder whose files lie under
 * hive-style {@code key=value} directories gets one column per key after the files' columns (see
 * {@link Partitions}).
 *
 * <p>A facade over the pieces that each do one thing: {@link DataDir} (layout and path checks),
 * {@link FileInspections} (the per-file cache), {@link DatasetAssembler} and {@link Fingerprints}
 * (a dataset of its files) and {@link Uploads} (staging and publishing).
 *
 * <p>{@link #refresh} re-reads only files whose size or modification time changed. A file that
 * cannot be read leaves its dataset out, with one WARN per version of the file, while every other
 * dataset keeps serving. Thread-safe: refreshes are serialized, readers see immutable {@link
 * Listing} snapshots.
 */
public final class DatasetStore {
  /** The hidden folder of the data dir that holds uploads in progress. */
  public static final String STAGING_DIR = DataDir.STAGING_DIR;

  private static final Logger log = LoggerFactory.getLogger(DatasetStore.class);

  private final DataDir dir;
  private final Uploads uploads;
  private final Object refreshLock = new Object();

  // Guarded by refreshLock.
  private final FileInspections inspections;
  private final DatasetAssembler assembler;
  private Set<String> warned = Set.of();

  private volatile Listing listing;

  private DatasetStore(BufferAllocator allocator, Path realDataDir) {
    this.dir = new DataDir(realDataDir);
    this.uploads = new Uploads(allocator, dir);
    this.inspections = new FileInspections(allocator);
    this.assembler = new DatasetAssembler(inspections);
    // A restarted server must never reuse a version the coordinator may still hold for it.
    this.listing = new Listing(System.currentTimeMillis(), new TreeMap<>());
  }

  /**
   * Opens the data dir, creating it if missing, clears the staging area of uploads an earlier run
   * left behind, and lists the datasets.
   *
   * @param allocator inspections and uploads allocate from it; it must outlive the store
   */
  public static DatasetStore open(BufferAllocator allocator, Path dataDir) throws IOException {
    requireNonNull(allocator, "allocator is null");
    requireNonNull(dataDir, "dataDir is null");
    Files.createDirectories(dataDir);
    DatasetStore store = new DatasetStore(allocator, dataDir.toRealPath());
    store.uploads.clearStaging();
    store.refresh();
    return store;
  }

  /** The data dir's real path. */
  public Path dataDir() {
    return dir.root();
  }

  /**
   * Where the hot cache keeps its copies unless told otherwise: a folder of the staging area,
   * hidden from the listing, that survives the clearing of the staging area at startup.
   */
  public Path defaultCacheDir() {
    return dir.defaultCache();
  }

  /** The datasets as of the last refresh. */
  public Listing listing() {
    return listing;
  }

  /**
   * The dataset called {@code name}.
   *
   * @throws FlightRuntimeException NOT_FOUND when there is none, INVALID_ARGUMENT when the name
   *     leads outside the data dir
   */
  public Dataset find(DatasetName name) {
    Dataset dataset = listing.datasets().get(name);
    if (dataset != null) {
      return dataset;
    }
    if (dir.leadsOutside(name)) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription(
              "dataset '" + name + "' resolves outside the data dir and is never served")
          .toRuntimeException();
    }
    throw CallStatus.NOT_FOUND
        .withDescription(
            "no dataset '"
                + name
                + "' here; datasets are the top-level Parquet files and folders"
                + " of the data dir, list them with ListFlights")
        .toRuntimeException();
  }

  /**
   * The error for a ticket that names file {@code path} (already checked for form by the protocol)
   * that {@code dataset} does not have here: INVALID_ARGUMENT when the path leads outside the data
   * dir or into a hidden entry (through a symbolic link), else NOT_FOUND naming it.
   */
  public FlightRuntimeException notInDataset(Dataset dataset, String path) {
    Path folder = dir.entry(dataset.name());
    if (Files.isDirectory(folder) && dir.leadsOutside(folder.resolve(path))) {
      return CallStatus.INVALID_ARGUMENT
          .withDescription(
              "file '"
                  + path
                  + "' of dataset '"
                  + dataset.name()
                  + "' resolves outside the data dir and is never served")
          .toRuntimeException();
    }
    return CallStatus.NOT_FOUND
        .withDescription(
            "dataset '"
                + dataset.name()
                + "' has no file '"
                + path
                + "' on this server; its files"
                + " are listed per endpoint by GetFlightInfo")
        .toRuntimeException();
  }

  /**
   * Re-reads the data dir.
   *
   * @return true when the listing version changed
   */
  public boolean refresh() {
    synchronized (refreshLock) {
      Warnings warnings = new Warnings(log, warned);
      List<Path> entries;
      try {
        entries = dir.entries();
      } catch (IOException e) {
        warnings.warnOnce("dir", "cannot list the data dir {}: {}", dir.root(), e.toString());
        warned = warnings.raised();
        return false;
      }
      SortedMap<DatasetName, Dataset> datasets = new TreeMap<>();
      for (Path entry : entries) {
        datasetAt(entry, warnings).ifPresent(dataset -> datasets.put(dataset.name(), dataset));
      }
      inspections.retainInspected();
      warned = warnings.raised();
      Listing old = listing;
      if (Fingerprints.same(old.datasets(), datasets)) {
        listing = new Listing(old.version(), datasets);
        return false;
      }
      listing = new Listing(Math.max(old.version() + 1, System.currentTimeMillis()), datasets);
      log.info(
          "listing version {}: {} datasets {}",
          listing.version(),
          datasets.size(),
          datasets.keySet());
      return true;
    }
  }

  private Optional<Dataset> datasetAt(Path entry, Warnings warnings) {
    String fileName = entry.getFileName().toString();
    if (fileName.startsWith(".")) {
      return Optional.empty();
    }
    DatasetName name;
    try {
      name = DatasetName.of(fileName);
    } catch (FlightRuntimeException e) {
      warnings.warnOnce("name:" + fileName, "not serving {}: {}", entry, e.status().description());
      return Optional.empty();
    }
    Path real;
    try {
      real = entry.toRealPath();
    } catch (IOException e) {
      return Optional.empty(); // a dangling link, or gone since the listing
    }
    if (!dir.inside(real)) {
      warnings.warnOnce(
          "outside:" + fileName + ":" + real,
          "not serving {}: it resolves to {}, outside the data dir",
          entry,
          real);
      return Optional.empty();
    }
    List<DataDir.Found> files;
    if (Files.isRegularFile(real) && DataDir.isParquetName(fileName)) {
      files = List.of(new DataDir.Found(Path.of(fileName), real));
    } else if (Files.isDirectory(real)) {
      try {
        files =
            dir.parquetFilesUnder(
                real,
                (file, target) ->
                    warnings.warnOnce(
                        "outside:" + file + ":" + target,
                        "not serving {}: it resolves to {}, outside the data dir",
                        file,
                        target));
      } catch (IOException e) {
        warnings.warnOnce(
            "walk:" + fileName,
            "leaving out dataset {}: cannot list {}: {}",
            name,
            real,
            e.toString());
        return Optional.empty();
      }
    } else {
      return Optional.empty();
    }
    if (files.isEmpty()) {
      return Optional.empty();
    }
    return assembler.assemble(name, files, warnings);
  }

  /**
   * Checks, right before a scan opens them, that the files of a listed dataset are still the files
   * that were listed: same real path inside the data dir, same size and modification time.
   */
  public boolean unchanged(Dataset dataset) {
    for (FileMeta meta : dataset.files()) {
      try {
        Path real = meta.path().toRealPath();
        BasicFileAttributes attrs = Files.readAttributes(real, BasicFileAttributes.class);
        if (!real.equals(meta.path())
            || !dir.inside(real)
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
   * @throws IOException when the server cannot write or publish it
   */
  public ParquetFiles.Written upload(
      DatasetName name, ArrowReader source, BooleanSupplier cancelled) throws IOException {
    return uploads.upload(name, source, cancelled);
  }
}
