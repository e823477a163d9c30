package dev.flightcluster.server.stream;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The native memory that DoGet scans may hold at once, shared by every stream of a server.
 *
 * <p>Why it is needed: arrow-dataset's Parquet reader pre-buffers the column chunks it reads and
 * keeps them until the file has been read to its end (apache/arrow#39808), and Arrow Java 18.3 has
 * no setting to turn pre-buffering off. A scan therefore holds up to the Parquet bytes of the files
 * it has open, whatever the client's pace, and eight clients of a 250 MB file held 3 GB. A stream
 * reserves its {@link #estimate estimate} before its scan opens and returns it when the scan
 * closes; streams that do not fit wait, first come first served, and give up with
 * RESOURCE_EXHAUSTED after the queue timeout. A stream larger than the whole budget runs once it
 * has the budget to itself.
 */
final class ScanBudget {
  /** Decoded batches in flight on top of the pre-buffered bytes: measured at ~200 MB per scan. */
  static final long DECODE_BYTES = 192L << 20;

  private static final int MIB = 1 << 20;

  private final long budgetBytes;
  private final int permits;
  private final Semaphore semaphore;

  ScanBudget(long budgetBytes) {
    if (budgetBytes < MIB) {
      throw new IllegalArgumentException(
          "the scan memory budget must be at least 1 MiB: " + budgetBytes);
    }
    this.budgetBytes = budgetBytes;
    this.permits = (int) Math.min(Integer.MAX_VALUE, budgetBytes / MIB);
    this.semaphore = new Semaphore(permits, true);
  }

  /**
   * The native memory a stream reading files of these sizes may hold: a stream reads one file at a
   * time (decisions D54), so the largest file's Parquet bytes plus decoded batches, which for a
   * small file cannot exceed its size by much.
   */
  static long estimate(List<Long> fileSizes) {
    long preBuffered = fileSizes.stream().mapToLong(Long::longValue).max().orElse(0);
    return preBuffered + Math.min(DECODE_BYTES, Math.max(preBuffered, MIB));
  }

  long budgetBytes() {
    return budgetBytes;
  }

  /** What is not reserved now, in bytes. */
  long availableBytes() {
    return (long) semaphore.availablePermits() * MIB;
  }

  /**
   * Reserves {@code bytes} (at most the whole budget), waiting up to {@code maxWait}.
   *
   * @param cancelled polled while waiting: the caller has gone, stop waiting
   * @return the reservation, to close when the scan has closed; null when the wait timed out or was
   *     cancelled
   */
  Reservation reserve(long bytes, Duration maxWait, BooleanSupplier cancelled)
      throws InterruptedException {
    requireNonNull(maxWait, "maxWait is null");
    requireNonNull(cancelled, "cancelled is null");
    int wanted = (int) Math.max(1, Math.min(permits, (bytes + MIB - 1) / MIB));
    long deadline = System.nanoTime() + maxWait.toNanos();
    while (!cancelled.getAsBoolean()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      // Short slices so a client that gives up while queued frees its place promptly.
      if (semaphore.tryAcquire(
          wanted, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)), TimeUnit.NANOSECONDS)) {
        return new Reservation(wanted);
      }
    }
    return null;
  }

  /** A reservation of the budget; closing it twice returns it once. */
  final class Reservation implements AutoCloseable {
    private final int held;
    private boolean closed;

    private Reservation(int held) {
      this.held = held;
    }

    long bytes() {
      return (long) held * MIB;
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        semaphore.release(held);
      }
    }
  }
}
