package dev.flightcluster.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Body of {@link ClusterActions#ABORT_PUT}: a data server deletes every part of the put it holds,
 * staged or already committed. Empty result; aborting a put the server never saw is no error.
 *
 * @param name the dataset
 * @param putId the put, as planned
 */
public record AbortPut(@JsonProperty("name") String name, @JsonProperty("put_id") String putId) {
  public AbortPut {
    requireNonNull(name, "name is null");
    PutParts.checkPutId(putId);
  }
}
