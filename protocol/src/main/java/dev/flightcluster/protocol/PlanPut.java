package dev.flightcluster.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Body of {@link ClusterActions#PLAN_PUT}: a client about to write a dataset in parallel asks where
 * each of its shards should go.
 *
 * @param name the dataset, one path segment; a parallel put always makes a folder dataset
 * @param shards how many shards the client expects to write; it may write more, placing shard
 *     {@code i} like shard {@code i % shards}
 * @param replicas on how many distinct servers each shard is stored
 * @param append add shards to an existing folder dataset instead of creating a new one
 * @param schema the shards' Arrow schema as an IPC schema message ({@link #encodeSchema}), checked
 *     against the existing dataset's when appending; may be null otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PlanPut(
    @JsonProperty("name") String name,
    @JsonProperty("shards") int shards,
    @JsonProperty("replicas") int replicas,
    @JsonProperty("append") boolean append,
    @JsonProperty("schema") byte[] schema) {
  /** The most shards one plan places: far more than any cluster has servers for. */
  public static final int MAX_SHARDS = PutParts.MAX_SHARDS;

  /** The most replicas one shard may ask for. */
  public static final int MAX_REPLICAS = 16;

  public PlanPut {
    requireNonNull(name, "name is null");
    if (shards < 1 || shards > MAX_SHARDS) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription("plan_put shards must be 1.." + MAX_SHARDS + "; got " + shards)
          .toRuntimeException();
    }
    if (replicas < 1 || replicas > MAX_REPLICAS) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription("plan_put replicas must be 1.." + MAX_REPLICAS + "; got " + replicas)
          .toRuntimeException();
    }
  }

  /** A schema as {@link #schema} carries it. */
  public static byte[] encodeSchema(Schema schema) {
    return requireNonNull(schema, "schema is null").serializeAsMessage();
  }

  /**
   * The schema this request carries, if any.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException INVALID_ARGUMENT when it does not decode
   */
  public Optional<Schema> decodedSchema() {
    if (schema == null || schema.length == 0) {
      return Optional.empty();
    }
    try {
      return Optional.of(Schema.deserializeMessage(ByteBuffer.wrap(schema)));
    } catch (RuntimeException e) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription("plan_put schema is not an Arrow IPC schema message")
          .withCause(e)
          .toRuntimeException();
    }
  }
}
