package dev.flightcluster.server.store;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.DatasetName;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable snapshot of the store's datasets.
 *
 * @param version changes whenever the set of (name, fingerprint) pairs changes
 */
public record Listing(long version, SortedMap<DatasetName, Dataset> datasets) {
  public Listing {
    requireNonNull(datasets, "datasets is null");
    datasets = Collections.unmodifiableSortedMap(new TreeMap<>(datasets));
  }
}
