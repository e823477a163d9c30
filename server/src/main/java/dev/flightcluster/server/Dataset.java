package dev.flightcluster.server;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.DatasetFingerprint;
import dev.flightcluster.protocol.DatasetName;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * One dataset of the store as of a refresh.
 *
 * @param files the real paths of its Parquet files, in name order, each checked to lie inside the
 *     data dir
 * @param schema the schema it is served with, in IPC message form: the files' columns as their
 *     footers' Arrow schema has them (a dictionary-encoded column stays one only in a dataset of one
 *     file with one row group, decisions D38), then the partition columns
 * @param partitions the hive partition columns and each file's values; {@link Partitions#NONE} for
 *     a dataset whose files lie under no {@code key=value} directory
 * @param bytes the Parquet bytes on disk
 * @param arrowBytes about how many bytes of Arrow data a DoGet sends: the FlightInfo's total_bytes
 * @param filePaths each file's {@code /}-separated path inside the dataset's folder, in the order of
 *     {@code files}; a single-file dataset's one path is its name
 */
record Dataset(
    DatasetName name,
    List<FileMeta> files,
    Schema schema,
    Partitions partitions,
    long rows,
    long bytes,
    long arrowBytes,
    DatasetFingerprint fingerprint,
    List<String> filePaths) {
  Dataset {
    requireNonNull(name, "name is null");
    files = List.copyOf(files);
    requireNonNull(schema, "schema is null");
    requireNonNull(partitions, "partitions is null");
    if (!partitions.isEmpty() && partitions.values().size() != files.size()) {
      throw new IllegalArgumentException("one list of partition values per file is needed");
    }
    requireNonNull(fingerprint, "fingerprint is null");
    filePaths = List.copyOf(filePaths);
    if (filePaths.size() != files.size()) {
      throw new IllegalArgumentException("one path per file is needed");
    }
  }

  /** Whether this is a folder of files rather than one top-level Parquet file. */
  boolean isFolder() {
    return !(files.size() == 1 && filePaths.get(0).equals(name.value()));
  }

  List<Path> paths() {
    return files.stream().map(FileMeta::path).toList();
  }

  /** The schema of the files alone: the served schema without the partition columns. */
  Schema fileSchema() {
    if (partitions.isEmpty()) {
      return schema;
    }
    int columns = schema.getFields().size() - partitions.fields().size();
    return new Schema(schema.getFields().subList(0, columns), schema.getCustomMetadata());
  }
}
