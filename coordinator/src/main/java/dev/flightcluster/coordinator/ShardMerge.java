package dev.flightcluster.coordinator;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.coordinator.write.PutVisibility;
import dev.flightcluster.protocol.DatasetConflict;
import dev.flightcluster.protocol.DatasetFingerprint;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.ListingMetadata;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Merges the files of one folder dataset listed by several servers into shards (decisions D58): the
 * same path with the same fingerprint is one shard with a replica on each holder, different paths
 * are different shards. The same path with different fingerprints, or holders that disagree on the
 * schema, make the whole dataset a conflict that is not served: serving it would mix files that
 * were never one dataset. The parts of a parallel put are left out until all of them are present
 * ({@link PutVisibility}).
 */
final class ShardMerge {
  private ShardMerge() {}

  /**
   * What the merge gave: either {@code dataset} or {@code conflict}, never both.
   *
   * @param dataset the servable dataset, or null
   * @param conflict why the dataset is not served, or null
   */
  record Result(ShardedDataset dataset, DatasetConflict conflict) {}

  /**
   * A folder dataset merged from its holders. Immutable.
   *
   * @param name its name
   * @param schema the schema every holder listed
   * @param shards its files, by path
   * @param fingerprint a digest of every (path, fingerprint) pair, so that two coordinators, or one
   *     over time, tell whether they serve the same content
   */
  record ShardedDataset(
      DatasetName name, Schema schema, List<Shard> shards, DatasetFingerprint fingerprint) {
    ShardedDataset {
      requireNonNull(name, "name is null");
      requireNonNull(schema, "schema is null");
      shards = List.copyOf(shards);
      requireNonNull(fingerprint, "fingerprint is null");
    }
  }

  /**
   * Merges the listings of {@code holdings}, each a live server and the dataset as it listed it.
   */
  static Result merge(DatasetName name, Map<RegisteredServer, ServerDataset> holdings) {
    requireNonNull(name, "name is null");
    requireNonNull(holdings, "holdings is null");
    List<Map.Entry<RegisteredServer, ServerDataset>> byId = new ArrayList<>(holdings.entrySet());
    byId.sort(Map.Entry.comparingByKey(Comparator.comparing(RegisteredServer::id)));

    Schema schema = byId.get(0).getValue().schema();
    for (var holding : byId) {
      if (!holding.getValue().schema().equals(schema)) {
        return new Result(null, schemaConflict(name, byId));
      }
    }

    // path -> fingerprint -> (file as listed, holders); sorted maps keep the merge deterministic.
    NavigableMap<String, NavigableMap<String, List<RegisteredServer>>> byPath = new TreeMap<>();
    Map<String, ListingMetadata.File> listed = new TreeMap<>();
    for (var holding : byId) {
      for (ListingMetadata.File file : holding.getValue().files()) {
        byPath
            .computeIfAbsent(file.path(), path -> new TreeMap<>())
            .computeIfAbsent(file.fingerprint(), fingerprint -> new ArrayList<>())
            .add(holding.getKey());
        listed.putIfAbsent(file.path() + "\n" + file.fingerprint(), file);
      }
    }
    // The parts of a put not yet committed everywhere are not served (D63).
    Set<String> uncommitted = PutVisibility.hidden(byPath.keySet());
    byPath.keySet().removeAll(uncommitted);
    List<Shard> shards = new ArrayList<>(byPath.size());
    MessageDigest digest = DatasetFingerprint.sha256();
    digest.update(schema.toJson().getBytes(StandardCharsets.UTF_8));
    for (var path : byPath.entrySet()) {
      if (path.getValue().size() > 1) {
        return new Result(null, fileConflict(name, path.getKey(), path.getValue()));
      }
      var only = path.getValue().firstEntry();
      ListingMetadata.File file = listed.get(path.getKey() + "\n" + only.getKey());
      shards.add(
          new Shard(
              file.path(),
              file.fingerprint(),
              file.rows(),
              file.bytes(),
              file.arrowBytes(),
              only.getValue()));
      digest.update(
          (file.path() + "\n" + file.fingerprint() + "\n").getBytes(StandardCharsets.UTF_8));
    }
    DatasetFingerprint fingerprint =
        new DatasetFingerprint(HexFormat.of().formatHex(digest.digest()));
    return new Result(new ShardedDataset(name, schema, shards, fingerprint), null);
  }

  private static DatasetConflict fileConflict(
      DatasetName name, String path, NavigableMap<String, List<RegisteredServer>> variants) {
    List<DatasetConflict.Variant> listed = new ArrayList<>();
    variants.forEach((fingerprint, holders) -> listed.add(variant(fingerprint, holders)));
    return new DatasetConflict(
        name.value(),
        "",
        listed,
        "file '"
            + path
            + "' has different contents on different servers; the dataset is not"
            + " served until they agree (the variants are that file's fingerprints)");
  }

  private static DatasetConflict schemaConflict(
      DatasetName name, List<Map.Entry<RegisteredServer, ServerDataset>> byId) {
    NavigableMap<String, List<RegisteredServer>> variants = new TreeMap<>();
    for (var holding : byId) {
      variants
          .computeIfAbsent(
              holding.getValue().fingerprint().value(), fingerprint -> new ArrayList<>())
          .add(holding.getKey());
    }
    List<DatasetConflict.Variant> listed = new ArrayList<>();
    variants.forEach((fingerprint, holders) -> listed.add(variant(fingerprint, holders)));
    return new DatasetConflict(
        name.value(),
        "",
        listed,
        "its files have different schemas on different servers; the dataset is not served until"
            + " they agree (the variants are each server's dataset fingerprint)");
  }

  private static DatasetConflict.Variant variant(
      String fingerprint, List<RegisteredServer> holders) {
    return new DatasetConflict.Variant(
        fingerprint, holders.stream().map(RegisteredServer::id).sorted().toList());
  }
}
