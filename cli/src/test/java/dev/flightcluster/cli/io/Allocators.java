package dev.flightcluster.cli.io;

import static org.awaitility.Awaitility.await;

import org.apache.arrow.memory.BufferAllocator;

/** Allocator checks for tests. */
public final class Allocators {
  private Allocators() {}

  /**
   * Waits until everything allocated from {@code allocator} is released. arrow-dataset's writer
   * returns before its native threads have released the last batches exported to it, so closing the
   * allocator right after a Parquet write can report a leak that is only late.
   */
  public static void awaitReleased(BufferAllocator allocator) {
    await().until(() -> allocator.getAllocatedMemory() == 0);
  }
}
