package dev.flightcluster.client;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.FlightStream;

/**
 * Cancels a DoGet stream that has delivered nothing for the progress timeout while its reader was
 * waiting for it. A stopped server (SIGSTOP, a hung disk, a partition that drops packets) keeps its
 * TCP connection open and sends nothing, and a read would wait forever; gRPC keepalive notices only
 * a peer that stops answering pings, and a deadline would bound the whole stream, which may rightly
 * take long. Time spent in the consumer does not count: only the wait for the next message.
 *
 * <p>One daemon thread for the whole client; a watched stream costs one scheduled task at a time.
 * Thread-safe.
 */
final class ProgressWatchdog implements AutoCloseable {
  private final Duration timeout;
  private final ScheduledThreadPoolExecutor scheduler;

  ProgressWatchdog(Duration timeout) {
    this.timeout = requireNonNull(timeout, "timeout is null");
    this.scheduler =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread thread = new Thread(runnable, "flight-cluster-client-progress");
              thread.setDaemon(true);
              return thread;
            });
    scheduler.setRemoveOnCancelPolicy(true);
  }

  Duration timeout() {
    return timeout;
  }

  /** Starts watching {@code stream}; close the watch when the stream is done with. */
  Watch watch(FlightStream stream) {
    Watch watch = new Watch(requireNonNull(stream, "stream is null"));
    watch.schedule(timeout.toNanos());
    return watch;
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }

  /** The watch over one stream, used by the one thread that reads it. */
  final class Watch implements AutoCloseable {
    private static final long NOT_WAITING = Long.MIN_VALUE;

    private final FlightStream stream;
    private volatile long waitingSince = NOT_WAITING;
    private volatile boolean stalled;
    private ScheduledFuture<?> check; // guarded by this
    private boolean closed; // guarded by this

    private Watch(FlightStream stream) {
      this.stream = stream;
    }

    /** The reader is about to wait for the next message. */
    void waiting() {
      waitingSince = System.nanoTime();
    }

    /** The reader has its message (or the stream ended). */
    void progressed() {
      waitingSince = NOT_WAITING;
    }

    /** Whether this watch cancelled the stream because nothing arrived in time. */
    boolean stalled() {
      return stalled;
    }

    @Override
    public synchronized void close() {
      closed = true;
      if (check != null) {
        check.cancel(false);
      }
    }

    private synchronized void schedule(long delayNanos) {
      if (closed) {
        return;
      }
      try {
        check = scheduler.schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        // The client is closing, which ends every stream anyway.
      }
    }

    private void check() {
      long since = waitingSince;
      long timeoutNanos = timeout.toNanos();
      if (since == NOT_WAITING) {
        schedule(timeoutNanos);
        return;
      }
      long waited = System.nanoTime() - since;
      if (waited < timeoutNanos) {
        schedule(timeoutNanos - waited);
        return;
      }
      stalled = true;
      // The reader blocked in next() wakes up with CANCELLED; GetOperation reports the stall.
      stream.cancel("no message for " + Failures.format(timeout) + " (progress timeout)", null);
    }
  }
}
