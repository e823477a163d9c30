package dev.flightcluster.otel.metrics;

import static java.util.Objects.requireNonNull;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps the values of one metric label bounded: the first {@code maxValues} distinct values are
 * used as they are, every later one becomes {@link #OTHER}. Each value is a time series in every
 * backend, forever; a cluster that takes uploads under generated names would otherwise grow them
 * without end. Values once admitted stay admitted for the life of the process. Thread-safe.
 */
public final class BoundedLabel {
  /** The distinct values a label gets by default. */
  public static final int DEFAULT_MAX_VALUES = 200;

  /** The value every value past the bound is recorded under. */
  public static final String OTHER = "_other";

  private final int maxValues;
  private final Set<String> admitted = ConcurrentHashMap.newKeySet();

  /** A label with at most {@code maxValues} distinct values besides {@link #OTHER}. */
  public BoundedLabel(int maxValues) {
    if (maxValues < 1) {
      throw new IllegalArgumentException("maxValues must be at least 1: " + maxValues);
    }
    this.maxValues = maxValues;
  }

  /** A label with {@link #DEFAULT_MAX_VALUES}. */
  public static BoundedLabel withDefaultBound() {
    return new BoundedLabel(DEFAULT_MAX_VALUES);
  }

  /** {@code value} if it is admitted or there is room for it, else {@link #OTHER}. */
  public String value(String value) {
    requireNonNull(value, "value is null");
    if (admitted.contains(value)) {
      return value;
    }
    // Racing callers may admit one or two past the bound; the bound is about orders of magnitude.
    if (admitted.size() < maxValues) {
      admitted.add(value);
      return value;
    }
    return OTHER;
  }
}
