package dev.flightcluster.server;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.ServerStats;
import io.opentelemetry.api.trace.SpanContext;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.apache.arrow.flight.FlightRuntimeException;

/**
 * The recent work of a data server that its heartbeats report for the coordinator's status page:
 * bytes and rows streamed, the last failure and the slowest recent DoGets. Thread-safe; the
 * counters are adders that the streams bump per batch, the rest sits behind a short lock.
 *
 * <p>The slow requests are the {@link ServerStats#MAX_SLOW_REQUESTS} slowest DoGets that ended in
 * the last {@link #SLOW_WINDOW}: bounded however many streams run, and every coordinator's
 * heartbeat reads the same list (nothing is consumed by a read).
 */
public final class StreamStats {
  /** How long a slow DoGet stays reported. */
  static final Duration SLOW_WINDOW = Duration.ofMinutes(5);

  private static final Comparator<ServerStats.SlowRequest> SLOWEST_FIRST =
      Comparator.comparingLong(ServerStats.SlowRequest::durationMillis).reversed();

  private final InstantSource clock;
  private final LongAdder bytes = new LongAdder();
  private final LongAdder rows = new LongAdder();
  private final Object lock = new Object();
  // Guarded by lock.
  private final List<ServerStats.SlowRequest> slowest = new ArrayList<>();
  // Guarded by lock.
  private ServerStats.LastError lastError;

  public StreamStats(InstantSource clock) {
    this.clock = requireNonNull(clock, "clock is null");
  }

  /** One batch sent by a DoGet. */
  public void streamed(long batchRows, long batchBytes) {
    rows.add(batchRows);
    bytes.add(batchBytes);
  }

  /** A DoGet ended, completed or not; kept if it is among the slowest recent ones. */
  public void ended(String dataset, Duration took, SpanContext span) {
    requireNonNull(dataset, "dataset is null");
    requireNonNull(took, "took is null");
    requireNonNull(span, "span is null");
    long now = clock.millis();
    // An unsampled trace is in no backend: a link to it would lead nowhere.
    String traceId = span.isValid() && span.isSampled() ? span.getTraceId() : null;
    ServerStats.SlowRequest request =
        new ServerStats.SlowRequest(dataset, took.toMillis(), traceId, now);
    synchronized (lock) {
      dropExpired(now);
      slowest.add(request);
      slowest.sort(SLOWEST_FIRST);
      if (slowest.size() > ServerStats.MAX_SLOW_REQUESTS) {
        slowest.remove(slowest.size() - 1);
      }
    }
  }

  /** A DoGet or DoPut failed with what its client was told. */
  public void failed(FlightRuntimeException e) {
    requireNonNull(e, "e is null");
    ServerStats.LastError error =
        new ServerStats.LastError(
            e.status().code().name(), e.status().description(), clock.millis());
    synchronized (lock) {
      lastError = error;
    }
  }

  /** What the next heartbeat reports, with the coordinators the server is registered with. */
  ServerStats snapshot(List<String> coordinators) {
    requireNonNull(coordinators, "coordinators is null");
    synchronized (lock) {
      dropExpired(clock.millis());
      return new ServerStats(
          bytes.sum(), rows.sum(), lastError, List.copyOf(slowest), coordinators);
    }
  }

  private void dropExpired(long nowMillis) {
    long oldest = nowMillis - SLOW_WINDOW.toMillis();
    slowest.removeIf(request -> request.atMillis() < oldest);
  }
}
