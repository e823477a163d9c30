package dev.flightcluster.cli.demo;

import dev.flightcluster.cli.otlp.ReceivedSpan;
import java.util.Map;

/** Hand-built spans of one trace, times in milliseconds from an arbitrary epoch. */
final class Spans {
  static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
  private static final long EPOCH_NANOS = 1_700_000_000_000_000_000L;

  private Spans() {}

  static ReceivedSpan span(
      String service,
      String id,
      String parent,
      String name,
      String kind,
      long startMillis,
      long endMillis) {
    return span(service, id, parent, name, kind, startMillis, endMillis, "UNSET", Map.of());
  }

  static ReceivedSpan span(
      String service,
      String id,
      String parent,
      String name,
      String kind,
      long startMillis,
      long endMillis,
      String status,
      Map<String, Object> attributes) {
    return new ReceivedSpan(
        service,
        TRACE,
        id,
        parent,
        name,
        kind,
        EPOCH_NANOS + startMillis * 1_000_000,
        EPOCH_NANOS + endMillis * 1_000_000,
        status,
        attributes);
  }
}
