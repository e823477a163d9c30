package dev.flightcluster.server.store;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.server.parquet.ArrowSchemaFooter;
import dev.flightcluster.server.parquet.ParquetFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.dataset.file.FileSystemDatasetFactory;
import org.apache.arrow.dataset.scanner.ScanOptions;
import org.apache.arrow.dataset.scanner.Scanner;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.format.FileMetaData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the store knows of each Parquet file ({@link FileMeta}), kept while the file keeps its size
 * and modification time, so a refresh re-reads only files that changed. A file that cannot be read
 * is remembered too, so it is neither read nor reported again until it changes.
 *
 * <p>Not thread-safe: the store's refreshes are serialized.
 */
final class FileInspections {
  private static final Logger log = LoggerFactory.getLogger(FileInspections.class);

  /** Batch size of the row-count scans; they read no columns, so large batches cost nothing. */
  private static final long COUNT_BATCH_ROWS = 1 << 20;

  private final BufferAllocator allocator;
  private Map<Path, FileMeta> cache = new HashMap<>();
  private final Map<Path, FileMeta> seen = new HashMap<>();

  FileInspections(BufferAllocator allocator) {
    this.allocator = requireNonNull(allocator, "allocator is null");
  }

  /**
   * What is known of {@code file}, read again only when it changed.
   *
   * @param dataset the dataset it belongs to, for the warning
   * @return empty when the file is unreadable (warned once per version) or gone since the listing
   */
  Optional<FileMeta> inspect(Path file, Object dataset, Warnings warnings) {
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (IOException e) {
      return Optional.empty(); // gone since the listing; the next refresh settles it
    }
    String key = "unreadable:" + file + ":" + attrs.size() + ":" + attrs.lastModifiedTime();
    FileMeta meta = cache.get(file);
    if (meta == null || !meta.sameVersion(attrs.size(), attrs.lastModifiedTime())) {
      if (warnings.raisedBefore(key)) {
        warnings.keep(key); // known bad and unchanged: not read again, not logged again
        return Optional.empty();
      }
      try {
        meta = read(file, attrs);
      } catch (IOException | RuntimeException e) {
        warnings.warnOnce(
            key,
            "leaving out dataset {}: cannot read Parquet file {}: {}",
            dataset,
            file,
            Warnings.firstLine(e));
        return Optional.empty();
      }
    }
    seen.put(file, meta);
    return Optional.of(meta);
  }

  /** Ends a refresh: forgets the files it did not inspect. */
  void retainInspected() {
    cache = new HashMap<>(seen);
    seen.clear();
  }

  private FileMeta read(Path file, BasicFileAttributes attrs) throws IOException {
    byte[] footer = ParquetFiles.footer(file);
    FileMetaData metadata = ArrowSchemaFooter.parse(footer);
    try (FileSystemDatasetFactory factory = ParquetFiles.datasetFactory(allocator, List.of(file))) {
      Schema schema = StoredTypes.served(factory.inspect(), storedSchema(file, footer));
      long rows = 0;
      // An empty projection reads no column data: the row count comes from the row groups.
      try (org.apache.arrow.dataset.source.Dataset dataset = factory.finish();
          Scanner scanner =
              dataset.newScan(new ScanOptions(COUNT_BATCH_ROWS, Optional.of(new String[0])));
          ArrowReader reader = scanner.scanBatches()) {
        while (reader.loadNextBatch()) {
          rows += reader.getVectorSchemaRoot().getRowCount();
        }
      } catch (IOException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IOException(e);
      }
      return new FileMeta(
          file,
          attrs.size(),
          attrs.lastModifiedTime(),
          schema,
          rows,
          footer,
          metadata.getRow_groupsSize(),
          ArrowSize.estimate(metadata));
    }
  }

  /**
   * The Arrow schema in the file's footer; a broken one is ignored, as Arrow's readers would fail.
   */
  private static Optional<Schema> storedSchema(Path file, byte[] footer) {
    try {
      return ArrowSchemaFooter.read(footer);
    } catch (IOException e) {
      log.warn("ignoring the Arrow schema in the footer of {}: {}", file, Warnings.firstLine(e));
      return Optional.empty();
    }
  }
}
