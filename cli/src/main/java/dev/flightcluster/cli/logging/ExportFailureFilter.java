package dev.flightcluster.cli.logging;

import static java.util.Objects.requireNonNull;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Marker;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.MessageFormatter;

/**
 * Reports a failing span exporter once. Without a collector the OTLP exporter warns on every batch,
 * every few seconds, for as long as the process runs, and buries everything else on the console.
 * Tracing is optional for this service, so the first failure is logged with a hint naming the
 * endpoint, and later ones from the exporter loggers are dropped.
 *
 * <p>Declared in {@code logback.xml}; the telemetry set-up tells it the endpoint through {@link
 * Logging#exportEndpoint}.
 */
public final class ExportFailureFilter extends TurboFilter {
  /** The exporter loggers: OTLP gRPC and HTTP exporters log under this prefix, through JUL. */
  public static final String EXPORTER_LOGGERS = "io.opentelemetry.exporter";

  // Not SLF4J's MarkerFactory: logback loads this class while SLF4J is still initialising, when
  // MarkerFactory has no factory yet.
  private static final BasicMarkerFactory MARKERS = new BasicMarkerFactory();

  // A marker of our own, so the rewritten event passes this filter on its way out.
  private static final Marker REPORTED = MARKERS.getMarker("flight-cluster-export-failure");

  private final AtomicBoolean reported = new AtomicBoolean();
  private volatile String endpoint = "the OTLP endpoint";
  private volatile boolean endpointConfigured = true;

  /** The endpoint the exporter sends to, for the hint. */
  public void setEndpoint(String endpoint) {
    this.endpoint = requireNonNull(endpoint, "endpoint is null");
  }

  /**
   * Whether the user named the endpoint. When not, nobody asked for a collector, so the one report
   * is a warning even where the exporter logs an error.
   */
  public void setEndpointConfigured(boolean endpointConfigured) {
    this.endpointConfigured = endpointConfigured;
  }

  /**
   * Reports, unless an export failure was reported already, that spans were still unexported when
   * the process stopped waiting for them: a collector that refuses makes the exporter retry with
   * backoff, so its own failure may come only after the exit.
   */
  public void reportUnfinishedExport(ch.qos.logback.classic.Logger logger, long waitedMillis) {
    if (reported.compareAndSet(false, true)) {
      logger.warn(
          REPORTED,
          "spans not exported within {} ms of exit - is a collector listening at {}?",
          waitedMillis,
          endpoint);
    }
  }

  /** Whether an export failure has been reported already. */
  public boolean hasReported() {
    return reported.get();
  }

  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (!isStarted()
        || marker == REPORTED
        || level == null
        || !level.isGreaterOrEqual(Level.WARN)
        || !logger.getName().startsWith(EXPORTER_LOGGERS)) {
      return FilterReply.NEUTRAL;
    }
    if (format == null && t == null) {
      // An isWarnEnabled()-style check: it must not use up the one report.
      return FilterReply.NEUTRAL;
    }
    if (!reported.compareAndSet(false, true)) {
      return FilterReply.DENY;
    }
    String message = MessageFormatter.arrayFormat(format, params).getMessage();
    String cause = t == null ? "" : " (" + t + ")";
    String hint =
        "{}{} - is a collector listening at {}? Tracing stays on, further export failures are not"
            + " logged";
    if (level.isGreaterOrEqual(Level.ERROR) && endpointConfigured) {
      logger.error(REPORTED, hint, message, cause, endpoint);
    } else {
      logger.warn(REPORTED, hint, message, cause, endpoint);
    }
    return FilterReply.DENY;
  }
}
