package dev.flightcluster.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Body of {@link ClusterActions#CHOOSE_SERVER}: the dataset the client is about to upload. */
public record ChooseServer(@JsonProperty("dataset") String dataset) {
  public ChooseServer {
    requireNonNull(dataset, "dataset is null");
  }
}
