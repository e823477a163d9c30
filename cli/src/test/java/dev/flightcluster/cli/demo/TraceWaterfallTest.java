package dev.flightcluster.cli.demo;

import static dev.flightcluster.cli.demo.Spans.span;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcluster.cli.otlp.ReceivedSpan;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TraceWaterfallTest {
  private static final TraceWaterfall.Style BLOCKS = new TraceWaterfall.Style(20, false, true);
  private static final TraceWaterfall.Style ASCII = new TraceWaterfall.Style(20, false, false);

  /** A list-and-get-all over 4 s: a listing, a read served by a server, a read that failed. */
  private static List<ReceivedSpan> trace() {
    return List.of(
        span("client", "a1", "", "list_and_get_all_flights", "INTERNAL", 0, 4000),
        span("client", "b1", "a1", "ListFlights", "CLIENT", 0, 100),
        span("coordinator", "c1", "b1", "ListFlights", "SERVER", 10, 90),
        span(
            "client",
            "b2",
            "a1",
            "get_single_flight",
            "INTERNAL",
            100,
            2100,
            "UNSET",
            Map.of("flight.dataset", "orders.parquet")),
        span(
            "server",
            "c2",
            "b2",
            "DoGet",
            "SERVER",
            150,
            2050,
            "UNSET",
            Map.of("flight.dataset", "orders.parquet", "server.id", "server-2")),
        span("client", "b3", "a1", "get_single_flight", "INTERNAL", 2100, 4000, "ERROR", Map.of()));
  }

  @Test
  void rendersOneLinePerSpanIndentedByDepthWithBarsOnTheRootsTimeLine() {
    assertThat(TraceWaterfall.render(trace(), BLOCKS))
        .isEqualTo(
            """
            client       list_and_get_all_flights   4.00 s  |████████████████████|
            client         ListFlights              100 ms  |█                   |
            coordinator      ListFlights           80.0 ms  |█                   |
            client         get_single_flight        2.00 s  |███████████         |  orders.parquet
            server           DoGet                  1.90 s  |██████████          |  orders.parquet @ server-2
            client         get_single_flight        1.90 s  |          ██████████|  ERROR
            """);
  }

  @Test
  void orderComesFromStartTimesNotArrival() {
    List<ReceivedSpan> shuffled = new ArrayList<>(trace());
    Collections.reverse(shuffled);
    assertThat(TraceWaterfall.render(shuffled, ASCII))
        .isEqualTo(TraceWaterfall.render(trace(), ASCII));
  }

  @Test
  void asciiBarsWithoutUnicode() {
    assertThat(TraceWaterfall.render(trace(), ASCII).lines().toList())
        .first()
        .isEqualTo("client       list_and_get_all_flights   4.00 s  |####################|");
  }

  @Test
  void colorsOnlyWhenTheStyleSaysSo() {
    String plain = TraceWaterfall.render(trace(), BLOCKS);
    String colored = TraceWaterfall.render(trace(), new TraceWaterfall.Style(20, true, true));
    assertThat(plain).doesNotContain("\u001b[");
    assertThat(colored).contains("\u001b[31m██████████\u001b[0m"); // the failed read, in red
    assertThat(colored.replaceAll("\u001b\\[[0-9;]*m", "")).isEqualTo(plain);
  }

  @Test
  void spansWhoseParentDidNotArriveAreShownAtTheTopAndDuplicatesOnce() {
    List<ReceivedSpan> spans =
        List.of(
            span("client", "a1", "", "root", "INTERNAL", 0, 1000),
            span("server", "c9", "gone", "DoGet", "SERVER", 500, 1000),
            span("client", "b1", "a1", "child", "INTERNAL", 0, 4),
            span("client", "b1", "a1", "child", "INTERNAL", 0, 4));
    assertThat(TraceWaterfall.render(spans, ASCII))
        .isEqualTo(
            """
            client  root      1.00 s  |####################|
            client    child  4.00 ms  |#                   |
            server  DoGet     500 ms  |          ##########|
            """);
  }

  @Test
  void emptyTraceRendersNothing() {
    assertThat(TraceWaterfall.render(List.of(), BLOCKS)).isEmpty();
  }
}
