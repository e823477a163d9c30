package dev.flightcluster.coordinator;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.DatasetFingerprint;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.ListingMetadata;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * One dataset as one data server listed it. Only what the merged FlightInfo needs is kept: the
 * server's own endpoint is dropped because the coordinator knows the server's location from its
 * hello.
 *
 * @param appMetadata the fingerprint encoded once for the merged FlightInfo's {@code app_metadata},
 *     so that building the catalog does no JSON work; never modify it
 * @param folder whether the server holds it as a folder of files, whose files may be spread over
 *     several servers (decisions D58)
 * @param files its files as the server listed them; empty from a server that lists none
 */
record ServerDataset(
    DatasetName name,
    DatasetFingerprint fingerprint,
    Schema schema,
    long records,
    long bytes,
    byte[] appMetadata,
    boolean folder,
    List<ListingMetadata.File> files) {
  ServerDataset {
    requireNonNull(name, "name is null");
    requireNonNull(fingerprint, "fingerprint is null");
    requireNonNull(schema, "schema is null");
    requireNonNull(appMetadata, "appMetadata is null");
    files = List.copyOf(files);
  }

  /** A dataset listed without its files: served whole, as one shard. */
  ServerDataset(
      DatasetName name, DatasetFingerprint fingerprint, Schema schema, long records, long bytes) {
    this(name, fingerprint, schema, records, bytes, false, List.of());
  }

  /** Whether its files take part in the merge by file (a folder listed with its files). */
  boolean sharded() {
    return folder && !files.isEmpty();
  }

  ServerDataset(
      DatasetName name,
      DatasetFingerprint fingerprint,
      Schema schema,
      long records,
      long bytes,
      boolean folder,
      List<ListingMetadata.File> files) {
    this(
        name,
        fingerprint,
        schema,
        records,
        bytes,
        requireNonNull(fingerprint, "fingerprint is null").toAppMetadata(),
        folder,
        files);
  }
}
