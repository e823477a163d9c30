package dev.flightcluster.client;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import org.apache.arrow.flight.Location;

/**
 * What one {@link FlightClusterClient#put} uploaded. Not to be confused with Flight's own {@code
 * org.apache.arrow.flight.PutResult}, the per-message acknowledgement of a DoPut.
 *
 * @param serverId the data server the coordinator chose, which now holds the dataset
 * @param location where that server was reached
 * @param rows rows sent
 * @param batches record batches sent
 * @param bytes Arrow buffer bytes of those batches (dictionaries not counted)
 * @param elapsed wall time of the whole call, choosing the server included
 */
public record PutResult(
    String serverId, Location location, long rows, long batches, long bytes, Duration elapsed) {
  public PutResult {
    requireNonNull(serverId, "serverId is null");
    requireNonNull(location, "location is null");
    requireNonNull(elapsed, "elapsed is null");
  }

  /** {@link #elapsed()} in seconds, for rates and display. */
  public double seconds() {
    return elapsed.toNanos() / 1e9;
  }
}
