package dev.flightcluster.server;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.DatasetFingerprint;
import dev.flightcluster.protocol.ListingMetadata;
import dev.flightcluster.server.store.Dataset;
import dev.flightcluster.server.store.FileMeta;
import java.util.ArrayList;
import java.util.List;

/**
 * What a listed FlightInfo tells the coordinator about a dataset's files, so that it can merge the
 * files of one folder dataset spread over several servers into shards (decisions D58): each file's
 * path inside the dataset, content fingerprint, rows and bytes. The fingerprint is computed from
 * what the store already keeps per file (schema, rows, size and Parquet footer), so listing reads
 * no file.
 */
final class ShardListing {
  private ShardListing() {}

  /** The {@code app_metadata} of {@code dataset}'s listed FlightInfo. */
  static byte[] appMetadata(Dataset dataset) {
    requireNonNull(dataset, "dataset is null");
    List<ListingMetadata.File> files = new ArrayList<>(dataset.files().size());
    for (int i = 0; i < dataset.files().size(); i++) {
      FileMeta meta = dataset.files().get(i);
      files.add(
          new ListingMetadata.File(
              dataset.filePaths().get(i),
              fingerprint(meta).value(),
              meta.rows(),
              meta.size(),
              meta.arrowBytes()));
    }
    return new ListingMetadata(dataset.fingerprint().value(), isFolder(dataset), files)
        .toAppMetadata();
  }

  /**
   * Whether the dataset is a folder, whose files may be spread over servers, rather than one
   * top-level Parquet file: such a file's one path is the dataset's own name.
   */
  private static boolean isFolder(Dataset dataset) {
    return !(dataset.files().size() == 1
        && dataset.filePaths().get(0).equals(dataset.name().value()));
  }

  /** The content identity of one file: equal on every server that holds a copy of it. */
  static DatasetFingerprint fingerprint(FileMeta meta) {
    return DatasetFingerprint.compute(
        meta.schema(), meta.rows(), meta.size(), DatasetFingerprint.sha256().digest(meta.footer()));
  }
}
