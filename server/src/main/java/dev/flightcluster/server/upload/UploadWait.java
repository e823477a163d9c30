package dev.flightcluster.server.upload;

import static java.util.Objects.requireNonNull;

import io.grpc.Context;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;

/**
 * Bounds every wait of one upload for its client. {@code FlightStream.getDescriptor()}, {@code
 * getRoot()} and {@code next()} block on futures and a queue with no timeout, and {@code
 * getDescriptor()} is not even woken when the call ends, so an upload that never sends its first
 * message held its thread for ever. Each wait here runs on the upload's thread and is interrupted
 * when one of three things happens first:
 *
 * <ul>
 *   <li>no message came for the idle timeout: CANCELLED (docs/decisions.md D16);
 *   <li>{@link MessageGuard} found a message malformed: its INVALID_ARGUMENT;
 *   <li>the call ended (the client cancelled or went away): CANCELLED.
 * </ul>
 *
 * <p>The interrupt is delivered only while the thread is inside {@link #await}, under the lock that
 * {@link #await} takes on the way out, and cleared there, so it never reaches other code running on
 * the shared gRPC executor. Use from one thread; close when the upload ends.
 */
public final class UploadWait implements AutoCloseable {
  private final ScheduledExecutorService timer;
  private final Duration idleTimeout;
  private final Context context;
  private final Context.CancellationListener onCancelled = this::cancelled;
  private final Object lock = new Object();

  // Guarded by lock.
  private Thread waiter;
  private ScheduledFuture<?> deadline;
  private boolean interrupted;
  private FlightRuntimeException reason;

  UploadWait(ScheduledExecutorService timer, Duration idleTimeout, Context context) {
    this.timer = requireNonNull(timer, "timer is null");
    this.idleTimeout = requireNonNull(idleTimeout, "idleTimeout is null");
    this.context = requireNonNull(context, "context is null");
    // Runs at once when the call has already ended.
    context.addListener(onCancelled, Runnable::run);
  }

  /**
   * Runs {@code call}, a blocking read of the upload, within the idle timeout.
   *
   * @param what what is awaited, for the message: "the first message", "record batch 3"
   * @throws FlightRuntimeException the reason the wait was cut short, or an earlier one; any other
   *     failure of {@code call} passes unchanged
   */
  public <T> T await(String what, Supplier<T> call) {
    requireNonNull(what, "what is null");
    requireNonNull(call, "call is null");
    synchronized (lock) {
      if (reason != null) {
        throw reason;
      }
      try {
        deadline = timer.schedule(() -> timeOut(what), idleTimeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        throw CallStatus.UNAVAILABLE
            .withDescription("the server is shutting down; upload elsewhere")
            .toRuntimeException();
      }
      waiter = Thread.currentThread();
    }
    T result;
    try {
      result = call.get();
    } catch (RuntimeException e) {
      FlightRuntimeException cut = leave();
      throw cut != null ? cut : e;
    }
    // A message that is malformed, a stall or a call that ended makes any result moot: the upload
    // ends.
    FlightRuntimeException cut = leave();
    if (cut != null) {
      throw cut;
    }
    return result;
  }

  /** The reason the upload must end, if there is one. */
  public FlightRuntimeException failure() {
    synchronized (lock) {
      return reason;
    }
  }

  private FlightRuntimeException leave() {
    synchronized (lock) {
      waiter = null;
      deadline.cancel(false);
      if (interrupted) {
        // Ours, delivered while we waited: it must not reach the next task of this thread.
        Thread.interrupted();
        interrupted = false;
      }
      return reason;
    }
  }

  private void timeOut(String what) {
    synchronized (lock) {
      if (waiter == null || reason != null) {
        return;
      }
      reason =
          CallStatus.CANCELLED
              .withDescription(
                  "the upload sent nothing for "
                      + idleTimeout.toMillis()
                      + " ms while the server waited for "
                      + what
                      + " (--upload-idle-timeout); the server ended it and stored nothing")
              .toRuntimeException();
      interruptWaiter();
    }
  }

  /** Ends the upload with {@code failure}, unless it already has a reason to end. */
  void fail(FlightRuntimeException failure) {
    synchronized (lock) {
      if (reason == null) {
        reason = failure;
      }
      interruptWaiter();
    }
  }

  private void cancelled(Context cancelled) {
    if (cancelled.cancellationCause() instanceof MessageGuard.Malformed malformed) {
      fail(malformed.status());
    } else {
      fail(
          CallStatus.CANCELLED
              .withDescription("the client cancelled the upload")
              .toRuntimeException());
    }
  }

  private void interruptWaiter() {
    if (waiter != null && !interrupted) {
      interrupted = true;
      waiter.interrupt();
    }
  }

  @Override
  public void close() {
    context.removeListener(onCancelled);
    synchronized (lock) {
      if (deadline != null) {
        deadline.cancel(false);
      }
    }
  }
}
