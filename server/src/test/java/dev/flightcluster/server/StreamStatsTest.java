package dev.flightcluster.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcluster.protocol.ServerStats;
import dev.flightcluster.testing.FakeClock;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import java.time.Duration;
import java.util.List;
import org.apache.arrow.flight.CallStatus;
import org.junit.jupiter.api.Test;

class StreamStatsTest {
  private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
  private static final SpanContext SAMPLED =
      SpanContext.create(
          TRACE, "b7ad6b7169203331", TraceFlags.getSampled(), TraceState.getDefault());
  private static final SpanContext UNSAMPLED =
      SpanContext.create(
          TRACE, "b7ad6b7169203331", TraceFlags.getDefault(), TraceState.getDefault());

  private final FakeClock clock = new FakeClock();
  private final StreamStats stats = new StreamStats(clock);

  @Test
  void countsEveryBatchStreamed() {
    stats.streamed(100, 4_000);
    stats.streamed(50, 2_000);

    ServerStats snapshot = stats.snapshot(List.of("grpc://c1:8888"));

    assertThat(snapshot.rowsStreamed()).isEqualTo(150);
    assertThat(snapshot.bytesStreamed()).isEqualTo(6_000);
    assertThat(snapshot.coordinators()).containsExactly("grpc://c1:8888");
    assertThat(snapshot.lastError()).isNull();
  }

  @Test
  void keepsTheSlowestRecentReadsSlowestFirstAndForgetsThemAfterTheWindow() {
    for (int i = 1; i <= 8; i++) {
      stats.ended("d" + i, Duration.ofMillis(i * 100), SAMPLED);
    }
    stats.ended("unsampled", Duration.ofSeconds(10), UNSAMPLED);

    List<ServerStats.SlowRequest> slow = stats.snapshot(List.of()).slowRequests();

    assertThat(slow)
        .extracting(ServerStats.SlowRequest::dataset)
        .containsExactly("unsampled", "d8", "d7", "d6", "d5");
    assertThat(slow.get(0).traceId()).as("no link to a trace no backend has").isNull();
    assertThat(slow.get(1).traceId()).isEqualTo(TRACE);

    clock.advance(StreamStats.SLOW_WINDOW.plusMillis(1));
    assertThat(stats.snapshot(List.of()).slowRequests()).isEmpty();
  }

  @Test
  void keepsTheLastFailureAsItsClientSawIt() {
    stats.failed(
        CallStatus.UNAVAILABLE.withDescription("server is shutting down").toRuntimeException());
    stats.failed(
        CallStatus.RESOURCE_EXHAUSTED
            .withDescription("no room for another scan")
            .toRuntimeException());

    ServerStats.LastError error = stats.snapshot(List.of()).lastError();

    assertThat(error.status()).isEqualTo("RESOURCE_EXHAUSTED");
    assertThat(error.message()).isEqualTo("no room for another scan");
    assertThat(error.atMillis()).isEqualTo(clock.millis());
  }
}
