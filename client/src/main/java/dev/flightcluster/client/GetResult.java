package dev.flightcluster.client;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import org.apache.arrow.flight.Location;

/**
 * What one {@link FlightClusterClient#get} read.
 *
 * @param rows rows handed to the consumer
 * @param batches record batches handed to the consumer
 * @param bytes Arrow buffer bytes of those batches, as received (dictionaries not counted)
 * @param elapsed wall time of the whole call, failovers included
 * @param locationsUsed for each endpoint read, in endpoint order, the location that served it
 * @param complete false when the consumer stopped early, so later batches or endpoints were not
 *     read
 */
public record GetResult(
    long rows,
    long batches,
    long bytes,
    Duration elapsed,
    List<Location> locationsUsed,
    boolean complete) {
  public GetResult {
    requireNonNull(elapsed, "elapsed is null");
    locationsUsed = List.copyOf(requireNonNull(locationsUsed, "locationsUsed is null"));
  }

  /** {@link #elapsed()} in seconds, for rates and display. */
  public double seconds() {
    return elapsed.toNanos() / 1e9;
  }
}
