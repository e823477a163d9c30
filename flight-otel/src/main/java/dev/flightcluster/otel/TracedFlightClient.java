package dev.flightcluster.otel;

import static java.util.Objects.requireNonNull;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.Location;

/**
 * A {@link FlightClient} together with the traced gRPC channel it runs on. The client is made with
 * {@code FlightGrpcUtils.createFlightClientWithSharedChannel}, so closing it leaves the channel
 * alone; this class owns both and closes each once: the client first, then the channel, gracefully
 * and then forcibly.
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

  /**
   * Asks the channel to connect, if it is not, and waits until it is connected or has failed to,
   * for at most {@code timeout}. gRPC's own connect timeout covers only the TCP handshake; this
   * also covers the HTTP/2 one, which a stopped process or a socket that accepts and never answers
   * leaves pending forever.
   *
   * @return the state then: {@code READY}; {@code TRANSIENT_FAILURE}, when the next call fails at
   *     once with the reason; {@code SHUTDOWN}; or {@code IDLE}/{@code CONNECTING} when the timeout
   *     ran out
   */
  public ConnectivityState awaitConnection(Duration timeout) throws InterruptedException {
    requireNonNull(timeout, "timeout is null");
    long deadline = System.nanoTime() + timeout.toNanos();
    ConnectivityState state = channel.getState(true);
    while (state == ConnectivityState.IDLE || state == ConnectivityState.CONNECTING) {
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        return state;
      }
      CountDownLatch changed = new CountDownLatch(1);
      channel.notifyWhenStateChanged(state, changed::countDown);
      changed.await(remaining, TimeUnit.NANOSECONDS);
      state = channel.getState(true);
    }
    return state;
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
