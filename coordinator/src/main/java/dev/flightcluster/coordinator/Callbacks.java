package dev.flightcluster.coordinator;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.context.Context;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.arrow.flight.CallStatus;

/**
 * The coordinator's calls back to data servers (listing pulls) run here, on a bounded pool of their
 * own, so that a server that is slow or never answers holds a callback thread and never a thread
 * that serves clients and heartbeats. Work beyond the pool and its queue is refused at once with
 * UNAVAILABLE rather than queued without bound.
 *
 * <p>At most one callback per server id, and one hello per advertised address, is in flight: a
 * second is refused with UNAVAILABLE at once (the registrar retries with backoff). A storm of
 * hellos naming one address that never answers therefore costs one thread, not one per hello.
 *
 * <p>Each task runs in the OpenTelemetry context and the gRPC context of the call that asked for
 * it: the callback joins the caller's trace, and is cancelled with the caller's call.
 */
final class Callbacks implements AutoCloseable {
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);

  private final ThreadPoolExecutor pool;
  private final Set<String> serverIds = new HashSet<>();
  private final Set<String> addresses = new HashSet<>();

  /**
   * @param threads callbacks that may run at once
   * @param queued callbacks that may wait for a thread
   */
  Callbacks(int threads, int queued) {
    this.pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(queued),
            Thread.ofPlatform().name("coordinator-callback-", 0).daemon().factory(),
            new ThreadPoolExecutor.AbortPolicy());
  }

  /**
   * Runs {@code work} for server {@code serverId} on the pool.
   *
   * @param address the address a hello names, to allow one hello per address; null for a callback
   *     to a registered server
   * @return the work's outcome; completes exceptionally with what the work threw
   * @throws org.apache.arrow.flight.FlightRuntimeException UNAVAILABLE when a callback for the id
   *     or address is already in flight, or the pool and its queue are full
   */
  <T> CompletableFuture<T> run(String serverId, String address, Supplier<T> work) {
    requireNonNull(serverId, "serverId is null");
    requireNonNull(work, "work is null");
    acquire(serverId, address);
    CompletableFuture<T> outcome = new CompletableFuture<>();
    io.grpc.Context call = io.grpc.Context.current();
    Runnable task =
        Context.current()
            .wrap(
                () -> {
                  try {
                    if (call.isCancelled()) {
                      throw CallStatus.CANCELLED
                          .withDescription("the caller gave up before the callback started")
                          .toRuntimeException();
                    }
                    outcome.complete(call.wrap(work::get).call());
                  } catch (Throwable e) {
                    outcome.completeExceptionally(e);
                  } finally {
                    release(serverId, address);
                  }
                });
    try {
      pool.execute(task);
    } catch (RejectedExecutionException e) {
      release(serverId, address);
      throw CallStatus.UNAVAILABLE
          .withDescription(
              "the coordinator is busy calling other data servers back ("
                  + pool.getMaximumPoolSize()
                  + " at once, "
                  + pool.getQueue().size()
                  + " waiting); retry shortly")
          .toRuntimeException();
    }
    return outcome;
  }

  private synchronized void acquire(String serverId, String address) {
    if (serverIds.contains(serverId)) {
      throw CallStatus.UNAVAILABLE
          .withDescription(
              "the coordinator is already calling server "
                  + serverId
                  + " back (an earlier hello or listing change); retry once it has answered")
          .toRuntimeException();
    }
    if (address != null && addresses.contains(address)) {
      throw CallStatus.UNAVAILABLE
          .withDescription(
              "a hello naming "
                  + address
                  + " is already in progress; retry once it has been answered")
          .toRuntimeException();
    }
    serverIds.add(serverId);
    if (address != null) {
      addresses.add(address);
    }
  }

  private synchronized void release(String serverId, String address) {
    serverIds.remove(serverId);
    if (address != null) {
      addresses.remove(address);
    }
  }

  /** Stops taking callbacks and cancels the running ones after a short grace. */
  @Override
  public void close() throws InterruptedException {
    pool.shutdown();
    if (!pool.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
      pool.shutdownNow();
    }
  }
}
