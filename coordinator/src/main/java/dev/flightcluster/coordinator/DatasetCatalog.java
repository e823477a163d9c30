package dev.flightcluster.coordinator;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.DatasetConflict;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.Descriptors;
import dev.flightcluster.protocol.Tickets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.Location;

/**
 * The datasets of a set of live servers merged into one FlightInfo per name. Immutable.
 *
 * <p>Servers holding a name with the same fingerprint are replicas: they share one endpoint, whose
 * locations are ordered healthy before overdue (a server whose heartbeat is late), then least
 * loaded first, then by server id, so that every coordinator with the same registry state answers
 * with the same FlightInfo. Servers holding a name with different fingerprints are in conflict: the
 * incumbent variant (the one this coordinator served before the conflict) keeps serving while any
 * live server holds it; without one, the variant with the most holders serves, a tie going to the
 * smallest fingerprint. The other variants are never served.
 *
 * <p>A folder dataset whose holders all list its files is merged by file instead ({@link
 * ShardMerge}, decisions D58): its files may be spread over the servers, and its FlightInfo has one
 * endpoint per group of files ({@link EndpointPlanner}, D59). A file path with different contents
 * on different servers makes it a conflict that is not served at all.
 *
 * <p>Merging is O(datasets), so the registry builds a catalog once per change of its servers or
 * their listings and keeps it; {@link #isBuiltFrom} tells whether a kept catalog still describes
 * the live servers, and {@link #withLoadsOf} orders the locations by the servers' current loads,
 * which heartbeats change without changing anything else.
 */
final class DatasetCatalog {
  private static final DatasetCatalog EMPTY = of(List.of());

  /**
   * One served name: the winning variant and its holders, least loaded first as of the build; or,
   * for a dataset merged by file, its shards and endpoint groups (then {@code dataset} is null).
   */
  private record Entry(
      ServerDataset dataset,
      List<RegisteredServer> holders,
      FlightInfo info,
      ShardMerge.ShardedDataset sharded,
      List<EndpointPlanner.Group> groups) {
    Entry(ServerDataset dataset, List<RegisteredServer> holders, FlightInfo info) {
      this(dataset, holders, info, null, List.of());
    }

    String fingerprint() {
      return sharded != null ? sharded.fingerprint().value() : dataset.fingerprint().value();
    }
  }

  private final NavigableMap<String, Entry> entries;
  private final Map<String, List<String>> holderIds;
  private final List<DatasetConflict> conflicts;

  /** The servers merged, by id. */
  private final Map<String, RegisteredServer> members;

  /** Active streams by server id to order locations by; null: the order of the build holds. */
  private final Map<String, Integer> loads;

  /** Servers whose heartbeat is overdue, placed after the healthy ones. */
  private final Set<String> overdue;

  private DatasetCatalog(
      NavigableMap<String, Entry> entries,
      Map<String, List<String>> holderIds,
      List<DatasetConflict> conflicts,
      Map<String, RegisteredServer> members,
      Map<String, Integer> loads,
      Set<String> overdue) {
    this.entries = entries;
    this.holderIds = holderIds;
    this.conflicts = conflicts;
    this.members = members;
    this.loads = loads;
    this.overdue = overdue;
  }

  /** The catalog of no server at all. */
  static DatasetCatalog empty() {
    return EMPTY;
  }

  /** Merges the datasets of {@code liveServers} with no incumbents: the fallback rule decides. */
  static DatasetCatalog of(Collection<RegisteredServer> liveServers) {
    return of(liveServers, Map.of());
  }

  /** {@link #of(Collection, Map, long)} with endpoints of the default group size. */
  static DatasetCatalog of(
      Collection<RegisteredServer> liveServers, Map<String, String> incumbents) {
    return of(liveServers, incumbents, EndpointPlanner.DEFAULT_GROUP_BYTES);
  }

  /**
   * Merges the datasets of {@code liveServers}; the caller has already dropped expired ones.
   *
   * @param incumbents the fingerprint served so far, by dataset name; a name in conflict keeps it
   *     while a live server holds it
   * @param groupBytes the Parquet bytes an endpoint of a folder dataset carries at least, unless
   *     one file is larger
   */
  static DatasetCatalog of(
      Collection<RegisteredServer> liveServers, Map<String, String> incumbents, long groupBytes) {
    requireNonNull(liveServers, "liveServers is null");
    requireNonNull(incumbents, "incumbents is null");
    // name -> fingerprint -> holders; sorted maps make every later step deterministic.
    Map<DatasetName, NavigableMap<String, List<RegisteredServer>>> variantsByName = new TreeMap<>();
    Map<String, RegisteredServer> members = new HashMap<>();
    for (RegisteredServer server : liveServers) {
      members.put(server.id(), server);
      for (ServerDataset dataset : server.datasets().values()) {
        variantsByName
            .computeIfAbsent(dataset.name(), name -> new TreeMap<>())
            .computeIfAbsent(dataset.fingerprint().value(), fingerprint -> new ArrayList<>())
            .add(server);
      }
    }

    NavigableMap<String, Entry> entries = new TreeMap<>();
    Map<String, List<String>> holderIds = new HashMap<>();
    List<DatasetConflict> conflicts = new ArrayList<>();
    variantsByName.forEach(
        (name, variants) -> {
          holderIds.put(
              name.value(),
              variants.values().stream()
                  .flatMap(List::stream)
                  .map(RegisteredServer::id)
                  .sorted()
                  .toList());
          Map<RegisteredServer, ServerDataset> holdings = shardedHoldings(name, variants);
          if (holdings != null) {
            ShardMerge.Result merged = ShardMerge.merge(name, holdings);
            if (merged.conflict() != null) {
              conflicts.add(merged.conflict());
              return;
            }
            ShardMerge.ShardedDataset sharded = merged.dataset();
            if (sharded.shards().isEmpty()) {
              return; // only parts of puts not yet committed everywhere: nothing to serve yet
            }
            List<EndpointPlanner.Group> groups =
                EndpointPlanner.groups(sharded.shards(), groupBytes);
            FlightInfo info =
                EndpointPlanner.info(
                    sharded,
                    groups,
                    RegisteredServer.LEAST_LOADED,
                    sharded.fingerprint().toAppMetadata());
            entries.put(
                name.value(),
                new Entry(null, List.copyOf(holdings.keySet()), info, sharded, groups));
            return;
          }
          String incumbent = incumbents.get(name.value());
          String winner =
              incumbent != null && variants.containsKey(incumbent)
                  ? incumbent
                  : winningFingerprint(variants);
          List<RegisteredServer> holders = new ArrayList<>(variants.get(winner));
          holders.sort(RegisteredServer.LEAST_LOADED);
          // Equal fingerprints imply equal schema, rows and bytes, so any holder describes it.
          ServerDataset dataset = holders.get(0).datasets().get(name);
          entries.put(
              name.value(), new Entry(dataset, List.copyOf(holders), merge(dataset, holders)));
          if (variants.size() > 1) {
            conflicts.add(conflict(name, winner, variants));
          }
        });
    return new DatasetCatalog(
        entries, holderIds, List.copyOf(conflicts), Map.copyOf(members), null, Set.of());
  }

  /** The fingerprint served for each name. */
  Map<String, String> servingFingerprints() {
    Map<String, String> serving = new HashMap<>();
    entries.forEach((name, entry) -> serving.put(name, entry.fingerprint()));
    return serving;
  }

  /**
   * Whether this catalog merged exactly {@code liveServers}: the same registrations with the same
   * listings. Leases and loads may differ; a server that expired or joined since does not.
   */
  boolean isBuiltFrom(Collection<RegisteredServer> liveServers) {
    requireNonNull(liveServers, "liveServers is null");
    if (liveServers.size() != members.size()) {
      return false;
    }
    for (RegisteredServer server : liveServers) {
      RegisteredServer member = members.get(server.id());
      if (member == null
          || member.registration() != server.registration()
          || member.listingVersion() != server.listingVersion()
          || member.datasets() != server.datasets()) {
        return false;
      }
    }
    return true;
  }

  /** {@link #withStateOf} with no overdue server. */
  DatasetCatalog withLoadsOf(Collection<RegisteredServer> liveServers) {
    return withStateOf(liveServers, Set.of());
  }

  /**
   * This catalog with its locations ordered by the health and loads of {@code liveServers}, which
   * must be the servers it was built from ({@link #isBuiltFrom}). O(servers); the infos of a
   * dataset whose order did not change are shared, the others built on demand.
   *
   * @param overdueIds the servers whose heartbeat is overdue
   */
  DatasetCatalog withStateOf(Collection<RegisteredServer> liveServers, Set<String> overdueIds) {
    requireNonNull(liveServers, "liveServers is null");
    requireNonNull(overdueIds, "overdueIds is null");
    boolean changed = !overdueIds.isEmpty();
    for (RegisteredServer server : liveServers) {
      RegisteredServer member = members.get(server.id());
      if (member == null || member.activeStreams() != server.activeStreams()) {
        changed = true;
        break;
      }
    }
    if (!changed) {
      return loads == null
          ? this
          : new DatasetCatalog(entries, holderIds, conflicts, members, null, Set.of());
    }
    Map<String, Integer> current = new HashMap<>();
    liveServers.forEach(server -> current.put(server.id(), server.activeStreams()));
    return new DatasetCatalog(
        entries, holderIds, conflicts, members, current, Set.copyOf(overdueIds));
  }

  /** The merged infos whose names start with {@code prefix}, sorted by name. */
  List<FlightInfo> list(String prefix) {
    requireNonNull(prefix, "prefix is null");
    List<FlightInfo> matching = new ArrayList<>();
    for (var entry : entries.tailMap(prefix, true).entrySet()) {
      if (!entry.getKey().startsWith(prefix)) {
        break;
      }
      matching.add(info(entry.getValue()));
    }
    return matching;
  }

  /** The merged info of one dataset, if a live server holds it. */
  Optional<FlightInfo> find(DatasetName name) {
    requireNonNull(name, "name is null");
    Entry entry = entries.get(name.value());
    return entry == null ? Optional.empty() : Optional.of(info(entry));
  }

  /**
   * The merged info of one dataset.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException NOT_FOUND when no live server holds it,
   *     or when its holders are in conflict, saying which
   */
  FlightInfo require(DatasetName name) {
    return find(name).orElseThrow(() -> notServed(name));
  }

  /**
   * The files of a dataset merged by file, in path order, as tickets name them; empty for a dataset
   * served whole or not served.
   */
  List<String> files(DatasetName name) {
    requireNonNull(name, "name is null");
    Entry entry = entries.get(name.value());
    if (entry == null || entry.sharded() == null) {
      return List.of();
    }
    return entry.sharded().shards().stream().map(Shard::path).toList();
  }

  private FlightRuntimeException notServed(DatasetName name) {
    List<String> holders = holders(name);
    String description =
        holders.isEmpty()
            ? "no live data server holds dataset '"
                + name
                + "'; ListFlights shows the datasets the cluster serves"
            : "dataset '"
                + name
                + "' is held by "
                + holders
                + " in conflicting versions and is not served; the list_conflicts action says"
                + " which files or schemas differ";
    return CallStatus.NOT_FOUND.withDescription(description).toRuntimeException();
  }

  /** The ids of every live server holding {@code name} in any variant, sorted; empty if none. */
  List<String> holders(DatasetName name) {
    requireNonNull(name, "name is null");
    return holderIds.getOrDefault(name.value(), List.of());
  }

  /** How many datasets are served. */
  int datasetCount() {
    return entries.size();
  }

  /** How many replicas serve them: one per dataset and live server holding its served variant. */
  int replicaCount() {
    int replicas = 0;
    for (Entry entry : entries.values()) {
      replicas += entry.holders().size();
    }
    return replicas;
  }

  /** The names held with different contents, sorted by name. */
  List<DatasetConflict> conflicts() {
    return conflicts;
  }

  private FlightInfo info(Entry entry) {
    if (loads == null || entry.holders().size() < 2) {
      return entry.info();
    }
    Comparator<RegisteredServer> healthyThenLeastLoaded =
        Comparator.<RegisteredServer, Boolean>comparing(server -> overdue.contains(server.id()))
            .thenComparingInt(server -> loads.getOrDefault(server.id(), server.activeStreams()))
            .thenComparing(RegisteredServer::id);
    if (entry.sharded() != null) {
      return EndpointPlanner.info(
          entry.sharded(), entry.groups(), healthyThenLeastLoaded, entry.info().getAppMetadata());
    }
    List<RegisteredServer> holders = new ArrayList<>(entry.holders());
    holders.sort(healthyThenLeastLoaded);
    return sameOrder(holders, entry.holders()) ? entry.info() : merge(entry.dataset(), holders);
  }

  private static boolean sameOrder(List<RegisteredServer> a, List<RegisteredServer> b) {
    // By identity: a record's equals would compare whole listings.
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i) != b.get(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The holders of {@code name} when every one of them listed it as a folder with its files, so it
   * is merged by file; null otherwise (a top-level file, or a server that lists no files), when the
   * dataset is merged whole.
   */
  private static Map<RegisteredServer, ServerDataset> shardedHoldings(
      DatasetName name, NavigableMap<String, List<RegisteredServer>> variants) {
    // By identity: a record's hashCode would hash whole listings.
    Map<RegisteredServer, ServerDataset> holdings = new IdentityHashMap<>();
    for (List<RegisteredServer> holders : variants.values()) {
      for (RegisteredServer server : holders) {
        ServerDataset dataset = server.datasets().get(name);
        if (!dataset.sharded()) {
          return null;
        }
        holdings.put(server, dataset);
      }
    }
    return holdings;
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

  private static FlightInfo merge(ServerDataset dataset, List<RegisteredServer> holders) {
    Location[] locations = new Location[holders.size()];
    for (int i = 0; i < locations.length; i++) {
      locations[i] = holders.get(i).location();
    }
    return FlightInfo.builder(
            dataset.schema(),
            Descriptors.of(dataset.name()),
            List.of(new FlightEndpoint(Tickets.of(dataset.name()), locations)))
        .setRecords(dataset.records())
        .setBytes(dataset.bytes())
        .setAppMetadata(dataset.appMetadata())
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
