package dev.flightcluster.coordinator;

import static java.util.Objects.requireNonNull;

import io.grpc.ConnectivityState;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.Location;

/**
 * A Flight client to one data server for the coordinator's callbacks, with the channel it runs on.
 * It owns the channel because the coordinator needs its connectivity state: a server that accepts
 * TCP connections and never speaks HTTP/2 would otherwise hold a callback thread for the whole pull
 * deadline.
 */
final class CallbackClient implements AutoCloseable {
  private static final long SHUTDOWN_GRACE_SECONDS = 5;

  private final Location location;
  private final ManagedChannel channel;
  private final FlightClient flightClient;

  CallbackClient(Location location, ManagedChannel channel, FlightClient flightClient) {
    this.location = requireNonNull(location, "location is null");
    this.channel = requireNonNull(channel, "channel is null");
    this.flightClient = requireNonNull(flightClient, "flightClient is null");
  }

  Location location() {
    return location;
  }

  FlightClient flightClient() {
    return flightClient;
  }

  /**
   * Waits until the channel is connected, or has failed to connect (the call that follows then
   * fails fast with gRPC's own reason).
   *
   * @return false when it is still connecting after {@code deadline}
   */
  boolean awaitConnected(Duration deadline) throws InterruptedException {
    requireNonNull(deadline, "deadline is null");
    long end = System.nanoTime() + deadline.toNanos();
    // The caller's call: when it is cancelled, stop waiting; the call that follows then fails fast.
    Context call = Context.current();
    ConnectivityState state = channel.getState(true);
    while ((state == ConnectivityState.IDLE || state == ConnectivityState.CONNECTING)
        && !call.isCancelled()) {
      long remaining = end - System.nanoTime();
      if (remaining <= 0) {
        return false;
      }
      CountDownLatch changed = new CountDownLatch(1);
      Context.CancellationListener cancelled = context -> changed.countDown();
      call.addListener(cancelled, Runnable::run);
      try {
        channel.notifyWhenStateChanged(state, changed::countDown);
        changed.await(remaining, TimeUnit.NANOSECONDS);
      } finally {
        call.removeListener(cancelled);
      }
      state = channel.getState(state == ConnectivityState.IDLE);
    }
    return true;
  }

  @Override
  public void close() throws InterruptedException {
    try {
      flightClient.close();
    } finally {
      // A callback still running for a server that left or failed is of no use: cancel it.
      channel.shutdownNow();
      channel.awaitTermination(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS);
    }
  }
}
