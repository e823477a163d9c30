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
 * @param schema the schema it is served with: dictionary-encoded columns appear as plain values
 * @param bytes the Parquet bytes on disk
 */
record Dataset(
    DatasetName name,
    List<FileMeta> files,
    Schema schema,
    long rows,
    long bytes,
    DatasetFingerprint fingerprint) {
  Dataset {
    requireNonNull(name, "name is null");
    files = List.copyOf(files);
    requireNonNull(schema, "schema is null");
    requireNonNull(fingerprint, "fingerprint is null");
  }

  List<Path> paths() {
    return files.stream().map(FileMeta::path).toList();
  }
}
