package dev.flightcluster.coordinator.write;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.PlanPut;
import dev.flightcluster.protocol.PutParts;
import dev.flightcluster.protocol.PutPlan;
import dev.flightcluster.protocol.SchemaDifference;
import dev.flightcluster.protocol.ServerChoice;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Answers plan_put: places each shard of a parallel put on distinct live servers. Stateless: a plan
 * is derived from the servers and the catalog of the moment, and nothing is remembered, so any
 * coordinator may plan and any may later serve the result (D63, D64).
 *
 * <p>Placement is greedy and deterministic: shard by shard, the servers with the smallest load
 * (active streams plus the copies this plan already gave them), ties to the smaller id.
 */
public final class PutPlanner {
  /** A live server that may take copies, as the coordinator sees it now. */
  public record Candidate(String id, String location, int load) {
    public Candidate {
      requireNonNull(id, "id is null");
      requireNonNull(location, "location is null");
    }
  }

  /**
   * A dataset of the requested name the cluster already serves.
   *
   * @param holders ids of the servers holding it, for messages
   * @param schema its schema, which appended shards must match; null when the cluster holds it in
   *     conflicting versions and does not serve it
   */
  public record Existing(List<String> holders, Schema schema) {
    public Existing {
      holders = List.copyOf(requireNonNull(holders, "holders is null"));
    }
  }

  private final Supplier<String> putIds;

  /** A planner drawing put ids from {@link PutParts#newPutId}. */
  public PutPlanner() {
    this(PutParts::newPutId);
  }

  /** A planner drawing put ids from {@code putIds}, so tests can fix them. */
  public PutPlanner(Supplier<String> putIds) {
    this.putIds = requireNonNull(putIds, "putIds is null");
  }

  /**
   * Plans a put.
   *
   * @param existing the dataset already served under the name, if any
   * @param live the live servers
   * @throws org.apache.arrow.flight.FlightRuntimeException INVALID_ARGUMENT for a bad name or an
   *     append whose schema differs; ALREADY_EXISTS for an existing name without append; NOT_FOUND
   *     for an append to a name that does not exist; UNAVAILABLE with no live server;
   *     RESOURCE_EXHAUSTED with fewer live servers than replicas
   */
  public PutPlan plan(PlanPut request, Optional<Existing> existing, List<Candidate> live) {
    requireNonNull(request, "request is null");
    requireNonNull(existing, "existing is null");
    requireNonNull(live, "live is null");
    DatasetName name = checkName(request.name());
    checkExisting(request, name, existing);
    if (live.isEmpty()) {
      throw CallStatus.UNAVAILABLE
          .withDescription("no live data servers: start one with --coordinator pointing here")
          .toRuntimeException();
    }
    if (live.size() < request.replicas()) {
      throw CallStatus.RESOURCE_EXHAUSTED
          .withDescription(
              "put of '"
                  + name
                  + "' asks for "
                  + request.replicas()
                  + " replicas but only "
                  + live.size()
                  + " data servers are live; ask for at most "
                  + live.size()
                  + " or start more servers")
          .toRuntimeException();
    }
    List<Candidate> servers = new ArrayList<>(live);
    servers.sort(Comparator.comparing(Candidate::id));
    int[] assigned = new int[servers.size()];
    Comparator<Integer> leastLoaded =
        Comparator.<Integer>comparingLong(i -> (long) servers.get(i).load() + assigned[i])
            .thenComparing(i -> servers.get(i).id());
    List<PutPlan.Placement> placements = new ArrayList<>(request.shards());
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < servers.size(); i++) {
      order.add(i);
    }
    for (int shard = 0; shard < request.shards(); shard++) {
      order.sort(leastLoaded);
      List<ServerChoice> chosen = new ArrayList<>(request.replicas());
      for (int copy = 0; copy < request.replicas(); copy++) {
        Candidate server = servers.get(order.get(copy));
        chosen.add(new ServerChoice(server.id(), server.location()));
      }
      for (int copy = 0; copy < request.replicas(); copy++) {
        assigned[order.get(copy)]++;
      }
      placements.add(new PutPlan.Placement(shard, chosen));
    }
    return new PutPlan(putIds.get(), placements);
  }

  private static DatasetName checkName(String value) {
    DatasetName name = DatasetName.of(value);
    if (name.segments().size() != 1) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription("a put names one path segment such as \"trips\"; got '" + name + "'")
          .toRuntimeException();
    }
    if (name.value().toLowerCase(Locale.ROOT).endsWith(".parquet")) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription(
              "a parallel put makes a folder dataset, so its name cannot end in .parquet; got '"
                  + name
                  + "' (a single-file dataset is uploaded with choose_server and one DoPut)")
          .toRuntimeException();
    }
    return name;
  }

  private static void checkExisting(
      PlanPut request, DatasetName name, Optional<Existing> existing) {
    if (!request.append()) {
      existing.ifPresent(
          dataset -> {
            throw CallStatus.ALREADY_EXISTS
                .withDescription(
                    "dataset '"
                        + name
                        + "' already exists on "
                        + dataset.holders()
                        + "; put it under another name, or add shards to it with --append")
                .toRuntimeException();
          });
      return;
    }
    Existing dataset =
        existing.orElseThrow(
            () ->
                CallStatus.NOT_FOUND
                    .withDescription(
                        "cannot append to dataset '"
                            + name
                            + "': no live data server holds it; put it without --append to create it")
                    .toRuntimeException());
    if (dataset.schema() == null) {
      throw CallStatus.NOT_FOUND
          .withDescription(
              "cannot append to dataset '"
                  + name
                  + "': "
                  + dataset.holders()
                  + " hold it in conflicting versions, so it is not served; the list_conflicts"
                  + " action says which files or schemas differ")
          .toRuntimeException();
    }
    Schema added =
        request
            .decodedSchema()
            .orElseThrow(
                () ->
                    CallStatus.INVALID_ARGUMENT
                        .withDescription(
                            "an append to '" + name + "' must carry the shards' schema")
                        .toRuntimeException());
    SchemaDifference.between(dataset.schema(), added)
        .ifPresent(
            difference -> {
              throw CallStatus.INVALID_ARGUMENT
                  .withDescription(
                      "cannot append to dataset '" + name + "': its schema differs: " + difference)
                  .toRuntimeException();
            });
  }
}
