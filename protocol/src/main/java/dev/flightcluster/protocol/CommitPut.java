package dev.flightcluster.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.apache.arrow.flight.CallStatus;

/**
 * Body of {@link ClusterActions#COMMIT_PUT}, sent to a data server once every shard of a put has
 * all its acknowledged copies: the server publishes the parts of the put it has staged, named with
 * the final shard count ({@link PutParts#committedName}). Empty result.
 *
 * @param name the dataset
 * @param putId the put, as planned
 * @param shards how many shards the whole put wrote (over every server)
 * @param append whether the dataset may already exist (else an existing one is ALREADY_EXISTS)
 * @param parts the shard indices this server must hold; empty to skip that check
 * @param prepare only check that the commit would succeed (the parts are staged, the name is free
 *     or appendable, the schema fits), publishing nothing: the client prepares at every server
 *     before committing at any, so a server lost before the commit fails the put while nothing of
 *     it is visible
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record CommitPut(
    @JsonProperty("name") String name,
    @JsonProperty("put_id") String putId,
    @JsonProperty("shards") int shards,
    @JsonProperty("append") boolean append,
    @JsonProperty("parts") List<Integer> parts,
    @JsonProperty("prepare") boolean prepare) {
  /** A commit without the parts check. */
  public CommitPut(String name, String putId, int shards, boolean append) {
    this(name, putId, shards, append, List.of(), false);
  }

  public CommitPut {
    parts = parts == null ? List.of() : List.copyOf(parts);
    requireNonNull(name, "name is null");
    PutParts.checkPutId(putId);
    if (shards < 1 || shards > PutParts.MAX_SHARDS) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription(
              "commit_put shards must be 1.." + PutParts.MAX_SHARDS + "; got " + shards)
          .toRuntimeException();
    }
  }
}
