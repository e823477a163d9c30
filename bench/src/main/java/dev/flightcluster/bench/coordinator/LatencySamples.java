package dev.flightcluster.bench.coordinator;

import java.util.Arrays;
import java.util.List;

/**
 * Latencies in nanoseconds, kept exactly and sorted at the end. The runs are bounded (a few tens of
 * thousands of samples), so an exact sorted array costs well under a megabyte and needs no
 * histogram library; percentiles are nearest-rank. Not thread-safe: one per thread, then {@link
 * #merge}.
 */
final class LatencySamples {
  private long[] nanos;
  private int size;
  private final int capacity;

  /**
   * @param capacity samples beyond it are counted in {@link #dropped()} but not kept
   */
  LatencySamples(int capacity) {
    this.capacity = capacity;
    this.nanos = new long[Math.min(capacity, 4096)];
  }

  private long dropped;

  void add(long latencyNanos) {
    if (size == capacity) {
      dropped++;
      return;
    }
    if (size == nanos.length) {
      nanos = Arrays.copyOf(nanos, Math.min(capacity, nanos.length * 2));
    }
    nanos[size++] = latencyNanos;
  }

  int size() {
    return size;
  }

  long dropped() {
    return dropped;
  }

  static LatencySamples merge(List<LatencySamples> parts) {
    int total = parts.stream().mapToInt(LatencySamples::size).sum();
    LatencySamples merged = new LatencySamples(Math.max(total, 1));
    for (LatencySamples part : parts) {
      for (int i = 0; i < part.size; i++) {
        merged.add(part.nanos[i]);
      }
      merged.dropped += part.dropped;
    }
    return merged;
  }

  /** Percentiles in microseconds; all zero when there is no sample. */
  Summary summary() {
    long[] sorted = Arrays.copyOf(nanos, size);
    Arrays.sort(sorted);
    double sum = 0;
    for (long value : sorted) {
      sum += value;
    }
    return new Summary(
        size,
        micros(percentile(sorted, 50)),
        micros(percentile(sorted, 90)),
        micros(percentile(sorted, 99)),
        micros(percentile(sorted, 99.9)),
        micros(size == 0 ? 0 : sorted[size - 1]),
        size == 0 ? 0 : round(sum / size / 1_000.0));
  }

  private static long percentile(long[] sorted, double percent) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
  }

  private static double micros(long nanos) {
    return round(nanos / 1_000.0);
  }

  private static double round(double micros) {
    return Math.round(micros * 10.0) / 10.0;
  }

  /** Latency percentiles in microseconds (nearest rank), over {@code count} samples. */
  record Summary(
      int count, double p50, double p90, double p99, double p999, double max, double mean) {}
}
