package dev.flightcluster.coordinator;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One file of a folder dataset as the cluster holds it: every live server listing the same path
 * with the same fingerprint holds a replica of it (decisions D58). Immutable.
 *
 * @param path the file's path inside the dataset, as tickets name it
 * @param fingerprint the file's content fingerprint
 * @param rows its rows
 * @param bytes its Parquet bytes: what endpoints are grouped by
 * @param arrowBytes about how many bytes of Arrow data it decodes to: what total_bytes sums
 * @param holders the servers holding it, sorted by id
 */
record Shard(
    String path,
    String fingerprint,
    long rows,
    long bytes,
    long arrowBytes,
    List<RegisteredServer> holders) {
  Shard {
    requireNonNull(path, "path is null");
    requireNonNull(fingerprint, "fingerprint is null");
    holders = List.copyOf(holders);
  }

  /** The holders' ids in order: shards with equal keys can share an endpoint. */
  String holderKey() {
    return String.join("\n", holders.stream().map(RegisteredServer::id).toList());
  }
}
