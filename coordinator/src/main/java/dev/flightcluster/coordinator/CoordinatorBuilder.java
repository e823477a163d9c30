package dev.flightcluster.coordinator;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.auth.ServerAuth;
import dev.flightcluster.coordinator.http.HttpAuth;
import dev.flightcluster.otel.FlightTelemetry;
import dev.flightcluster.security.TlsSettings;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;

/** Configures a {@link Coordinator}. Not thread-safe; use it from one thread, then discard it. */
public final class CoordinatorBuilder {
  /** The lease granted when none is set. */
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(10);

  /** The heartbeat interval asked for when none is set. */
  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(2);

  /** Flight server threads when none is set. */
  public static final int DEFAULT_EXECUTOR_THREADS = 32;

  /** Threads calling data servers back when none is set. */
  public static final int DEFAULT_CALLBACK_THREADS = 8;

  /** How long a callback may take to connect to a data server when none is set. */
  public static final Duration DEFAULT_CALLBACK_CONNECT_TIMEOUT = Duration.ofSeconds(2);

  /** How long a whole listing pull may take when none is set. */
  public static final Duration DEFAULT_CALLBACK_TIMEOUT = Duration.ofSeconds(5);

  /** How long close lets calls in progress run when none is set. */
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(10);

  /** Default of {@link #endpointGroupBytes}: 128 MiB. */
  public static final long DEFAULT_ENDPOINT_GROUP_BYTES = EndpointPlanner.DEFAULT_GROUP_BYTES;

  /**
   * The status page's port when one is asked for without a port, e.g. by the CLI's {@code
   * --http-port}. A builder serves no page unless {@link #httpPort} is called: an embedded or test
   * coordinator must not take a fixed port by default.
   */
  public static final int DEFAULT_HTTP_PORT = 8080;

  private final BufferAllocator allocator;
  private final FlightTelemetry telemetry;
  private Location location;
  private Duration lease = DEFAULT_LEASE;
  private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
  private InstantSource clock = InstantSource.system();
  private int executorThreads = DEFAULT_EXECUTOR_THREADS;
  private int callbackThreads = DEFAULT_CALLBACK_THREADS;
  private Duration callbackConnectTimeout = DEFAULT_CALLBACK_CONNECT_TIMEOUT;
  private Duration callbackTimeout = DEFAULT_CALLBACK_TIMEOUT;
  private Runnable whenWarm = () -> {};
  private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
  private long endpointGroupBytes = DEFAULT_ENDPOINT_GROUP_BYTES;
  private ServerAuth auth =
      ServerAuth.protectedMode("coordinator", "--users FILE --token-signing-key FILE");
  private TlsSettings tls = TlsSettings.plaintext();

  /** -1: no status page. */
  private int httpPort = -1;

  private URI jaegerUrl;

  /** Null: derived from the auth (see {@link #httpAuth}). */
  private HttpAuth httpAuth;

  CoordinatorBuilder(BufferAllocator allocator, FlightTelemetry telemetry) {
    this.allocator = requireNonNull(allocator, "allocator is null");
    this.telemetry = requireNonNull(telemetry, "telemetry is null");
  }

  /**
   * Where to listen, e.g. {@code Location.forGrpcInsecure("0.0.0.0", 8888)}; port 0 picks one.
   * Required.
   */
  public CoordinatorBuilder location(Location location) {
    this.location = requireNonNull(location, "location is null");
    return this;
  }

  /** How long a data server stays registered without a heartbeat. Default 10 s. */
  public CoordinatorBuilder lease(Duration lease) {
    this.lease = requireNonNull(lease, "lease is null");
    return this;
  }

  /**
   * How often data servers are asked to send heartbeats; must be shorter than the lease, so that a
   * late heartbeat or two does not evict a healthy server. Default 2 s. Expired servers are swept
   * at this interval too.
   */
  public CoordinatorBuilder heartbeatInterval(Duration heartbeatInterval) {
    this.heartbeatInterval = requireNonNull(heartbeatInterval, "heartbeatInterval is null");
    return this;
  }

  /** The clock leases are measured by. Default the system clock; tests pass a fake. */
  public CoordinatorBuilder clock(InstantSource clock) {
    this.clock = requireNonNull(clock, "clock is null");
    return this;
  }

  /**
   * The number of threads serving Flight calls. Calls beyond it wait in a queue rather than start
   * threads without limit. Default 32. No call holds one of them while a data server is called
   * back: that happens on the callback threads ({@link #callbackThreads}).
   */
  public CoordinatorBuilder executorThreads(int executorThreads) {
    if (executorThreads < 1) {
      throw new IllegalArgumentException(
          "executorThreads must be positive, got " + executorThreads);
    }
    this.executorThreads = executorThreads;
    return this;
  }

  /**
   * The number of threads that call data servers back (the ListFlights pull after a hello or a
   * changed listing). Up to 8 per thread more may wait; beyond that a hello is refused with
   * UNAVAILABLE and retried by its server. Default 8.
   */
  public CoordinatorBuilder callbackThreads(int callbackThreads) {
    if (callbackThreads < 1) {
      throw new IllegalArgumentException(
          "callbackThreads must be positive, got " + callbackThreads);
    }
    this.callbackThreads = callbackThreads;
    return this;
  }

  /**
   * How long a callback may take to connect to a data server. Short, because a healthy server
   * accepts at once, and a location that accepts TCP but never speaks gRPC would otherwise hold a
   * callback thread for the whole {@link #callbackTimeout}. Default 2 s.
   */
  public CoordinatorBuilder callbackConnectTimeout(Duration callbackConnectTimeout) {
    this.callbackConnectTimeout =
        requireNonNull(callbackConnectTimeout, "callbackConnectTimeout is null");
    return this;
  }

  /**
   * How long a whole listing pull may take, connecting included; at most the lease. Default 5 s,
   * the deadline data servers give their hello.
   */
  public CoordinatorBuilder callbackTimeout(Duration callbackTimeout) {
    this.callbackTimeout = requireNonNull(callbackTimeout, "callbackTimeout is null");
    return this;
  }

  /**
   * Runs {@code action} once, when the coordinator becomes warm and starts answering catalog reads
   * (one lease after it started, or once it has listed every data server it heard from). Use it to
   * report readiness, e.g. gRPC health. It runs on a coordinator thread and must not block.
   */
  public CoordinatorBuilder whenWarm(Runnable action) {
    this.whenWarm = requireNonNull(action, "action is null");
    return this;
  }

  /**
   * On {@link Coordinator#close()}: how long calls in progress may still run; new calls are refused
   * from the start (UNAVAILABLE), and the calls left after it are cancelled. Default 10 s.
   */
  public CoordinatorBuilder drainTimeout(Duration drainTimeout) {
    requireNonNull(drainTimeout, "drainTimeout is null");
    if (drainTimeout.isNegative()) {
      throw new IllegalArgumentException("drainTimeout must not be negative, got " + drainTimeout);
    }
    this.drainTimeout = drainTimeout;
    return this;
  }

  /**
   * How much Parquet one endpoint of a folder dataset carries at least: files held by the same
   * servers are grouped, in path order, until a group reaches this size, and one larger file is an
   * endpoint of its own. Clients read endpoints in parallel, so smaller groups mean more
   * parallelism and more calls. Default 128 MiB.
   *
   * @throws IllegalArgumentException when not positive
   */
  public CoordinatorBuilder endpointGroupBytes(long endpointGroupBytes) {
    if (endpointGroupBytes <= 0) {
      throw new IllegalArgumentException(
          "endpointGroupBytes must be positive, got " + endpointGroupBytes);
    }
    this.endpointGroupBytes = endpointGroupBytes;
    return this;
  }

  /**
   * Serves the status page, its JSON API and the health probes over HTTP on this port, at the
   * Flight bind address; 0 picks a free port (see {@link Coordinator#statusPage()}). Without it, no
   * HTTP is served. The CLI's default is {@link #DEFAULT_HTTP_PORT}.
   */
  public CoordinatorBuilder httpPort(int httpPort) {
    if (httpPort < 0 || httpPort > 65_535) {
      throw new IllegalArgumentException("httpPort must be 0..65535, got " + httpPort);
    }
    this.httpPort = httpPort;
    return this;
  }

  /**
   * The Jaeger UI, e.g. {@code http://localhost:16686}: the status page links each slow request to
   * its trace there. Default none: no links.
   */
  public CoordinatorBuilder jaegerUrl(URI jaegerUrl) {
    requireNonNull(jaegerUrl, "jaegerUrl is null");
    String scheme = jaegerUrl.getScheme();
    if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)
        || jaegerUrl.getHost() == null) {
      throw new IllegalArgumentException(
          "jaegerUrl must be an http or https URL such as http://localhost:16686, got "
              + jaegerUrl);
    }
    this.jaegerUrl = jaegerUrl;
    return this;
  }

  /**
   * Who may see the status page and its API (the health probes are open). Default: with users and
   * tokens ({@link ServerAuth#authenticates()}), those that may call {@code cluster_status}, over
   * HTTP Basic or Bearer; without, everyone.
   */
  public CoordinatorBuilder httpAuth(HttpAuth httpAuth) {
    this.httpAuth = requireNonNull(httpAuth, "httpAuth is null");
    return this;
  }

  /**
   * How callers are let in: users and tokens ({@link ServerAuth#coordinator}), everyone ({@link
   * ServerAuth#insecure}), or, by default, only callers on this machine ({@link
   * ServerAuth#protectedMode}).
   */
  public CoordinatorBuilder auth(ServerAuth auth) {
    this.auth = requireNonNull(auth, "auth is null");
    return this;
  }

  /**
   * TLS: with a certificate the coordinator serves TLS only, at a {@code grpc+tls} {@link
   * #location}, and requires client certificates if the settings have a client CA; its callbacks to
   * data servers at {@code grpc+tls} locations trust the settings' CA and present its certificate.
   * Default plaintext.
   */
  public CoordinatorBuilder tls(TlsSettings tls) {
    this.tls = requireNonNull(tls, "tls is null");
    return this;
  }

  /**
   * A coordinator with this configuration, not yet listening: call {@link Coordinator#start()}.
   *
   * @throws IllegalStateException when no location is set
   * @throws IllegalArgumentException when the lease or heartbeat interval is not positive, or the
   *     heartbeat interval is not shorter than the lease, or the location's scheme does not match
   *     the TLS settings
   */
  public Coordinator build() {
    if (location == null) {
      throw new IllegalStateException(
          "location is not set: call location(Location) before build()");
    }
    if (lease.isNegative() || lease.isZero()) {
      throw new IllegalArgumentException("lease must be positive, got " + lease);
    }
    if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
      throw new IllegalArgumentException(
          "heartbeatInterval must be positive, got " + heartbeatInterval);
    }
    if (heartbeatInterval.compareTo(lease) >= 0) {
      throw new IllegalArgumentException(
          "heartbeatInterval ("
              + heartbeatInterval
              + ") must be shorter than the lease ("
              + lease
              + ")");
    }
    if (tls.serving() != TlsSettings.isTls(location)) {
      throw new IllegalArgumentException(
          tls.serving()
              ? "location " + location.getUri() + " is not grpc+tls but a TLS certificate is set"
              : "location " + location.getUri() + " is grpc+tls but no TLS certificate is set");
    }
    requirePositive("callbackConnectTimeout", callbackConnectTimeout);
    requirePositive("callbackTimeout", callbackTimeout);
    return new Coordinator(
        allocator,
        telemetry,
        location,
        lease,
        heartbeatInterval,
        clock,
        executorThreads,
        callbackThreads,
        callbackConnectTimeout,
        callbackTimeout,
        whenWarm,
        drainTimeout,
        endpointGroupBytes,
        auth,
        tls,
        httpPort < 0
            ? null
            : new HttpSettings(
                httpPort, jaegerUrl, httpAuth != null ? httpAuth : StatusPageAuth.of(auth)));
  }

  private static void requirePositive(String name, Duration duration) {
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + duration);
    }
  }
}
