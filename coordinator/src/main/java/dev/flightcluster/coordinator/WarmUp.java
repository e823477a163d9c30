package dev.flightcluster.coordinator;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.Set;
import org.apache.arrow.flight.CallStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a coordinator knows enough to answer for the cluster. A coordinator that has just started
 * knows no server yet; answering ListFlights then would tell clients that every dataset vanished.
 * So it answers catalog reads with UNAVAILABLE (clients move to another coordinator) until it is
 * warm, which it becomes, for good, at the first of:
 *
 * <ul>
 *   <li>one lease has passed since it started: every server alive before has had a whole lease to
 *       heartbeat, say hello and be pulled, or would have been evicted anyway;
 *   <li>it has heard from at least one server (a hello, or a heartbeat it answered {@code
 *       known=false}), and every server it has heard from since it started has been pulled or has
 *       said goodbye.
 * </ul>
 *
 * <p>Thread-safe. {@link #isWarm} is checked by reads and by the sweeper, so the listener runs soon
 * after the lease passes even when nobody reads.
 */
final class WarmUp {
  private static final Logger log = LoggerFactory.getLogger(WarmUp.class);

  /**
   * Ids remembered while warming up. Beyond it, ids made up by a hostile caller only keep the
   * coordinator cold until the lease has passed, instead of growing the set.
   */
  private static final int MAX_AWAITING = 100_000;

  private final InstantSource clock;
  private final Duration lease;
  private final Runnable onWarm;
  private final Set<String> awaiting = new HashSet<>();
  private Instant start;
  private boolean heardAny;
  private boolean overflowed;
  private volatile boolean warm;

  /**
   * @param onWarm runs once, on the thread that notices the coordinator is warm; must not block
   */
  WarmUp(InstantSource clock, Duration lease, Runnable onWarm) {
    this.clock = requireNonNull(clock, "clock is null");
    this.lease = requireNonNull(lease, "lease is null");
    this.onWarm = requireNonNull(onWarm, "onWarm is null");
    this.start = clock.instant();
  }

  /** Starts the lease-long wait now; the coordinator calls it when it starts listening. */
  synchronized void start() {
    start = clock.instant();
  }

  /** A server made contact; until it is pulled the coordinator does not know its datasets. */
  synchronized void heardFrom(String serverId) {
    requireNonNull(serverId, "serverId is null");
    if (!warm) {
      heardAny = true;
      if (awaiting.size() < MAX_AWAITING) {
        awaiting.add(serverId);
      } else {
        overflowed = true;
      }
    }
  }

  /** A server's listing is registered. */
  void pulled(String serverId) {
    forget(serverId);
  }

  /** A server said goodbye: nothing to wait for. */
  void left(String serverId) {
    forget(serverId);
  }

  private void forget(String serverId) {
    requireNonNull(serverId, "serverId is null");
    synchronized (this) {
      if (warm) {
        return;
      }
      awaiting.remove(serverId);
    }
    isWarm();
  }

  /** Whether the coordinator is warm now; runs the listener when it has just become so. */
  boolean isWarm() {
    if (warm) {
      return true;
    }
    String reason;
    synchronized (this) {
      if (warm) {
        return true;
      }
      if (!clock.instant().isBefore(start.plus(lease))) {
        reason = "one lease (" + lease.toMillis() + " ms) has passed since it started";
      } else if (heardAny && awaiting.isEmpty() && !overflowed) {
        reason = "every data server it has heard from since it started has been listed";
      } else {
        return false;
      }
      warm = true;
      awaiting.clear();
    }
    log.info("Coordinator is warm and serves its catalog: {}", reason);
    onWarm.run();
    return true;
  }

  /**
   * Throws UNAVAILABLE while the coordinator is warming up.
   *
   * @param call the call refused, for the message
   */
  void check(String call) {
    if (isWarm()) {
      return;
    }
    int waiting;
    synchronized (this) {
      waiting = awaiting.size();
    }
    throw CallStatus.UNAVAILABLE
        .withDescription(
            "coordinator warming up: it started recently and has not yet heard from every data"
                + " server ("
                + waiting
                + " still to be listed), so "
                + call
                + " would show an incomplete catalog; retry shortly or ask another coordinator")
        .toRuntimeException();
  }
}
