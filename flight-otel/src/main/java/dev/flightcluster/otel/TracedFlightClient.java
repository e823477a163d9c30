package dev.flightcluster.otel;

import static java.util.Objects.requireNonNull;

import io.grpc.ManagedChannel;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.Location;

/**
 * A {@link FlightClient} together with the traced gRPC channel it runs on. Flight does not close a
 * channel it was handed, so this class owns both and closes both: the client first, then the
 * channel, gracefully and then forcibly.
 */
public final class TracedFlightClient implements AutoCloseable {
  private static final long SHUTDOWN_GRACE_SECONDS = 5;

  private final Location location;
  private final ManagedChannel channel;
  private final FlightClient flightClient;

  TracedFlightClient(Location location, ManagedChannel channel, FlightClient flightClient) {
    this.location = requireNonNull(location, "location is null");
    this.channel = requireNonNull(channel, "channel is null");
    this.flightClient = requireNonNull(flightClient, "flightClient is null");
  }

  /** The server this client talks to. */
  public Location location() {
    return location;
  }

  /** The Flight client; owned by this object, do not close it separately. */
  public FlightClient flightClient() {
    return flightClient;
  }

  @Override
  public void close() throws InterruptedException {
    try {
      flightClient.close();
    } finally {
      channel.shutdown();
      if (!channel.awaitTermination(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
    }
  }
}
