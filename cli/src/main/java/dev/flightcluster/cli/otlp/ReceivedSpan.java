package dev.flightcluster.cli.otlp;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * A span as an OTLP receiver got it, flattened: ids in lowercase hex (an empty parent id for a root
 * span), times in epoch nanoseconds, attributes as Java values (String, Long, Double, Boolean, or a
 * String rendering of anything else).
 */
public record ReceivedSpan(
    String serviceName,
    String traceId,
    String spanId,
    String parentSpanId,
    String name,
    String kind,
    long startEpochNanos,
    long endEpochNanos,
    String statusCode,
    Map<String, Object> attributes) {
  public ReceivedSpan {
    requireNonNull(serviceName, "serviceName is null");
    requireNonNull(traceId, "traceId is null");
    requireNonNull(spanId, "spanId is null");
    requireNonNull(parentSpanId, "parentSpanId is null");
    requireNonNull(name, "name is null");
    requireNonNull(kind, "kind is null");
    requireNonNull(statusCode, "statusCode is null");
    attributes = Map.copyOf(attributes);
  }

  /** True for the root of a trace. */
  public boolean isRoot() {
    return parentSpanId.isEmpty();
  }

  /** An attribute, or null. */
  public Object attribute(String key) {
    return attributes.get(key);
  }
}
