package dev.flightcluster.coordinator;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.auth.ServerAuth;
import dev.flightcluster.coordinator.http.StatusHttpServer;
import dev.flightcluster.coordinator.sql.ClusterIngest;
import dev.flightcluster.coordinator.sql.ClusterSqlProducer;
import dev.flightcluster.otel.FlightTelemetry;
import dev.flightcluster.otel.metrics.FlightMetrics;
import dev.flightcluster.otel.producer.GuardedProducer;
import dev.flightcluster.query.RowFilter;
import dev.flightcluster.security.TlsSettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator of a cluster of Arrow Flight data servers: a Flight service that lists the
 * datasets of every live data server, one FlightInfo per dataset with all its replicas as
 * locations, and that data servers register with.
 *
 * <pre>{@code
 * try (Coordinator coordinator =
 *     Coordinator.builder(allocator, telemetry)
 *         .location(Location.forGrpcInsecure("0.0.0.0", 8888))
 *         .build()
 *         .start()) {
 *   ...
 * }
 * }</pre>
 *
 * <p>Clients call ListFlights, GetFlightInfo and GetSchema here, then DoGet at a data server. Data
 * servers call the {@code say_hello}, {@code heartbeat} and {@code goodbye} actions; clients call
 * {@code choose_server} before a DoPut and may call {@code list_conflicts}. Every call is traced
 * with the given {@link FlightTelemetry}.
 *
 * <p>Until it is warm ({@link #isWarm()}: one lease after it started, or once it has listed every
 * data server it heard from) a coordinator answers catalog reads with UNAVAILABLE rather than with
 * an incomplete catalog, so clients ask another coordinator.
 *
 * <p>When {@link CoordinatorBuilder#httpPort} is set it also serves a status page over HTTP, on the
 * Flight bind address ({@link StatusHttpServer}); {@code cluster_status} returns the same data.
 */
public final class Coordinator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Coordinator.class);

  /** What the coordinator calls itself in the error policy's INTERNAL descriptions. */
  static final String SERVICE = "coordinator";

  /** Callbacks that may wait for a callback thread, per thread. */
  private static final int CALLBACK_QUEUE_PER_THREAD = 8;

  /** How long close waits for its own executors once the server has stopped. */
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);

  private final BufferAllocator allocator;
  private final Duration sweepInterval;
  private final Duration drainTimeout;
  private final Registry registry;
  private final WarmUp warmUp;
  private final Membership membership;
  private final CoordinatorMetrics metrics;
  private final CallbackClients clients;
  private final Callbacks callbacks;
  private final ExecutorService executor;
  private final ScheduledExecutorService sweeper;
  private final FlightServer server;

  /** Null when no status page was asked for. */
  private final StatusHttpServer http;

  private final ServerAuth auth;
  private final AtomicBoolean closed = new AtomicBoolean();

  Coordinator(
      BufferAllocator parentAllocator,
      FlightTelemetry telemetry,
      Location bind,
      Duration lease,
      Duration heartbeatInterval,
      InstantSource clock,
      int executorThreads,
      int callbackThreads,
      Duration callbackConnectTimeout,
      Duration callbackTimeout,
      Runnable onWarm,
      Duration drainTimeout,
      long endpointGroupBytes,
      ServerAuth auth,
      TlsSettings tls,
      HttpSettings httpSettings) {
    // A child allocator of our own, so that closing it proves the coordinator leaked nothing.
    this.allocator = parentAllocator.newChildAllocator("coordinator", 0, Long.MAX_VALUE);
    this.sweepInterval = heartbeatInterval;
    this.drainTimeout = drainTimeout;
    this.registry = new Registry(clock, lease, heartbeatInterval, endpointGroupBytes);
    this.metrics =
        new CoordinatorMetrics(
            telemetry.openTelemetry().getMeter(FlightMetrics.SCOPE), registry, clock, lease);
    this.warmUp =
        new WarmUp(
            clock,
            lease,
            () -> {
              registry.markWarm();
              onWarm.run();
            });
    ServerActivity activity = new ServerActivity(clock);
    this.auth = auth;
    this.clients = new CallbackClients(allocator, telemetry, auth.selfCredentials(), tls);
    // Enough queue for a restart's burst of hellos; beyond it, hellos are refused and retried.
    this.callbacks = new Callbacks(callbackThreads, callbackThreads * CALLBACK_QUEUE_PER_THREAD);
    // A listing slower than a whole lease would not help: the server would have expired meanwhile.
    Duration pullDeadline = callbackTimeout.compareTo(lease) < 0 ? callbackTimeout : lease;
    this.membership =
        new Membership(
            registry,
            clients,
            new ListingPuller(callbackConnectTimeout, pullDeadline),
            callbacks,
            warmUp,
            activity,
            lease,
            heartbeatInterval,
            metrics);
    StatusReport status =
        new StatusReport(
            registry,
            activity,
            warmUp,
            clock,
            lease,
            heartbeatInterval,
            () -> location().getUri(),
            httpSettings == null ? null : httpSettings.jaegerUrl());
    // Shared by every face that reads part of a dataset: the CMD descriptor and Flight SQL.
    QueryPlanner queryPlanner = new QueryPlanner(registry::catalog, warmUp);
    this.executor =
        Executors.newFixedThreadPool(
            executorThreads, Thread.ofPlatform().name("coordinator-flight-", 0).daemon().factory());
    StatusHttpServer httpServer = null;
    try {
      if (httpSettings != null) {
        httpServer =
            new StatusHttpServer(
                new InetSocketAddress(bind.getUri().getHost(), httpSettings.port()),
                status,
                warmUp::isWarm,
                httpSettings.auth());
      }
      // Plain Flight and Flight SQL on the one port (D83), under the one error policy.
      FlightSqlRouter producer =
          new FlightSqlRouter(
              new CoordinatorProducer(registry, membership, warmUp, queryPlanner, status),
              new ClusterSqlProducer(
                  new CatalogTables(registry, warmUp, queryPlanner),
                  new ClusterIngest(allocator, telemetry, this::location, auth, tls),
                  allocator,
                  version()));
      this.server =
          auth.install(
                  telemetry.instrument(
                      tls.serve(
                          FlightServer.builder(
                              allocator, bind, new GuardedProducer(SERVICE, producer))),
                      netty -> {
                        netty.setBinaryLog(new RequestDecodingGuard());
                        auth.install(netty);
                      }))
              .executor(executor)
              .build();
    } catch (RuntimeException e) {
      if (httpServer != null) {
        httpServer.close();
      }
      executor.shutdownNow();
      try {
        callbacks.close();
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
      allocator.close();
      metrics.close();
      throw e;
    }
    this.http = httpServer;
    this.sweeper =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("coordinator-sweeper").daemon().factory());
  }

  /** This build's version, as the jar's manifest gives it. */
  private static String version() {
    String version = Coordinator.class.getPackage().getImplementationVersion();
    return version == null ? "development" : version;
  }

  /**
   * A builder for a coordinator.
   *
   * @param allocator the parent of the coordinator's allocator; the caller keeps ownership and must
   *     close it after the coordinator
   * @param telemetry traces the coordinator's Flight service and its callbacks to data servers
   */
  public static CoordinatorBuilder builder(BufferAllocator allocator, FlightTelemetry telemetry) {
    return new CoordinatorBuilder(allocator, telemetry);
  }

  /**
   * Starts listening and sweeping expired servers.
   *
   * @return this coordinator
   * @throws IOException when the server cannot bind its location
   */
  public Coordinator start() throws IOException {
    server.start();
    warmUp.start();
    // The first filter parsed in a JVM loads Calcite for seconds: pay it now, not in a query.
    Thread.ofPlatform()
        .name("coordinator-filter-warm-up")
        .daemon()
        .start(Coordinator::warmUpFilters);
    sweeper.scheduleWithFixedDelay(
        this::sweep, sweepInterval.toMillis(), sweepInterval.toMillis(), TimeUnit.MILLISECONDS);
    log.info("Coordinator listening at {}", location().getUri());
    auth.logStart(log);
    if (http != null) {
      http.start();
      log.info("Status page at {}", statusPage().orElseThrow());
    }
    return this;
  }

  private static void warmUpFilters() {
    try {
      RowFilter.warmUp();
    } catch (RuntimeException e) {
      log.warn("warming up the row filter parser failed; the first query will do it", e);
    }
  }

  /**
   * The status page's address, when it serves one: {@code http://HOST:PORT/} with the Flight bind
   * host ({@code localhost} for a wildcard bind) and the actual HTTP port.
   */
  public Optional<URI> statusPage() {
    if (http == null) {
      return Optional.empty();
    }
    String host = server.getLocation().getUri().getHost();
    boolean wildcard = host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    return Optional.of(http.uri(wildcard ? "localhost" : host));
  }

  /** The port the coordinator listens on; the chosen one when the location asked for port 0. */
  public int port() {
    return server.getPort();
  }

  /** Where the coordinator listens, with the actual port. */
  public Location location() {
    return server.getLocation();
  }

  /**
   * Stops the coordinator: refuses new calls, waits up to the drain timeout for calls in progress,
   * cancels the rest, then closes the callback clients and the allocator. Idempotent.
   */
  @Override
  public void close() throws InterruptedException {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    sweeper.shutdownNow();
    if (http != null) {
      // First: probes and people see the coordinator gone while it drains.
      http.close();
    }
    try {
      server.shutdown();
      if (!server.awaitTermination(drainTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn(
            "Flight calls still running after the drain timeout of {} ms; cancelling them",
            drainTimeout.toMillis());
      }
    } finally {
      try {
        // Cancels whatever is still running; returns at once when the server has terminated.
        server.close();
      } finally {
        try {
          shutdownAndWait(executor);
          shutdownAndWait(sweeper);
        } finally {
          // Clients first: closing their channels cancels the callbacks still running.
          clients.close();
          try {
            callbacks.close();
          } finally {
            metrics.close();
            allocator.close();
          }
        }
      }
    }
    log.info("Coordinator stopped");
  }

  /**
   * Whether the coordinator is warm: it has heard from every data server it has to know about, and
   * answers catalog reads. Until then they fail with UNAVAILABLE (see {@link
   * CoordinatorBuilder#whenWarm}).
   */
  public boolean isWarm() {
    return warmUp.isWarm();
  }

  /** The registry, for tests in this package. */
  Registry registry() {
    return registry;
  }

  private void sweep() {
    try {
      membership.sweep();
    } catch (RuntimeException e) {
      // An exception would cancel the schedule, and expired servers would never be evicted.
      log.error("Bug: sweeping expired data servers failed", e);
    }
  }

  private static void shutdownAndWait(ExecutorService service) throws InterruptedException {
    requireNonNull(service, "service is null");
    service.shutdown();
    if (!service.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
      service.shutdownNow();
    }
  }
}
