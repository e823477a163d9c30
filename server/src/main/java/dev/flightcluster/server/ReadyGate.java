package dev.flightcluster.server;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;

/**
 * gRPC backpressure for one DoGet: the streaming thread sleeps until the call can take another
 * message, the client cancels, or the server closes. gRPC signals readiness through the listener's
 * on-ready handler, so nothing polls.
 */
final class ReadyGate {
  private final ServerStreamListener listener;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private volatile boolean closed;

  ReadyGate(ServerStreamListener listener) {
    this.listener = listener;
    listener.setOnReadyHandler(this::signal);
    listener.setOnCancelHandler(this::signal);
  }

  /**
   * Waits until the call is ready for the next message.
   *
   * @return false when the client cancelled or the server is closing instead
   */
  boolean awaitReady() throws InterruptedException {
    lock.lock();
    try {
      while (true) {
        if (closed || listener.isCancelled()) {
          return false;
        }
        if (listener.isReady()) {
          return true;
        }
        changed.await();
      }
    } finally {
      lock.unlock();
    }
  }

  boolean closed() {
    return closed;
  }

  /** Wakes the streaming thread for good: the server is closing. */
  void close() {
    closed = true;
    signal();
  }

  private void signal() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
