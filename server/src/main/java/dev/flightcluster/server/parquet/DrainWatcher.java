package dev.flightcluster.server.parquet;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.arrow.memory.AllocationListener;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Lets a thread wait until an allocator holds at most so many bytes: the native writer releases
 * exported buffers from its own threads, as it encodes them and shortly after the write call has
 * returned.
 */
final class DrainWatcher implements AllocationListener {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition released = lock.newCondition();

  @Override
  public void onRelease(long size) {
    lock.lock();
    try {
      released.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until {@code allocator} holds nothing, at most {@code limit}.
   *
   * @return true when it is empty
   */
  boolean awaitEmpty(BufferAllocator allocator, Duration limit) throws InterruptedException {
    return awaitAtMost(allocator, 0, limit);
  }

  /**
   * Waits until {@code allocator} holds at most {@code bytes}, at most {@code limit}.
   *
   * @return true when it holds at most {@code bytes}
   */
  boolean awaitAtMost(BufferAllocator allocator, long bytes, Duration limit)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    lock.lock();
    try {
      while (allocator.getAllocatedMemory() > bytes) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        // Timed slices only as a safety net: a release normally signals at once.
        released.await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)), TimeUnit.NANOSECONDS);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }
}
