package dev.flightcluster.cli.logging;

/**
 * How the CLI writes its log lines to stderr: {@code text} for people (the default), {@code json}
 * for Loki or any log pipeline, one JSON object a line with {@code timestamp} (epoch millis),
 * {@code level}, {@code threadName}, {@code loggerName}, {@code formattedMessage}, {@code mdc}
 * (holding {@code trace_id} and {@code span_id} of the current span) and {@code throwable}. The
 * JSON is logback's own {@code JsonEncoder}'s (decisions D69).
 */
public enum LogFormat {
  TEXT,
  JSON
}
