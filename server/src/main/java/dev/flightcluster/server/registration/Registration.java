package dev.flightcluster.server.registration;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.auth.ClientCredentials;
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
import dev.flightcluster.security.TlsSettings;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.net.URI;
import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.CallOptions;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Result;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a data server registered with ONE coordinator address: says hello until it answers
 * (exponential backoff with jitter; a hello that timed out is retried at once with a longer
 * deadline), then heartbeats every interval, says hello again when the coordinator answers {@code
 * known=false}, and says goodbye on close.
 *
 * <p>Every call runs on this registration's own thread, which alone touches its state: a dead or
 * slow coordinator holds up only its own registration, never another's, and no lock is held across
 * a call. {@link #announce} runs on that thread too, in the caller's trace context.
 *
 * <p>Tracing: a heartbeat whose listing version the coordinator already acknowledged changes
 * nothing, so it runs in {@link Spans#unsampledContext()} and is recorded nowhere (decisions D4); a
 * heartbeat that carries a new version makes the coordinator pull the listing, and is traced as
 * {@code heartbeat}. Only the first hello of a series is traced, so an outage does not open a trace
 * per retry.
 */
final class Registration {
  private static final Logger log = LoggerFactory.getLogger(Registration.class);
  static final Duration MIN_BACKOFF = Duration.ofMillis(100);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  private final FlightTelemetry telemetry;
  private final URI coordinator;
  private final LocalServer self;
  private final RegistrationTimes times;
  private final TlsSettings tls;
  // The coordinator's name as configured: TLS verifies its certificate against it, not the address.
  private final String authority;
  private final BufferAllocator allocator;
  private final Optional<ClientCredentials> credentials;
  private final ScheduledThreadPoolExecutor thread;

  // Written only on this registration's thread; volatile so that announce() can skip a
  // coordinator that is not (or not now) reachable without waiting for the thread.
  private volatile boolean registered;
  private volatile boolean failing;
  private volatile boolean closed;
  private volatile Future<?> nextStep;

  // Confined to this registration's thread (and read by awaitClosed once the thread has ended).
  private TracedFlightClient client;
  private long acknowledgedVersion;
  private int helloAttempts;
  private Duration helloDeadline;
  private Duration beatInterval;
  private boolean warnedUnreachable;

  Registration(
      FlightTelemetry telemetry,
      BufferAllocator allocator,
      URI coordinator,
      LocalServer self,
      RegistrationTimes times,
      Optional<ClientCredentials> credentials,
      TlsSettings tls,
      String authority) {
    this.telemetry = requireNonNull(telemetry, "telemetry is null");
    this.credentials = requireNonNull(credentials, "credentials is null");
    this.coordinator = requireNonNull(coordinator, "coordinator is null");
    this.self = requireNonNull(self, "self is null");
    this.times = requireNonNull(times, "times is null");
    this.tls = requireNonNull(tls, "tls is null");
    this.authority = requireNonNull(authority, "authority is null");
    this.helloDeadline = times.firstHelloDeadline();
    this.beatInterval = times.heartbeatInterval();
    this.allocator = requireNonNull(allocator, "allocator is null");
    this.thread =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread t =
                  new Thread(runnable, "flight-server-registrar-" + coordinator.getAuthority());
              t.setDaemon(true);
              return t;
            });
    thread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    thread.setRemoveOnCancelPolicy(true);
  }

  /** The coordinator address this registration is with. */
  URI coordinator() {
    return coordinator;
  }

  /** True while the coordinator has accepted our hello and not forgotten us since. */
  boolean registered() {
    return registered;
  }

  /**
   * Tests only: the deadline of the next hello (read it from the thread that drives {@link #step}).
   */
  Duration helloDeadline() {
    return helloDeadline;
  }

  /** Starts saying hello, at once, on this registration's thread. */
  void start() {
    submitStep(Duration.ZERO);
  }

  private void run() {
    if (closed) {
      return;
    }
    Duration next = step();
    if (!closed) {
      submitStep(next);
    }
  }

  private void submitStep(Duration delay) {
    try {
      nextStep = thread.schedule(this::run, delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  /**
   * One hello or heartbeat; the delay before the next one. Package-private so that tests can drive
   * a registration step by step, without its thread.
   */
  Duration step() {
    try {
      if (!registered) {
        return hello();
      }
      return heartbeat() ? beatInterval : Duration.ZERO; // known=false: say hello again at once
    } catch (RuntimeException e) {
      log.warn("registration with coordinator {} failed a step; retrying", coordinator, e);
      return beatInterval;
    }
  }

  /**
   * Tells the coordinator the current listing version, when it differs from the acknowledged one,
   * in the given trace context. The future completes when the coordinator has answered (by then it
   * has pulled the listing). Completes at once when the coordinator is not registered (the next
   * hello carries the listing) or its last call failed (the next heartbeat carries it).
   */
  Future<?> announce(Context context) {
    if (closed || !registered || failing) {
      return CompletableFuture.completedFuture(null);
    }
    try {
      return thread.submit(context.wrap(this::announceNow));
    } catch (RejectedExecutionException e) {
      return CompletableFuture.completedFuture(null);
    }
  }

  private void announceNow() {
    if (closed || !registered || self.listingVersion().getAsLong() == acknowledgedVersion) {
      return;
    }
    if (!heartbeat()) {
      hello(); // the coordinator forgot us: the hello carries the listing instead
    }
  }

  /** One hello attempt; the delay before the next step. */
  private Duration hello() {
    long version = self.listingVersion().getAsLong();
    boolean traced = helloAttempts == 0;
    helloAttempts++;
    Hello hello = new Hello(self.serverId(), self.advertised().getUri().toString(), version);
    Duration deadline = helloDeadline;
    try {
      HelloReply reply =
          traced
              ? inSpan(
                  "say_hello",
                  () -> call(ClusterActions.SAY_HELLO, hello, HelloReply.class, deadline))
              : inContext(
                  Spans.unsampledContext(),
                  () -> call(ClusterActions.SAY_HELLO, hello, HelloReply.class, deadline));
      registered = true;
      acknowledgedVersion = version;
      helloAttempts = 0;
      helloDeadline = times.firstHelloDeadline();
      if (reply.heartbeatIntervalMillis() > 0) {
        Duration asked = Duration.ofMillis(reply.heartbeatIntervalMillis());
        beatInterval =
            asked.compareTo(times.heartbeatInterval()) < 0 ? asked : times.heartbeatInterval();
      }
      succeeded();
      log.info(
          "registered with coordinator {} as {} (listing version {}, lease {} ms)",
          coordinator,
          self.serverId(),
          version,
          reply.leaseMillis());
      return beatInterval;
    } catch (FlightRuntimeException e) {
      failed(e);
      if (e.status().code() == FlightStatusCode.TIMED_OUT
          && helloDeadline.compareTo(times.maxHelloDeadline()) < 0) {
        // A coordinator that answers late is busy, not gone: waiting longer to ask again only
        // delays the join, so ask again now and give it longer.
        Duration doubled = helloDeadline.multipliedBy(2);
        helloDeadline =
            doubled.compareTo(times.maxHelloDeadline()) < 0 ? doubled : times.maxHelloDeadline();
        log.info(
            "hello to coordinator {} timed out after {}; asking again with {}",
            coordinator,
            deadline,
            helloDeadline);
        return Duration.ZERO;
      }
      return backoff(helloAttempts);
    } catch (RuntimeException e) {
      failed(e);
      return backoff(helloAttempts);
    }
  }

  /** One heartbeat; false when the coordinator does not know us (say hello again). */
  private boolean heartbeat() {
    long version = self.listingVersion().getAsLong();
    Heartbeat beat =
        new Heartbeat(
            self.serverId(), version, self.activeStreams().getAsInt(), self.stats().get());
    Duration deadline = times.callDeadline();
    try {
      HeartbeatReply reply =
          version == acknowledgedVersion
              ? inContext(
                  Spans.unsampledContext(),
                  () -> call(ClusterActions.HEARTBEAT, beat, HeartbeatReply.class, deadline))
              : inSpan(
                  "heartbeat",
                  () -> call(ClusterActions.HEARTBEAT, beat, HeartbeatReply.class, deadline));
      succeeded();
      if (!reply.known()) {
        log.info(
            "coordinator {} does not know {}; saying hello again", coordinator, self.serverId());
        registered = false;
        return false;
      }
      acknowledgedVersion = version;
      return true;
    } catch (RuntimeException e) {
      failed(e);
      return true; // stay registered: if the lease ran out, the coordinator answers known=false
    }
  }

  private void failed(RuntimeException e) {
    failing = true;
    if (closed) {
      log.debug("call to coordinator {} ended by close: {}", coordinator, e.getMessage());
    } else if (!warnedUnreachable) {
      warnedUnreachable = true;
      log.warn(
          "coordinator {} unreachable ({}); {} keeps retrying",
          coordinator,
          e.getMessage(),
          self.serverId());
    } else {
      log.debug("coordinator {} still unreachable: {}", coordinator, e.getMessage());
    }
  }

  private void succeeded() {
    failing = false;
    if (warnedUnreachable) {
      warnedUnreachable = false;
      log.info("coordinator {} reachable again", coordinator);
    }
  }

  private <T> T call(String type, Object body, Class<T> replyType, Duration deadline) {
    CallOption timeout = CallOptions.timeout(deadline.toMillis(), TimeUnit.MILLISECONDS);
    Iterator<Result> results =
        authenticated(timeout).doAction(new Action(type, Messages.encode(body)), timeout);
    T reply = null;
    while (results.hasNext()) {
      byte[] result = results.next().getBody();
      if (reply == null) {
        reply = Messages.decode(result, replyType);
      }
    }
    if (reply == null) {
      throw new IllegalStateException(
          "coordinator sent no " + replyType.getSimpleName() + " for " + type);
    }
    return reply;
  }

  /**
   * The connection to the coordinator; a new one after a failed call. A gRPC channel whose
   * connection failed waits out a reconnect backoff that grows to two minutes, and even after
   * {@code resetConnectBackoff} fails calls at once until it has reconnected (sticky
   * TRANSIENT_FAILURE): a restarted coordinator would go unseen for a heartbeat or many. A fresh
   * channel dials on its first call and lets that call wait for the connection.
   */
  private TracedFlightClient client() {
    if (client != null && failing) {
      closeClient();
    }
    if (client == null) {
      Location location = new Location(coordinator);
      client =
          telemetry.connect(
              allocator,
              location,
              channel -> {
                credentials.ifPresent(channel::intercept);
                tls.configureClient(channel, location).overrideAuthority(authority);
              });
    }
    return client;
  }

  /**
   * The client, logged in as the node user when there is one: a token is fetched before the first
   * call and renewed before it expires. A token the coordinator refuses (its key changed) is
   * forgotten, so the next attempt logs in again.
   */
  private FlightClient authenticated(CallOption timeout) {
    FlightClient flight = client().flightClient();
    credentials.ifPresent(
        node -> {
          try {
            node.ensureToken(flight, timeout);
          } catch (FlightRuntimeException e) {
            node.forgetToken();
            throw e;
          }
        });
    return flight;
  }

  private void closeClient() {
    try {
      client.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      client = null;
    }
  }

  private <T> T inSpan(String name, Supplier<T> work) {
    Span span = telemetry.tracer().spanBuilder(name).startSpan();
    span.setAttribute(FlightAttributes.SERVER_ID, self.serverId());
    try (Scope ignored = span.makeCurrent()) {
      return work.get();
    } catch (RuntimeException e) {
      Spans.recordFailure(span, e);
      throw e;
    } finally {
      span.end();
    }
  }

  private static <T> T inContext(Context context, Supplier<T> work) {
    try (Scope ignored = context.makeCurrent()) {
      return work.get();
    }
  }

  /** The delay before hello attempt {@code attempt + 1}: doubling from 100 ms to 5 s, jittered. */
  static Duration backoff(int attempt) {
    long cap = MAX_BACKOFF.toMillis();
    long base = Math.min(cap, MIN_BACKOFF.toMillis() << Math.min(Math.max(attempt - 1, 0), 16));
    // Full jitter over the upper half keeps restarted servers from saying hello in lockstep.
    long jittered = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
    return Duration.ofMillis(Math.max(MIN_BACKOFF.toMillis() / 2, jittered));
  }

  /**
   * Stops heartbeating (interrupting a call in progress) and says goodbye on this registration's
   * thread, without waiting: closing several registrations says all goodbyes at once. Follow with
   * {@link #awaitClosed}.
   */
  void beginClose() {
    if (closed) {
      return;
    }
    closed = true;
    Future<?> step = nextStep;
    if (step != null) {
      step.cancel(true);
    }
    try {
      thread.execute(this::goodbye);
    } catch (RejectedExecutionException e) {
      // already shut down
    }
    thread.shutdown();
  }

  /** Waits (bounded) for the goodbye, then closes the connection. */
  void awaitClosed() throws InterruptedException {
    beginClose();
    long grace = times.goodbyeDeadline().toNanos() + TimeUnit.SECONDS.toNanos(1);
    try {
      if (!thread.awaitTermination(grace, TimeUnit.NANOSECONDS)) {
        thread.shutdownNow();
        thread.awaitTermination(1, TimeUnit.SECONDS);
      }
    } finally {
      // Even when interrupted: the client holds a child of the server's allocator.
      if (client != null) {
        closeClient();
      }
    }
  }

  private void goodbye() {
    if (!registered) {
      return;
    }
    registered = false;
    try {
      inSpan(
          "goodbye",
          () -> {
            authenticated(
                    CallOptions.timeout(times.goodbyeDeadline().toMillis(), TimeUnit.MILLISECONDS))
                .doAction(
                    new Action(
                        ClusterActions.GOODBYE, Messages.encode(new Goodbye(self.serverId()))),
                    CallOptions.timeout(times.goodbyeDeadline().toMillis(), TimeUnit.MILLISECONDS))
                .forEachRemaining(result -> {});
            return null;
          });
      log.info("said goodbye to coordinator {}", coordinator);
    } catch (RuntimeException e) {
      log.warn("goodbye to coordinator {} failed: {}", coordinator, e.getMessage());
    }
  }
}
