package dev.flightcluster.client;

/**
 * How {@link FlightClusterClient#putDataset} writes: replicas, shard size and whether to append.
 * Immutable; {@link #defaults()} holds the one default of each setting, the {@code with} methods
 * validate.
 *
 * @param replicas on how many distinct data servers each shard is stored
 * @param shardBytes a shard is closed once it holds at least this many bytes of Arrow data
 * @param append add shards to an existing folder dataset of the same schema instead of creating one
 * @param expectedBytes about how large the input is (0 when unknown), to plan how many shards it
 *     makes; a put may write more shards than planned, placed like the planned ones in turn
 */
public record ParallelPutOptions(
    int replicas, long shardBytes, boolean append, long expectedBytes) {
  /** Default {@link #shardBytes}: 128 MiB. */
  public static final long DEFAULT_SHARD_BYTES = 128L << 20;

  /** The smallest {@link #shardBytes} accepted. */
  public static final long MIN_SHARD_BYTES = 1L << 10;

  /** Default {@link #replicas}: 1. */
  public static final int DEFAULT_REPLICAS = 1;

  /** The most shards a put writes at once, each to its replicas. */
  public static final int MAX_OPEN_SHARDS = 8;

  public ParallelPutOptions {
    if (replicas < 1 || replicas > 16) {
      throw new IllegalArgumentException("replicas must be 1..16; got " + replicas);
    }
    if (shardBytes < MIN_SHARD_BYTES) {
      throw new IllegalArgumentException(
          "shard size must be at least " + MIN_SHARD_BYTES + " bytes; got " + shardBytes);
    }
    if (expectedBytes < 0) {
      throw new IllegalArgumentException(
          "expected bytes must not be negative; got " + expectedBytes);
    }
  }

  /** One replica, 128 MiB shards, no append, size unknown. */
  public static ParallelPutOptions defaults() {
    return new ParallelPutOptions(DEFAULT_REPLICAS, DEFAULT_SHARD_BYTES, false, 0);
  }

  public ParallelPutOptions withReplicas(int value) {
    return new ParallelPutOptions(value, shardBytes, append, expectedBytes);
  }

  public ParallelPutOptions withShardBytes(long value) {
    return new ParallelPutOptions(replicas, value, append, expectedBytes);
  }

  public ParallelPutOptions withAppend(boolean value) {
    return new ParallelPutOptions(replicas, shardBytes, value, expectedBytes);
  }

  public ParallelPutOptions withExpectedBytes(long value) {
    return new ParallelPutOptions(replicas, shardBytes, append, value);
  }

  /** How many shards to plan: the expected size in shards, at least one. */
  int plannedShards() {
    long shards = expectedBytes == 0 ? 1 : (expectedBytes + shardBytes - 1) / shardBytes;
    return (int) Math.min(dev.flightcluster.protocol.PutParts.MAX_SHARDS, Math.max(1, shards));
  }
}
