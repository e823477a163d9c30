package dev.flightcluster.server.upload;

import static java.util.Objects.requireNonNull;

import io.grpc.BinaryLog;
import io.grpc.Context;
import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a data server needs to survive hostile uploads: the {@link MessageGuard} to install on its
 * gRPC server, and an {@link UploadWait} per upload that bounds its waits by the idle timeout. Owns
 * one timer thread; close it after the server.
 */
public final class UploadGuard implements AutoCloseable {
  private final Duration idleTimeout;
  private final ScheduledThreadPoolExecutor timer;
  private final MessageGuard messageGuard = new MessageGuard();

  /**
   * @param idleTimeout how long an upload may send nothing while the server waits for a message
   */
  public UploadGuard(Duration idleTimeout) {
    requireNonNull(idleTimeout, "idleTimeout is null");
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("idleTimeout must be positive: " + idleTimeout);
    }
    this.idleTimeout = idleTimeout;
    AtomicInteger count = new AtomicInteger();
    this.timer =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread thread =
                  new Thread(runnable, "flight-server-upload-deadline-" + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    // Every batch schedules a deadline and cancels it: cancelled ones must not pile up in the
    // queue.
    timer.setRemoveOnCancelPolicy(true);
  }

  /** The idle timeout uploads are held to. */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /** Install with {@code NettyServerBuilder.setBinaryLog}: DoPut messages Flight cannot decode. */
  public BinaryLog messageGuard() {
    return messageGuard;
  }

  /**
   * The waits of the upload whose call is the current gRPC context; close it when the upload ends.
   */
  public UploadWait begin() {
    return new UploadWait(timer, idleTimeout, Context.current());
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
