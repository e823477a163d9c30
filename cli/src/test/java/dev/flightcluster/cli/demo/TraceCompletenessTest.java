package dev.flightcluster.cli.demo;

import static dev.flightcluster.cli.demo.Spans.span;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcluster.cli.otlp.ReceivedSpan;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TraceCompletenessTest {
  private static final ReceivedSpan ROOT = span("client", "a1", "", "root", "INTERNAL", 0, 100);
  private static final ReceivedSpan CALL = span("client", "b1", "a1", "DoGet", "CLIENT", 0, 90);
  private static final ReceivedSpan SERVED = span("server", "c1", "b1", "DoGet", "SERVER", 5, 85);

  @Test
  void completeWhenTheRootAndEveryParentAndEveryServerSideArrived() {
    assertThat(TraceCompleteness.missing(List.of(SERVED, CALL, ROOT), "a1")).isEmpty();
  }

  @Test
  void waitsForTheRoot() {
    assertThat(TraceCompleteness.missing(List.of(CALL, SERVED), "a1")).contains("the root span a1");
  }

  @Test
  void waitsForTheServerSideOfACall() {
    assertThat(TraceCompleteness.missing(List.of(ROOT, CALL), "a1"))
        .contains("the server side of 1 call(s)");
  }

  @Test
  void waitsForMissingParents() {
    ReceivedSpan grandChild = span("server", "d1", "c1", "scan", "INTERNAL", 6, 80);
    assertThat(TraceCompleteness.missing(List.of(ROOT, grandChild), "a1"))
        .contains("the parents of 1 span(s)");
  }

  @Test
  void aFailedCallNeedsNoServerSide() {
    ReceivedSpan refused = span("client", "b2", "a1", "DoGet", "CLIENT", 0, 1, "ERROR", Map.of());
    assertThat(TraceCompleteness.missing(List.of(ROOT, refused), "a1")).isEmpty();
  }
}
