package dev.flightcluster.coordinator;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.DatasetTicket;
import dev.flightcluster.protocol.Descriptors;
import dev.flightcluster.protocol.Tickets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Ticket;

/**
 * Turns the shards of a folder dataset into the endpoints of its FlightInfo (decisions D59): shards
 * held by the same set of servers are grouped, in path order, into endpoints of at least {@code
 * groupBytes} of Parquet each (or one file, when a file is larger), so that every location of an
 * endpoint holds all of its files and a client reads the endpoints in parallel. Endpoints are
 * ordered by their first path, so every coordinator with the same servers plans the same
 * FlightInfo.
 */
final class EndpointPlanner {
  /**
   * Endpoints carry at least this much Parquet unless one file is larger: the builder's default.
   */
  static final long DEFAULT_GROUP_BYTES = 128L << 20;

  private EndpointPlanner() {}

  /**
   * One endpoint: its files, and the servers that hold every one of them, sorted by id.
   *
   * @param paths the files, in path order
   * @param holders the servers, sorted by id
   */
  record Group(List<String> paths, List<RegisteredServer> holders) {
    Group {
      paths = List.copyOf(paths);
      holders = List.copyOf(holders);
    }
  }

  /** Groups {@code shards} (sorted by path) into endpoints; deterministic. */
  static List<Group> groups(List<Shard> shards, long groupBytes) {
    requireNonNull(shards, "shards is null");
    // Shards of one holder set, in path order; the map keeps the order of each set's first path.
    Map<String, List<Shard>> byHolders = new LinkedHashMap<>();
    for (Shard shard : shards) {
      byHolders.computeIfAbsent(shard.holderKey(), key -> new ArrayList<>()).add(shard);
    }
    List<Group> groups = new ArrayList<>();
    for (List<Shard> sameHolders : byHolders.values()) {
      List<String> paths = new ArrayList<>();
      long bytes = 0;
      for (Shard shard : sameHolders) {
        paths.add(shard.path());
        bytes += shard.bytes();
        if (bytes >= groupBytes) {
          groups.add(new Group(paths, shard.holders()));
          paths = new ArrayList<>();
          bytes = 0;
        }
      }
      if (!paths.isEmpty()) {
        groups.add(new Group(paths, sameHolders.get(0).holders()));
      }
    }
    groups.sort(Comparator.comparing(group -> group.paths().get(0)));
    return List.copyOf(groups);
  }

  /**
   * The FlightInfo of {@code dataset} planned as {@code groups}, each endpoint's locations in
   * {@code locationOrder}. A dataset read as one endpoint keeps the name-only ticket of the
   * original example; the others name their files ({@link DatasetTicket}).
   *
   * @param appMetadata the merged info's {@code app_metadata}; never modified
   */
  static FlightInfo info(
      ShardMerge.ShardedDataset dataset,
      List<Group> groups,
      Comparator<RegisteredServer> locationOrder,
      byte[] appMetadata) {
    List<FlightEndpoint> endpoints = new ArrayList<>(groups.size());
    for (Group group : groups) {
      List<RegisteredServer> holders = new ArrayList<>(group.holders());
      holders.sort(locationOrder);
      Location[] locations =
          holders.stream().map(RegisteredServer::location).toArray(Location[]::new);
      Ticket ticket =
          groups.size() == 1
              ? Tickets.of(dataset.name())
              : Tickets.of(new DatasetTicket(dataset.name(), group.paths(), null));
      endpoints.add(new FlightEndpoint(ticket, locations));
    }
    long records = 0;
    long bytes = 0;
    for (Shard shard : dataset.shards()) {
      records += shard.rows();
      bytes += shard.arrowBytes();
    }
    return FlightInfo.builder(dataset.schema(), Descriptors.of(dataset.name()), endpoints)
        .setRecords(records)
        .setBytes(bytes)
        .setOrdered(false)
        .setAppMetadata(appMetadata)
        .build();
  }
}
