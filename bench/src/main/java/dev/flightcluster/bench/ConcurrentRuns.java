package dev.flightcluster.bench;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs N streams at once, N times over, and times each run from a common start to the end of the
 * slowest stream. Aggregate throughput is total bytes over that wall time, which is what a reader
 * pulling N streams in parallel experiences (a mean of per-stream rates would hide stragglers).
 */
final class ConcurrentRuns implements AutoCloseable {
  /** One stream of one run. */
  @FunctionalInterface
  interface StreamTask {
    StreamTotals run(int stream) throws Exception;
  }

  private final int streams;
  private final long timeoutNanos;
  private final ExecutorService pool;

  ConcurrentRuns(int streams, long timeoutSeconds) {
    if (streams < 1) {
      throw new IllegalArgumentException("streams must be at least 1");
    }
    if (timeoutSeconds < 1) {
      throw new IllegalArgumentException("timeout must be at least 1 s");
    }
    this.streams = streams;
    this.timeoutNanos = TimeUnit.SECONDS.toNanos(timeoutSeconds);
    this.pool = Executors.newFixedThreadPool(streams);
  }

  /**
   * One run: every stream waits on a common start signal so that thread start-up is not timed.
   *
   * @throws Exception the first stream's failure, or a {@link TimeoutException} past the timeout
   */
  BenchReport.Run run(StreamTask task) throws Exception {
    requireNonNull(task, "task is null");
    var ready = new CountDownLatch(streams);
    var start = new CountDownLatch(1);
    List<Future<StreamTotals>> futures = new ArrayList<>(streams);
    for (int i = 0; i < streams; i++) {
      int stream = i;
      futures.add(
          pool.submit(
              () -> {
                ready.countDown();
                start.await();
                return task.run(stream);
              }));
    }
    if (!ready.await(30, TimeUnit.SECONDS)) {
      futures.forEach(f -> f.cancel(true));
      throw new TimeoutException("stream threads did not start");
    }
    long begin = System.nanoTime();
    start.countDown();
    List<StreamTotals> totals = new ArrayList<>(streams);
    try {
      for (Future<StreamTotals> future : futures) {
        long left = timeoutNanos - (System.nanoTime() - begin);
        totals.add(future.get(Math.max(left, 0), TimeUnit.NANOSECONDS));
      }
    } catch (ExecutionException e) {
      futures.forEach(f -> f.cancel(true));
      throw e.getCause() instanceof Exception cause ? cause : e;
    } catch (TimeoutException e) {
      futures.forEach(f -> f.cancel(true));
      throw new TimeoutException("run did not finish within the timeout");
    }
    double seconds = (System.nanoTime() - begin) / 1e9;
    StreamTotals sum = StreamTotals.sum(totals);
    return new BenchReport.Run(seconds, sum.rows(), sum.arrowBytes(), sum.batches());
  }

  @Override
  public void close() {
    pool.shutdownNow();
    try {
      if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
        System.err.println("stream threads still running after 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
