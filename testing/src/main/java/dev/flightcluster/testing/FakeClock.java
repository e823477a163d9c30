package dev.flightcluster.testing;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that moves only when a test moves it, so leases and skip periods run out without waiting.
 */
public final class FakeClock implements InstantSource {
  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2025-01-01T00:00:00Z"));

  @Override
  public Instant instant() {
    return now.get();
  }

  /** Moves the clock forward by {@code duration}. */
  public void advance(Duration duration) {
    requireNonNull(duration, "duration is null");
    now.updateAndGet(instant -> instant.plus(duration));
  }
}
