package dev.flightcluster.coordinator;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.ClusterStatus.ThroughputSample;
import dev.flightcluster.protocol.ServerStats;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What data servers report of their recent work in heartbeats ({@link ServerStats}), kept for the
 * status page: the latest report of each server and a short ring of its streamed-bytes counters,
 * from which the cluster's throughput is drawn. Bounded: at most {@link #SAMPLES_PER_SERVER}
 * samples per server, one per {@link #SAMPLE_EVERY}, and only servers the registry still holds
 * ({@link #retainOnly}). Thread-safe: every method holds the lock briefly and calls out to nothing.
 */
final class ServerActivity {
  /** The least time between two samples of one server; heartbeats in between only update it. */
  static final Duration SAMPLE_EVERY = Duration.ofSeconds(5);

  /** Samples kept per server: with {@link #SAMPLE_EVERY}, a little over the charted window. */
  static final int SAMPLES_PER_SERVER = 64;

  /** The length of one throughput interval on the chart. */
  static final Duration INTERVAL = Duration.ofSeconds(10);

  /** The charted window: the last five minutes. */
  static final int INTERVALS = 30;

  private record Sample(long atMillis, long bytes, long rows) {}

  private static final class Track {
    final ArrayDeque<Sample> samples = new ArrayDeque<>();
    ServerStats latest;
  }

  private final InstantSource clock;
  private final Map<String, Track> tracks = new HashMap<>();

  /**
   * @param clock the time samples are taken at, the coordinator's
   */
  ServerActivity(InstantSource clock) {
    this.clock = requireNonNull(clock, "clock is null");
  }

  /** Keeps a server's report, received now. */
  synchronized void record(String serverId, ServerStats stats) {
    requireNonNull(serverId, "serverId is null");
    requireNonNull(stats, "stats is null");
    Instant at = clock.instant();
    Track track = tracks.computeIfAbsent(serverId, id -> new Track());
    track.latest = stats;
    Sample last = track.samples.peekLast();
    long now = at.toEpochMilli();
    if (last == null || now - last.atMillis() >= SAMPLE_EVERY.toMillis()) {
      track.samples.addLast(new Sample(now, stats.bytesStreamed(), stats.rowsStreamed()));
      if (track.samples.size() > SAMPLES_PER_SERVER) {
        track.samples.removeFirst();
      }
    }
  }

  /** Forgets every server but {@code serverIds}: the ones gone from the registry. */
  synchronized void retainOnly(Collection<String> serverIds) {
    requireNonNull(serverIds, "serverIds is null");
    tracks.keySet().retainAll(Set.copyOf(serverIds));
  }

  /** The latest report of a server; empty when it sent none (or runs a version without them). */
  synchronized Optional<ServerStats> latest(String serverId) {
    Track track = tracks.get(serverId);
    return track == null ? Optional.empty() : Optional.ofNullable(track.latest);
  }

  /**
   * Bytes and rows per second streamed by {@code serverIds} together in each of the last {@link
   * #INTERVALS} complete intervals before now, oldest first. Each increase between two samples of a
   * server counts in the interval of the later sample; a counter that went down (a server restarted
   * under the same id) counts from zero.
   */
  synchronized List<ThroughputSample> throughput(Collection<String> serverIds) {
    requireNonNull(serverIds, "serverIds is null");
    Instant now = clock.instant();
    long interval = INTERVAL.toMillis();
    long end = Math.floorDiv(now.toEpochMilli(), interval) * interval;
    long start = end - INTERVALS * interval;
    long[] bytes = new long[INTERVALS];
    long[] rows = new long[INTERVALS];
    for (String id : serverIds) {
      Track track = tracks.get(id);
      if (track == null) {
        continue;
      }
      Sample previous = null;
      for (Sample sample : track.samples) {
        if (previous != null && sample.atMillis() >= start && sample.atMillis() < end) {
          int slot = (int) ((sample.atMillis() - start) / interval);
          bytes[slot] += increase(previous.bytes(), sample.bytes());
          rows[slot] += increase(previous.rows(), sample.rows());
        }
        previous = sample;
      }
    }
    double seconds = interval / 1000.0;
    List<ThroughputSample> samples = new ArrayList<>(INTERVALS);
    for (int i = 0; i < INTERVALS; i++) {
      samples.add(
          new ThroughputSample(
              start + (i + 1) * interval, seconds, bytes[i] / seconds, rows[i] / seconds));
    }
    return samples;
  }

  private static long increase(long before, long after) {
    return after >= before ? after - before : after;
  }
}
