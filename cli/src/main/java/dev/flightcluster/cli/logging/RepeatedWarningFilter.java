package dev.flightcluster.cli.logging;

import static java.util.Objects.requireNonNull;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Marker;
import org.slf4j.helpers.BasicMarkerFactory;

/**
 * Logs a recurring warning at WARN once per window (10 minutes) and its repeats in that window at
 * DEBUG. A warning is recurring when the same logger logs the same message pattern again, whatever
 * its arguments: a peer that keeps failing the same way would otherwise fill the log with one line
 * per attempt. Errors are never held back. The patterns remembered are bounded (least recently seen
 * leave first), so memory stays small whatever is logged. Declared in {@code logback.xml}, after
 * the filters that handle particular warnings.
 */
public final class RepeatedWarningFilter extends TurboFilter {
  static final Duration WINDOW = Duration.ofMinutes(10);
  private static final int REMEMBERED = 1024;

  // Not SLF4J's MarkerFactory: logback loads this class while SLF4J is still initialising, when
  // MarkerFactory has no factory yet.
  private static final BasicMarkerFactory MARKERS = new BasicMarkerFactory();

  // A marker of our own, so the re-logged repeat passes this filter on its way out.
  private static final Marker REPEATED = MARKERS.getMarker("flight-cluster-repeated-warning");

  private final InstantSource clock;
  private final Map<String, Instant> windowStarts =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
          return size() > REMEMBERED;
        }
      };

  /** For logback, which needs a public no-argument constructor. */
  public RepeatedWarningFilter() {
    this(InstantSource.system());
  }

  RepeatedWarningFilter(InstantSource clock) {
    this.clock = requireNonNull(clock, "clock is null");
  }

  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (!isStarted()
        || marker != null
        || level == null
        || level.toInt() != Level.WARN_INT
        || format == null) {
      return FilterReply.NEUTRAL;
    }
    if (firstInWindow(logger.getName() + '\u0000' + format)) {
      return FilterReply.NEUTRAL;
    }
    if (logger.isDebugEnabled()) {
      logger.debug(REPEATED, "(repeated) " + format, t == null ? params : append(params, t));
    }
    return FilterReply.DENY;
  }

  private synchronized boolean firstInWindow(String key) {
    Instant now = clock.instant();
    Instant start = windowStarts.get(key);
    if (start == null || !now.isBefore(start.plus(WINDOW))) {
      windowStarts.put(key, now);
      return true;
    }
    return false;
  }

  private static Object[] append(Object[] params, Throwable t) {
    Object[] all = new Object[(params == null ? 0 : params.length) + 1];
    if (params != null) {
      System.arraycopy(params, 0, all, 0, params.length);
    }
    all[all.length - 1] = t;
    return all;
  }
}
