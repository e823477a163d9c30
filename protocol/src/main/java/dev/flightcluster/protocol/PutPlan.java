package dev.flightcluster.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Result of {@link ClusterActions#PLAN_PUT}: the put's id and, per planned shard, the servers that
 * store its copies, least loaded first.
 *
 * @param putId names every part file of this put ({@link PutParts})
 * @param shards one placement per planned shard, by index
 */
public record PutPlan(
    @JsonProperty("put_id") String putId, @JsonProperty("shards") List<Placement> shards) {
  public PutPlan {
    PutParts.checkPutId(putId);
    shards = List.copyOf(requireNonNull(shards, "shards is null"));
  }

  /** Where shard {@code index} goes: {@code index % shards().size()}'s placement. */
  public Placement placement(int index) {
    return shards.get(index % shards.size());
  }

  /**
   * The servers of one shard.
   *
   * @param index the shard's index in the plan
   * @param servers distinct servers, as many as the replicas asked for
   */
  public record Placement(
      @JsonProperty("index") int index, @JsonProperty("servers") List<ServerChoice> servers) {
    public Placement {
      servers = List.copyOf(requireNonNull(servers, "servers is null"));
    }
  }
}
