package dev.flightcluster.server.store;

import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;

/**
 * The store's warnings of one refresh, each logged once per cause: a warning whose key the previous
 * refresh raised too is not logged again, so a bad file warns once per version, not every
 * heartbeat.
 */
final class Warnings {
  private final Logger log;
  private final Set<String> previous;
  private final Set<String> raised = new HashSet<>();

  Warnings(Logger log, Set<String> previous) {
    this.log = log;
    this.previous = Set.copyOf(previous);
  }

  /** Raises {@code key}; logs the message unless the previous refresh raised it too. */
  void warnOnce(String key, String format, Object... args) {
    raised.add(key);
    if (!previous.contains(key)) {
      log.warn(format, args);
    }
  }

  /** Whether the previous refresh raised {@code key}. */
  boolean raisedBefore(String key) {
    return previous.contains(key);
  }

  /** Keeps {@code key} raised without logging: its cause is known and unchanged. */
  void keep(String key) {
    raised.add(key);
  }

  /** The keys raised by this refresh: the next refresh's previous ones. */
  Set<String> raised() {
    return Set.copyOf(raised);
  }

  /** The first line of a failure's message: enough for a log line about a file. */
  static String firstLine(Throwable e) {
    String message = Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
    return message.lines().findFirst().orElse(message);
  }
}
