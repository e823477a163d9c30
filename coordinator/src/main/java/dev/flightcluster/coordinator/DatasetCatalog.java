package dev.flightcluster.coordinator;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.DatasetConflict;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.Descriptors;
import dev.flightcluster.protocol.Tickets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Location;

/**
 * The datasets of a set of live servers merged into one FlightInfo per name. Immutable; built anew
 * for every read, so it always reflects the current leases and loads.
 *
 * <p>Servers holding a name with the same fingerprint are replicas: they share one endpoint, whose
 * locations are ordered least loaded first. Servers holding a name with different fingerprints are
 * in conflict: the variant with the most holders serves, a tie going to the smallest fingerprint so
 * that every coordinator picks the same one, and the other variants are never served.
 */
final class DatasetCatalog {
  private final NavigableMap<String, FlightInfo> infos;
  private final Map<String, List<String>> holderIds;
  private final List<DatasetConflict> conflicts;

  private DatasetCatalog(
      NavigableMap<String, FlightInfo> infos,
      Map<String, List<String>> holderIds,
      List<DatasetConflict> conflicts) {
    this.infos = infos;
    this.holderIds = holderIds;
    this.conflicts = conflicts;
  }

  /** Merges the datasets of {@code liveServers}; the caller has already dropped expired ones. */
  static DatasetCatalog of(Collection<RegisteredServer> liveServers) {
    requireNonNull(liveServers, "liveServers is null");
    // name -> fingerprint -> holders; sorted maps make every later step deterministic.
    Map<DatasetName, NavigableMap<String, List<RegisteredServer>>> variantsByName = new TreeMap<>();
    for (RegisteredServer server : liveServers) {
      for (ServerDataset dataset : server.datasets().values()) {
        variantsByName
            .computeIfAbsent(dataset.name(), name -> new TreeMap<>())
            .computeIfAbsent(dataset.fingerprint().value(), fingerprint -> new ArrayList<>())
            .add(server);
      }
    }

    NavigableMap<String, FlightInfo> infos = new TreeMap<>();
    Map<String, List<String>> holderIds = new TreeMap<>();
    List<DatasetConflict> conflicts = new ArrayList<>();
    variantsByName.forEach(
        (name, variants) -> {
          String winner = winningFingerprint(variants);
          List<RegisteredServer> holders = new ArrayList<>(variants.get(winner));
          holders.sort(RegisteredServer.LEAST_LOADED);
          infos.put(name.value(), merge(name, holders));
          holderIds.put(
              name.value(),
              variants.values().stream()
                  .flatMap(List::stream)
                  .map(RegisteredServer::id)
                  .sorted()
                  .toList());
          if (variants.size() > 1) {
            conflicts.add(conflict(name, winner, variants));
          }
        });
    return new DatasetCatalog(infos, holderIds, List.copyOf(conflicts));
  }

  /** The merged infos whose names start with {@code prefix}, sorted by name. */
  List<FlightInfo> list(String prefix) {
    requireNonNull(prefix, "prefix is null");
    List<FlightInfo> matching = new ArrayList<>();
    for (var entry : infos.tailMap(prefix, true).entrySet()) {
      if (!entry.getKey().startsWith(prefix)) {
        break;
      }
      matching.add(entry.getValue());
    }
    return matching;
  }

  /** The merged info of one dataset, if a live server holds it. */
  Optional<FlightInfo> find(DatasetName name) {
    requireNonNull(name, "name is null");
    return Optional.ofNullable(infos.get(name.value()));
  }

  /** The ids of every live server holding {@code name} in any variant, sorted; empty if none. */
  List<String> holders(DatasetName name) {
    requireNonNull(name, "name is null");
    return holderIds.getOrDefault(name.value(), List.of());
  }

  /** The names held with different contents, sorted by name. */
  List<DatasetConflict> conflicts() {
    return conflicts;
  }

  private static String winningFingerprint(NavigableMap<String, List<RegisteredServer>> variants) {
    String winner = null;
    int winnerHolders = -1;
    // Ascending fingerprints and a strict comparison: the smallest fingerprint wins a tie.
    for (var variant : variants.entrySet()) {
      if (variant.getValue().size() > winnerHolders) {
        winner = variant.getKey();
        winnerHolders = variant.getValue().size();
      }
    }
    return winner;
  }

  private static FlightInfo merge(DatasetName name, List<RegisteredServer> holders) {
    // Equal fingerprints imply equal schema, rows and bytes, so any holder describes the dataset.
    ServerDataset dataset = holders.get(0).datasets().get(name);
    Location[] locations =
        holders.stream().map(RegisteredServer::location).toArray(Location[]::new);
    return FlightInfo.builder(
            dataset.schema(),
            Descriptors.of(name),
            List.of(new FlightEndpoint(Tickets.of(name), locations)))
        .setRecords(dataset.records())
        .setBytes(dataset.bytes())
        .setAppMetadata(dataset.fingerprint().toAppMetadata())
        .build();
  }

  private static DatasetConflict conflict(
      DatasetName name, String winner, NavigableMap<String, List<RegisteredServer>> variants) {
    List<DatasetConflict.Variant> listed = new ArrayList<>();
    listed.add(variant(winner, variants.get(winner)));
    variants.forEach(
        (fingerprint, holders) -> {
          if (!fingerprint.equals(winner)) {
            listed.add(variant(fingerprint, holders));
          }
        });
    return new DatasetConflict(name.value(), winner, listed);
  }

  private static DatasetConflict.Variant variant(
      String fingerprint, List<RegisteredServer> holders) {
    return new DatasetConflict.Variant(
        fingerprint, holders.stream().map(RegisteredServer::id).sorted().toList());
  }
}
