package dev.flightcluster.e2e;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flightcluster.cli.client.ListAndGetAll;
import dev.flightcluster.cli.otlp.OtlpHttpReceiver;
import dev.flightcluster.cli.otlp.ReceivedSpan;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** A successful {@code client list-and-get-all} of a {@link ProcessCluster}, and its trace. */
final class ListAndGetAllRun {
  private static final Pattern TRACE_ID = Pattern.compile("trace id: ([0-9a-f]{32})");

  private final List<String> datasets;
  private final String traceId;

  private ListAndGetAllRun(List<String> datasets, String traceId) {
    this.datasets = requireNonNull(datasets, "datasets is null");
    this.traceId = requireNonNull(traceId, "traceId is null");
  }

  /** Checks that the run succeeded and read every dataset whole. */
  static ListAndGetAllRun of(Distribution.Run run, List<String> datasets) {
    assertThat(run.exitCode()).as("%s", run).isZero();
    for (String dataset : datasets) {
      assertThat(run.out()).contains(dataset);
    }
    assertThat(run.out())
        .contains("total")
        .contains(String.format("%,d", datasets.size() * ProcessCluster.ROWS));
    Matcher traceId = TRACE_ID.matcher(run.out());
    assertThat(traceId.find()).as("a trace id in %s", run).isTrue();
    return new ListAndGetAllRun(datasets, traceId.group(1));
  }

  /** Waits for the run's spans: one tree with client, coordinator and server spans. */
  void assertOneTraceAcrossTheCluster(OtlpHttpReceiver receiver) {
    await("the spans of trace " + traceId)
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              List<ReceivedSpan> spans = receiver.trace(traceId);
              assertThat(spans)
                  .filteredOn(ReceivedSpan::isRoot)
                  .singleElement()
                  .satisfies(
                      root -> {
                        assertThat(root.name()).isEqualTo(ListAndGetAll.ROOT_SPAN);
                        assertThat(root.serviceName()).isEqualTo("client");
                      });
              assertThat(spans)
                  .filteredOn(span -> span.name().equals("get_single_flight"))
                  .extracting(span -> span.attribute("flight.dataset"))
                  .containsExactlyInAnyOrderElementsOf(datasets);
              Map<String, Long> byService =
                  spans.stream()
                      .collect(
                          Collectors.groupingBy(ReceivedSpan::serviceName, Collectors.counting()));
              assertThat(byService).containsKeys("client", "coordinator", "server");
              // Taxi trips live on server-1 only, orders on server-2 only: both served a DoGet.
              assertThat(spans)
                  .filteredOn(span -> span.serviceName().equals("server"))
                  .filteredOn(span -> span.name().endsWith("/DoGet"))
                  .hasSizeGreaterThanOrEqualTo(3);
              // One connected tree: every parent is in the trace.
              Set<String> ids =
                  spans.stream().map(ReceivedSpan::spanId).collect(Collectors.toSet());
              assertThat(spans)
                  .filteredOn(span -> !span.isRoot())
                  .allSatisfy(span -> assertThat(ids).contains(span.parentSpanId()));
            });
  }
}
