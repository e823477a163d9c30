package dev.flightcluster.cli.demo;

import dev.flightcluster.cli.otlp.ReceivedSpan;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a trace that several processes export separately has arrived whole: its root is there,
 * every span's parent is there, and every outgoing call that did not fail has its server side (the
 * span the called process recorded). Each process exports in its own batches and on its own
 * schedule, so a trace is complete only when all of them have delivered.
 */
final class TraceCompleteness {
  private TraceCompleteness() {}

  /** What is still missing, in a few words, or empty when the trace is complete. */
  static Optional<String> missing(List<ReceivedSpan> spans, String rootSpanId) {
    Set<String> ids = new HashSet<>();
    Set<String> parents = new HashSet<>();
    for (ReceivedSpan span : spans) {
      ids.add(span.spanId());
      parents.add(span.parentSpanId());
    }
    if (!ids.contains(rootSpanId)) {
      return Optional.of("the root span " + rootSpanId);
    }
    int orphans = 0;
    int unanswered = 0;
    for (ReceivedSpan span : spans) {
      if (!span.isRoot() && !ids.contains(span.parentSpanId())) {
        orphans++;
      }
      // A call that failed may never have reached the other side (a failover's refused connection).
      if (span.kind().equals("CLIENT")
          && !span.statusCode().equals("ERROR")
          && !parents.contains(span.spanId())) {
        unanswered++;
      }
    }
    if (orphans > 0) {
      return Optional.of("the parents of " + orphans + " span(s)");
    }
    if (unanswered > 0) {
      return Optional.of("the server side of " + unanswered + " call(s)");
    }
    return Optional.empty();
  }
}
