package dev.flightcluster.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Result of {@link ClusterActions#LIST_CONFLICTS}: every dataset name that live servers hold with
 * different contents, sorted by name. Empty when the cluster agrees on every dataset.
 */
public record ConflictReport(@JsonProperty("conflicts") List<DatasetConflict> conflicts) {
  public ConflictReport {
    conflicts = List.copyOf(requireNonNull(conflicts, "conflicts is null"));
  }
}
