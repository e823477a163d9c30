package dev.flightcluster.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One dataset name held with different contents by live servers. The variant the coordinator served
 * before the conflict keeps serving; without one, the variant held by the most servers (a tie goes
 * to the smallest fingerprint). The others are excluded until they match it or go away.
 *
 * <p>A folder dataset whose files are spread over servers is instead not served at all when one of
 * its file paths has different contents on different servers, or its servers disagree on the schema
 * (decisions D58): its serving fingerprint is then empty and {@code reason} says which.
 *
 * @param dataset the dataset name
 * @param servingFingerprint the fingerprint of the variant the coordinator serves; empty when none
 * @param variants every variant, serving one first, then by fingerprint
 * @param reason why a dataset is not served at all; null when a variant serves
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DatasetConflict(
    @JsonProperty("dataset") String dataset,
    @JsonProperty("serving_fingerprint") String servingFingerprint,
    @JsonProperty("variants") List<Variant> variants,
    @JsonProperty("reason") String reason) {
  public DatasetConflict {
    requireNonNull(dataset, "dataset is null");
    requireNonNull(servingFingerprint, "serving_fingerprint is null");
    variants = List.copyOf(requireNonNull(variants, "variants is null"));
  }

  /** A conflict in which the variant with {@code servingFingerprint} keeps serving. */
  public DatasetConflict(String dataset, String servingFingerprint, List<Variant> variants) {
    this(dataset, servingFingerprint, variants, null);
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
