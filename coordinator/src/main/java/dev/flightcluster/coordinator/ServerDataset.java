package dev.flightcluster.coordinator;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.DatasetFingerprint;
import dev.flightcluster.protocol.DatasetName;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * One dataset as one data server listed it. Only what the merged FlightInfo needs is kept: the
 * server's own endpoint is dropped because the coordinator knows the server's location from its
 * hello.
 *
 * @param appMetadata the fingerprint encoded once for the merged FlightInfo's {@code app_metadata},
 *     so that building the catalog does no JSON work; never modify it
 */
record ServerDataset(
    DatasetName name,
    DatasetFingerprint fingerprint,
    Schema schema,
    long records,
    long bytes,
    byte[] appMetadata) {
  ServerDataset {
    requireNonNull(name, "name is null");
    requireNonNull(fingerprint, "fingerprint is null");
    requireNonNull(schema, "schema is null");
    requireNonNull(appMetadata, "appMetadata is null");
  }

  ServerDataset(
      DatasetName name, DatasetFingerprint fingerprint, Schema schema, long records, long bytes) {
    this(
        name,
        fingerprint,
        schema,
        records,
        bytes,
        requireNonNull(fingerprint, "fingerprint is null").toAppMetadata());
  }
}
