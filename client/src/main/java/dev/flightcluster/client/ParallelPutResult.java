package dev.flightcluster.client;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What one {@link FlightClusterClient#putDataset} wrote.
 *
 * @param putId the put's id, which names its part files
 * @param shards shards written
 * @param replicas copies of each shard
 * @param placements the servers holding each shard, by shard index
 * @param rows rows sent (each once, however many replicas)
 * @param batches record batches sent (each once)
 * @param bytes Arrow buffer bytes of those batches (each once)
 * @param elapsed wall time of the whole put, plan and commit included
 */
public record ParallelPutResult(
    String putId,
    int shards,
    int replicas,
    Map<Integer, List<String>> placements,
    long rows,
    long batches,
    long bytes,
    Duration elapsed) {
  public ParallelPutResult {
    requireNonNull(putId, "putId is null");
    placements = Map.copyOf(requireNonNull(placements, "placements is null"));
    requireNonNull(elapsed, "elapsed is null");
  }

  /** The distinct servers written to, sorted. */
  public List<String> servers() {
    return placements.values().stream().flatMap(List::stream).distinct().sorted().toList();
  }

  /** {@link #elapsed()} in seconds, for rates and display. */
  public double seconds() {
    return elapsed.toNanos() / 1e9;
  }
}
