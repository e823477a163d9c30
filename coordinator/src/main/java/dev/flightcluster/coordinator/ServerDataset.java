package dev.flightcluster.coordinator;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.DatasetFingerprint;
import dev.flightcluster.protocol.DatasetName;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * One dataset as one data server listed it. Only what the merged FlightInfo needs is kept: the
 * server's own endpoint is dropped because the coordinator knows the server's location from its
 * hello.
 */
record ServerDataset(
    DatasetName name, DatasetFingerprint fingerprint, Schema schema, long records, long bytes) {
  ServerDataset {
    requireNonNull(name, "name is null");
    requireNonNull(fingerprint, "fingerprint is null");
    requireNonNull(schema, "schema is null");
  }
}
