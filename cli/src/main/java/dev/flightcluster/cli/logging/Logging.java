package dev.flightcluster.cli.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.AppenderAttachable;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * The process-wide logging set-up of the CLI: logback as configured in {@code logback.xml} (stderr,
 * with trace and span ids), and java.util.logging routed into it, since gRPC and the OpenTelemetry
 * SDK log through JUL.
 */
public final class Logging {
  private static final String PROJECT_LOGGERS = "dev.flightcluster";

  /** The console appender of {@code logback.xml}, under its OTEL (MDC) appender. */
  private static final String CONSOLE = "CONSOLE";

  private Logging() {}

  /** Routes java.util.logging to SLF4J. Idempotent. */
  public static void install() {
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
  }

  /** Logs this project's debug messages too. */
  public static void setVerbose(boolean verbose) {
    LoggerContext context = loggerContext();
    if (context != null) {
      context.getLogger(PROJECT_LOGGERS).setLevel(verbose ? Level.DEBUG : Level.INFO);
    }
  }

  /**
   * Writes the console's lines in {@code format}: JSON swaps the console appender's encoder for
   * logback's {@link JsonEncoder}, one object a line. Call it before the command logs anything of
   * note; switching back to text is not needed by the CLI and not offered.
   */
  public static void setFormat(LogFormat format) {
    LoggerContext context = loggerContext();
    if (context != null) {
      setFormat(context, format);
    }
  }

  /** {@link #setFormat(LogFormat)} on a given context: tests configure their own. */
  static void setFormat(LoggerContext context, LogFormat format) {
    if (format == LogFormat.TEXT) {
      return;
    }
    if (context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("OTEL")
            instanceof AppenderAttachable<?> otel
        && otel.getAppender(CONSOLE) instanceof ConsoleAppender<?> console) {
      @SuppressWarnings("unchecked")
      ConsoleAppender<ILoggingEvent> events = (ConsoleAppender<ILoggingEvent>) console;
      JsonEncoder json = new JsonEncoder();
      json.setContext(context);
      json.setWithSequenceNumber(false);
      json.setWithNanoseconds(false);
      json.setWithContext(false);
      json.setWithArguments(false);
      json.setWithMessage(false);
      json.setWithFormattedMessage(true);
      json.start();
      events.stop();
      events.setEncoder(json);
      events.start();
    }
  }

  /** Tells the {@link ExportFailureFilter}s where spans go, for their one failure message. */
  public static void exportEndpoint(String endpoint) {
    exportEndpoint(endpoint, true);
  }

  /**
   * Tells the {@link ExportFailureFilter}s where spans go, and whether the user chose that
   * endpoint: a failure to reach the default one is reported as a warning, never as an error.
   */
  public static void exportEndpoint(String endpoint, boolean configured) {
    LoggerContext context = loggerContext();
    if (context == null) {
      return;
    }
    for (TurboFilter filter : context.getTurboFilterList()) {
      if (filter instanceof ExportFailureFilter exportFailures) {
        exportFailures.setEndpoint(endpoint);
        exportFailures.setEndpointConfigured(configured);
      }
    }
  }

  /** Has the {@link ExportFailureFilter}s report, once, that spans were left unexported at exit. */
  public static void exportUnfinished(long waitedMillis) {
    LoggerContext context = loggerContext();
    if (context == null) {
      return;
    }
    for (TurboFilter filter : context.getTurboFilterList()) {
      if (filter instanceof ExportFailureFilter exportFailures) {
        exportFailures.reportUnfinishedExport(
            context.getLogger(ExportFailureFilter.EXPORTER_LOGGERS), waitedMillis);
      }
    }
  }

  private static LoggerContext loggerContext() {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    return factory instanceof LoggerContext context ? context : null;
  }
}
