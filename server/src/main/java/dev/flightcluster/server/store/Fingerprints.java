package dev.flightcluster.server.store;

import dev.flightcluster.protocol.DatasetFingerprint;
import dev.flightcluster.protocol.DatasetName;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A dataset's identity: its served schema, row and byte counts, and a digest of its files' Parquet
 * footers (and partition values), so the same files give the same fingerprint on every server, and
 * any change to them gives another.
 */
final class Fingerprints {
  private Fingerprints() {}

  static DatasetFingerprint of(
      Schema schema, List<FileMeta> files, Partitions partitions, long rows, long bytes) {
    MessageDigest footers = DatasetFingerprint.sha256();
    for (FileMeta meta : files) {
      footers.update(meta.footer());
    }
    if (!partitions.isEmpty()) {
      partitions.digestInto(footers);
    }
    return DatasetFingerprint.compute(schema, rows, bytes, footers.digest());
  }

  /** Whether two listings hold the same (name, fingerprint) pairs: the listing version stays. */
  static boolean same(Map<DatasetName, Dataset> a, Map<DatasetName, Dataset> b) {
    return of(a).equals(of(b));
  }

  private static Map<DatasetName, DatasetFingerprint> of(Map<DatasetName, Dataset> datasets) {
    Map<DatasetName, DatasetFingerprint> out = new HashMap<>();
    datasets.forEach((name, dataset) -> out.put(name, dataset.fingerprint()));
    return out;
  }
}
