package dev.flightcluster.server;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.otel.FlightAttributes;
import dev.flightcluster.otel.FlightTelemetry;
import dev.flightcluster.otel.Spans;
import dev.flightcluster.otel.TracedFlightClient;
import dev.flightcluster.protocol.ClusterActions;
import dev.flightcluster.protocol.Goodbye;
import dev.flightcluster.protocol.Heartbeat;
import dev.flightcluster.protocol.HeartbeatReply;
import dev.flightcluster.protocol.Hello;
import dev.flightcluster.protocol.HelloReply;
import dev.flightcluster.protocol.Messages;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.CallOptions;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Result;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a data server registered with its coordinator: says hello until a coordinator answers
 * (exponential backoff with jitter), then heartbeats every interval, and says goodbye on close.
 *
 * <p>Tracing: a heartbeat whose listing version the coordinator already acknowledged changes
 * nothing, so it runs in {@link Spans#unsampledContext()} and is recorded nowhere; a heartbeat that
 * carries a new version makes the coordinator pull the listing, and is traced as {@code heartbeat}.
 * Only the first hello of a series is traced, so an outage does not open a trace per retry.
 *
 * <p>All coordinator calls are serialized; {@link #announce} lets an upload report its new listing
 * at once, inside the upload's trace. When the periodic refresh notices the upload first, its own
 * (root) heartbeat carries the news and the upload's announce finds nothing left to say; either
 * way the coordinator has pulled the listing before the upload completes.
 */
final class Registrar implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Registrar.class);
  static final Duration MIN_BACKOFF = Duration.ofMillis(100);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
  private static final Duration GOODBYE_DEADLINE = Duration.ofSeconds(1);
  /**
   * Deadline of hello and heartbeat calls. The coordinator answers a heartbeat with a new listing
   * version only after it pulled the listing, so this is generous; a refused connection fails fast
   * anyway.
   */
  private static final Duration CALL_DEADLINE = Duration.ofSeconds(5);

  private final FlightTelemetry telemetry;
  private final TracedFlightClient client;
  private final Location coordinator;
  private final String serverId;
  private final Location advertised;
  private final LongSupplier listingVersion;
  private final IntSupplier activeStreams;
  private final Duration interval;
  private final ScheduledExecutorService scheduler;
  private final ReentrantLock lock = new ReentrantLock();

  // Guarded by lock.
  private boolean registered;
  private boolean closed;
  private long acknowledgedVersion;
  private int helloAttempts;
  private Duration beatInterval;
  private boolean unreachable;

  Registrar(
      FlightTelemetry telemetry,
      BufferAllocator allocator,
      Location coordinator,
      String serverId,
      Location advertised,
      LongSupplier listingVersion,
      IntSupplier activeStreams,
      Duration interval) {
    this.telemetry = requireNonNull(telemetry, "telemetry is null");
    this.coordinator = requireNonNull(coordinator, "coordinator is null");
    this.serverId = requireNonNull(serverId, "serverId is null");
    this.advertised = requireNonNull(advertised, "advertised is null");
    this.listingVersion = requireNonNull(listingVersion, "listingVersion is null");
    this.activeStreams = requireNonNull(activeStreams, "activeStreams is null");
    this.interval = requireNonNull(interval, "interval is null");
    this.beatInterval = interval;
    this.client = telemetry.connect(requireNonNull(allocator, "allocator is null"), coordinator);
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "flight-server-registrar-" + serverId);
              thread.setDaemon(true);
              return thread;
            });
  }

  /** Starts saying hello, at once. */
  void start() {
    scheduler.execute(this::tick);
  }

  /**
   * Tells the coordinator the current listing version now, when it differs from the acknowledged
   * one, and waits for the reply (by which time the coordinator has pulled the listing). Runs in
   * the caller's context, so the heartbeat joins the caller's trace. Does nothing before the
   * server is registered: the next hello carries the version.
   */
  void announce() {
    lock.lock();
    try {
      if (closed || !registered || listingVersion.getAsLong() == acknowledgedVersion) {
        return;
      }
      if (!heartbeat()) {
        hello(); // the coordinator forgot us: the hello carries the listing instead
      }
    } finally {
      lock.unlock();
    }
  }

  private void tick() {
    Duration next;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      if (!registered) {
        next = hello() ? beatInterval : backoff(helloAttempts);
      } else if (heartbeat()) {
        next = beatInterval;
      } else {
        next = Duration.ZERO; // known=false: say hello again right away
      }
    } catch (RuntimeException e) {
      log.warn("registrar tick failed; retrying", e);
      next = beatInterval;
    } finally {
      lock.unlock();
    }
    try {
      scheduler.schedule(this::tick, next.toNanos(), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closing
    }
  }

  /** One hello attempt; true when the coordinator registered us. */
  private boolean hello() {
    long version = listingVersion.getAsLong();
    boolean traced = helloAttempts == 0;
    helloAttempts++;
    Hello hello = new Hello(serverId, advertised.getUri().toString(), version);
    try {
      HelloReply reply =
          traced
              ? inSpan("say_hello", () -> call(ClusterActions.SAY_HELLO, hello, HelloReply.class))
              : inContext(Spans.unsampledContext(),
                  () -> call(ClusterActions.SAY_HELLO, hello, HelloReply.class));
      registered = true;
      acknowledgedVersion = version;
      helloAttempts = 0;
      if (reply.heartbeatIntervalMillis() > 0) {
        Duration asked = Duration.ofMillis(reply.heartbeatIntervalMillis());
        beatInterval = asked.compareTo(interval) < 0 ? asked : interval;
      }
      reachable();
      log.info("registered with coordinator {} as {} (listing version {}, lease {} ms)",
          coordinator.getUri(), serverId, version, reply.leaseMillis());
      return true;
    } catch (RuntimeException e) {
      unreachable(e);
      return false;
    }
  }

  /** One heartbeat; false when the coordinator does not know us (say hello again). */
  private boolean heartbeat() {
    long version = listingVersion.getAsLong();
    Heartbeat beat = new Heartbeat(serverId, version, activeStreams.getAsInt());
    try {
      HeartbeatReply reply =
          version == acknowledgedVersion
              ? inContext(Spans.unsampledContext(),
                  () -> call(ClusterActions.HEARTBEAT, beat, HeartbeatReply.class))
              : inSpan("heartbeat", () -> call(ClusterActions.HEARTBEAT, beat, HeartbeatReply.class));
      reachable();
      if (!reply.known()) {
        log.info("coordinator {} does not know {}; saying hello again", coordinator.getUri(), serverId);
        registered = false;
        return false;
      }
      acknowledgedVersion = version;
      return true;
    } catch (RuntimeException e) {
      unreachable(e);
      return true; // stay registered: if the lease ran out, the coordinator answers known=false
    }
  }

  private void unreachable(RuntimeException e) {
    if (!unreachable) {
      unreachable = true;
      log.warn("coordinator {} unreachable ({}); {} keeps retrying", coordinator.getUri(),
          e.getMessage(), serverId);
    } else {
      log.debug("coordinator {} still unreachable: {}", coordinator.getUri(), e.getMessage());
    }
  }

  private void reachable() {
    if (unreachable) {
      unreachable = false;
      log.info("coordinator {} reachable again", coordinator.getUri());
    }
  }

  private <T> T call(String type, Object body, Class<T> replyType) {
    FlightClient flight = client.flightClient();
    Iterator<Result> results =
        flight.doAction(new Action(type, Messages.encode(body)),
            CallOptions.timeout(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
    T reply = null;
    while (results.hasNext()) {
      byte[] result = results.next().getBody();
      if (reply == null && replyType != null) {
        reply = Messages.decode(result, replyType);
      }
    }
    if (replyType != null && reply == null) {
      throw new IllegalStateException("coordinator sent no " + replyType.getSimpleName() + " for " + type);
    }
    return reply;
  }

  private <T> T inSpan(String name, java.util.function.Supplier<T> work) {
    Span span = telemetry.tracer().spanBuilder(name).startSpan();
    span.setAttribute(FlightAttributes.SERVER_ID, serverId);
    try (Scope ignored = span.makeCurrent()) {
      return work.get();
    } catch (RuntimeException e) {
      Spans.recordFailure(span, e);
      throw e;
    } finally {
      span.end();
    }
  }

  private static <T> T inContext(Context context, java.util.function.Supplier<T> work) {
    try (Scope ignored = context.makeCurrent()) {
      return work.get();
    }
  }

  /** The delay before hello attempt {@code attempt + 1}: doubling from 100 ms to 5 s, jittered. */
  static Duration backoff(int attempt) {
    long cap = MAX_BACKOFF.toMillis();
    long base = Math.min(cap, MIN_BACKOFF.toMillis() << Math.min(attempt - 1, 16));
    // Full jitter over the upper half keeps restarted servers from saying hello in lockstep.
    long jittered = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
    return Duration.ofMillis(Math.max(MIN_BACKOFF.toMillis() / 2, jittered));
  }

  /** Stops heartbeating and says goodbye, best effort with a short deadline. */
  @Override
  public void close() throws InterruptedException {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      scheduler.shutdownNow();
      if (registered) {
        try {
          inSpan("goodbye", () -> {
            FlightClient flight = client.flightClient();
            flight.doAction(new Action(ClusterActions.GOODBYE, Messages.encode(new Goodbye(serverId))),
                    CallOptions.timeout(GOODBYE_DEADLINE.toMillis(), TimeUnit.MILLISECONDS))
                .forEachRemaining(result -> {});
            return null;
          });
          log.info("said goodbye to coordinator {}", coordinator.getUri());
        } catch (RuntimeException e) {
          log.warn("goodbye to coordinator {} failed: {}", coordinator.getUri(), e.getMessage());
        }
        registered = false;
      }
    } finally {
      lock.unlock();
    }
    scheduler.awaitTermination(5, TimeUnit.SECONDS);
    client.close();
  }
}
