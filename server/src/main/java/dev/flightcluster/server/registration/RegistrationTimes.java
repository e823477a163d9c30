package dev.flightcluster.server.registration;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The timing of a server's registrations, one default in one place.
 *
 * @param heartbeatInterval how often to heartbeat (a coordinator may ask for less)
 * @param callDeadline deadline of a heartbeat, and how long an upload waits for every coordinator
 *     to pull its listing. The coordinator answers a heartbeat with a new listing version only
 *     after it pulled the listing, so this is generous; a refused connection fails fast anyway.
 * @param firstHelloDeadline deadline of the first hello of a series
 * @param maxHelloDeadline a hello that times out is retried at once with twice the deadline, up to
 *     this; only then does the registration back off (a loaded coordinator answers late, not never)
 * @param goodbyeDeadline deadline of the goodbye on close; best effort
 * @param resolveEvery coordinator names are resolved again every this many heartbeat intervals
 */
public record RegistrationTimes(
    Duration heartbeatInterval,
    Duration callDeadline,
    Duration firstHelloDeadline,
    Duration maxHelloDeadline,
    Duration goodbyeDeadline,
    int resolveEvery) {
  static final Duration CALL_DEADLINE = Duration.ofSeconds(5);
  static final Duration MAX_HELLO_DEADLINE = Duration.ofSeconds(30);
  static final Duration GOODBYE_DEADLINE = Duration.ofSeconds(1);
  static final int RESOLVE_EVERY = 5;

  public RegistrationTimes {
    positive(heartbeatInterval, "heartbeatInterval");
    positive(callDeadline, "callDeadline");
    positive(firstHelloDeadline, "firstHelloDeadline");
    positive(maxHelloDeadline, "maxHelloDeadline");
    positive(goodbyeDeadline, "goodbyeDeadline");
    if (maxHelloDeadline.compareTo(firstHelloDeadline) < 0) {
      throw new IllegalArgumentException(
          "maxHelloDeadline "
              + maxHelloDeadline
              + " is shorter than firstHelloDeadline "
              + firstHelloDeadline);
    }
    if (resolveEvery < 1) {
      throw new IllegalArgumentException("resolveEvery must be positive: " + resolveEvery);
    }
  }

  /**
   * The defaults for a heartbeat interval: 5 s calls, hellos up to 30 s, names resolved every 5
   * beats.
   */
  public static RegistrationTimes defaults(Duration heartbeatInterval) {
    return new RegistrationTimes(
        heartbeatInterval,
        CALL_DEADLINE,
        CALL_DEADLINE,
        MAX_HELLO_DEADLINE,
        GOODBYE_DEADLINE,
        RESOLVE_EVERY);
  }

  /** The same, with other hello deadlines. */
  public RegistrationTimes withHelloDeadlines(Duration first, Duration max) {
    return new RegistrationTimes(
        heartbeatInterval, callDeadline, first, max, goodbyeDeadline, resolveEvery);
  }

  /** How often coordinator names are resolved again. */
  Duration resolveInterval() {
    return heartbeatInterval.multipliedBy(resolveEvery);
  }

  private static void positive(Duration duration, String name) {
    requireNonNull(duration, name + " is null");
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + duration);
    }
  }
}
