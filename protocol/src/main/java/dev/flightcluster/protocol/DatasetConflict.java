package dev.flightcluster.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One dataset name held with different contents by live servers. The variant the coordinator served
 * before the conflict keeps serving; without one, the variant held by the most servers (a tie goes
 * to the smallest fingerprint). The others are excluded until they match it or go away.
 *
 * @param dataset the dataset name
 * @param servingFingerprint the fingerprint of the variant the coordinator serves
 * @param variants every variant, serving one first, then by fingerprint
 */
public record DatasetConflict(
    @JsonProperty("dataset") String dataset,
    @JsonProperty("serving_fingerprint") String servingFingerprint,
    @JsonProperty("variants") List<Variant> variants) {
  public DatasetConflict {
    requireNonNull(dataset, "dataset is null");
    requireNonNull(servingFingerprint, "serving_fingerprint is null");
    variants = List.copyOf(requireNonNull(variants, "variants is null"));
  }

  /**
   * One content of the dataset and the live servers that hold it.
   *
   * @param fingerprint the {@link DatasetFingerprint} value
   * @param serverIds the holders, sorted
   */
  public record Variant(
      @JsonProperty("fingerprint") String fingerprint,
      @JsonProperty("server_ids") List<String> serverIds) {
    public Variant {
      requireNonNull(fingerprint, "fingerprint is null");
      serverIds = List.copyOf(requireNonNull(serverIds, "server_ids is null"));
    }
  }
}
