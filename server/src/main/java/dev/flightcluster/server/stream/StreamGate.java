package dev.flightcluster.server.stream;

import org.apache.arrow.flight.BackpressureStrategy;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;

/**
 * gRPC backpressure for one DoGet: arrow-java's callback strategy (the streaming thread sleeps
 * until gRPC's on-ready or on-cancel handler wakes it, so nothing polls), plus one thing it lacks:
 * the server closing wakes the thread for good.
 */
final class StreamGate extends BackpressureStrategy.CallbackBackpressureStrategy {
  private volatile boolean closed;

  StreamGate(ServerStreamListener listener) {
    register(listener);
  }

  /**
   * Waits until the call is ready for the next message.
   *
   * @return false when the client cancelled or the server is closing instead
   */
  boolean awaitReady() throws InterruptedException {
    if (closed) {
      return false;
    }
    // A timeout of 0 waits without end; the strategy reports an interrupt as OTHER.
    BackpressureStrategy.WaitResult result = waitForListener(0);
    if (Thread.currentThread().isInterrupted()) {
      throw new InterruptedException("interrupted while waiting for the client");
    }
    return result == BackpressureStrategy.WaitResult.READY && !closed;
  }

  boolean closed() {
    return closed;
  }

  /** Wakes the streaming thread for good: the server is closing. */
  void close() {
    closed = true;
    interruptWait();
  }

  @Override
  protected boolean shouldContinueWaiting(ServerStreamListener listener, long remainingTimeout) {
    return !closed;
  }
}
