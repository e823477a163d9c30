package dev.flightcluster.server.store;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.DatasetFingerprint;
import dev.flightcluster.protocol.DatasetName;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * One dataset of the store as of a refresh.
 *
 * @param filePaths each file's path as tickets name it ({@link
 *     dev.flightcluster.protocol.DatasetTicket}): relative to the dataset's folder, {@code
 *     /}-separated; a single-file dataset's one file is its own name (the dataset name); in the
 *     order of {@code files}
 * @param files the real paths of its Parquet files, in name order, each checked to lie inside the
 *     data dir
 * @param schema the schema it is served with, in IPC message form: the files' columns as their
 *     footers' Arrow schema has them (a dictionary-encoded column stays one only in a dataset of
 *     one file with one row group, decisions D38), then the partition columns
 * @param partitions the hive partition columns and each file's values; {@link Partitions#NONE} for
 *     a dataset whose files lie under no {@code key=value} directory
 * @param bytes the Parquet bytes on disk
 * @param arrowBytes about how many bytes of Arrow data a DoGet sends: the FlightInfo's total_bytes
 */
public record Dataset(
    DatasetName name,
    List<String> filePaths,
    List<FileMeta> files,
    Schema schema,
    Partitions partitions,
    long rows,
    long bytes,
    long arrowBytes,
    DatasetFingerprint fingerprint) {
  public Dataset {
    requireNonNull(name, "name is null");
    filePaths = List.copyOf(filePaths);
    files = List.copyOf(files);
    if (filePaths.size() != files.size()) {
      throw new IllegalArgumentException("one path per file is needed");
    }
    requireNonNull(schema, "schema is null");
    requireNonNull(partitions, "partitions is null");
    if (!partitions.isEmpty() && partitions.values().size() != files.size()) {
      throw new IllegalArgumentException("one list of partition values per file is needed");
    }
    requireNonNull(fingerprint, "fingerprint is null");
  }

  /** The real paths of its files, in stream order. */
  public List<Path> paths() {
    return files.stream().map(FileMeta::path).toList();
  }

  /**
   * Where file {@code path} (as tickets name it) is in {@link #files()}.
   *
   * @return -1 when the dataset has no such file
   */
  public int indexOf(String path) {
    return filePaths.indexOf(path);
  }

  /** The schema of the files alone: the served schema without the partition columns. */
  public Schema fileSchema() {
    if (partitions.isEmpty()) {
      return schema;
    }
    int columns = schema.getFields().size() - partitions.fields().size();
    return new Schema(schema.getFields().subList(0, columns), schema.getCustomMetadata());
  }
}
