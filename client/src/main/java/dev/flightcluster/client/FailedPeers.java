package dev.flightcluster.client;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.arrow.flight.Location;

/**
 * The coordinators and data servers that failed recently, each remembered for a while and tried
 * only after the others meanwhile: a stopped peer then costs one timeout per client, not one per
 * call. Thread-safe, lock-free; time comes from an injectable clock.
 */
final class FailedPeers {
  private final InstantSource clock;
  private final Duration skipFor;
  private final Map<URI, Instant> skippedUntil = new ConcurrentHashMap<>();

  FailedPeers(InstantSource clock, Duration skipFor) {
    this.clock = requireNonNull(clock, "clock is null");
    this.skipFor = requireNonNull(skipFor, "skipFor is null");
  }

  /** Remembers that {@code peer} failed now: it goes last until the skip period is over. */
  void failed(Location peer) {
    skippedUntil.put(peer.getUri(), clock.instant().plus(skipFor));
  }

  /** Forgets an earlier failure of {@code peer}: it answered. */
  void succeeded(Location peer) {
    skippedUntil.remove(peer.getUri());
  }

  /** Whether {@code peer} failed within the skip period. */
  boolean isSkipped(Location peer) {
    return until(peer, clock.instant()) != null;
  }

  /**
   * {@code peers} in the order to try them: first those with no recent failure, in the order given,
   * then the recently failed ones, the one whose skip period ends first in front. Nothing is left
   * out: when every peer failed recently, each still gets its turn.
   */
  List<Location> order(List<Location> peers) {
    Instant now = clock.instant();
    List<Location> healthy = new ArrayList<>();
    List<Location> skipped = new ArrayList<>();
    for (Location peer : peers) {
      (until(peer, now) == null ? healthy : skipped).add(peer);
    }
    skipped.sort(Comparator.comparing(peer -> skippedUntil.getOrDefault(peer.getUri(), now)));
    healthy.addAll(skipped);
    return healthy;
  }

  private Instant until(Location peer, Instant now) {
    Instant until = skippedUntil.get(peer.getUri());
    if (until != null && !now.isBefore(until)) {
      // Expired: tried again in its place. remove(key, value) keeps a newer failure recorded
      // meanwhile.
      skippedUntil.remove(peer.getUri(), until);
      return null;
    }
    return until;
  }
}
