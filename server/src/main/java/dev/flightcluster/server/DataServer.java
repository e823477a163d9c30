package dev.flightcluster.server;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.auth.ClientCredentials;
import dev.flightcluster.auth.ServerAuth;
import dev.flightcluster.otel.FlightTelemetry;
import dev.flightcluster.protocol.ServerStats;
import dev.flightcluster.server.upload.UploadGuard;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.util.AutoCloseables;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A data server: serves the Parquet datasets of a data dir over Arrow Flight (ListFlights,
 * GetFlightInfo, GetSchema, DoGet, DoPut) and, when coordinators are configured, keeps itself
 * registered with every one of them (every address of every coordinator name).
 *
 * <pre>{@code
 * try (DataServer server = DataServer.builder(allocator, telemetry)
 *     .location(Location.forGrpcInsecure("0.0.0.0", 8889))
 *     .advertisedLocation(Location.forGrpcInsecure("10.0.0.7", 8889))
 *     .dataDir(Path.of("flight_datasets"))
 *     .coordinators(List.of(Location.forGrpcInsecure("coordinator-headless", 8888)))
 *     .build()
 *     .start()) {
 *   ...
 * }
 * }</pre>
 *
 * <p>Datasets changed on disk by other means appear and disappear within one heartbeat interval.
 */
public final class DataServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DataServer.class);
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);
  /** After the drain period: how long the calls just ended with UNAVAILABLE get to send it. */
  private static final Duration END_GRACE = Duration.ofSeconds(2);

  private final BufferAllocator allocator;
  private final FlightTelemetry telemetry;
  private final Location bind;
  private final Location advertisedOption;
  private final Path dataDir;
  private final String serverIdOption;
  private final List<Location> coordinators;
  private final HostResolver hostResolver;
  private final Duration heartbeatInterval;
  private final RegistrationTimes registrationTimes;
  private final int batchRows;
  private final int maxStreams;
  private final int maxMessageBytes;
  private final long scanMemoryBytes;
  private final Duration scanQueueTimeout;
  private final int maxUploads;
  private final Duration drainTimeout;
  private final Duration uploadIdleTimeout;
  private final ServerAuth auth;
  private final Optional<ClientCredentials> nodeCredentials;

  private BufferAllocator serverAllocator;
  private CallPools callPools;
  private UploadGuard uploadGuard;
  private ThreadPoolExecutor streamExecutor;
  private ScheduledExecutorService maintenance;
  private DatasetStore store;
  private DataProducer producer;
  private FlightServer flightServer;
  private Registrar registrar;
  private volatile Location advertised;
  private volatile String serverId;
  private boolean started;
  private boolean closed;
  private volatile boolean draining;
  private volatile boolean drainEnded;

  private DataServer(Builder builder) {
    this.allocator = builder.allocator;
    this.telemetry = builder.telemetry;
    this.bind = requireNonNull(builder.location, "location is not set");
    this.advertisedOption = builder.advertisedLocation;
    this.dataDir = requireNonNull(builder.dataDir, "dataDir is not set");
    this.serverIdOption = builder.serverId;
    this.coordinators = builder.coordinators;
    this.hostResolver = builder.hostResolver;
    this.heartbeatInterval = builder.heartbeatInterval;
    this.registrationTimes =
        builder.registrationTimes != null ? builder.registrationTimes : RegistrationTimes.defaults(heartbeatInterval);
    this.batchRows = builder.batchRows;
    this.maxStreams = builder.maxConcurrentStreams;
    this.maxMessageBytes = builder.maxMessageBytes;
    this.scanMemoryBytes = builder.scanMemoryBytes;
    this.scanQueueTimeout = builder.scanQueueTimeout;
    this.maxUploads = builder.maxConcurrentUploads;
    this.drainTimeout = builder.drainTimeout;
    this.uploadIdleTimeout = builder.uploadIdleTimeout;
    this.auth = builder.auth;
    this.nodeCredentials = Optional.ofNullable(builder.nodeCredentials);
  }

  /**
   * A builder for a data server.
   *
   * @param allocator the server allocates its streams from a child of this allocator; close the
   *     allocator after the server
   */
  public static Builder builder(BufferAllocator allocator, FlightTelemetry telemetry) {
    return new Builder(
        requireNonNull(allocator, "allocator is null"), requireNonNull(telemetry, "telemetry is null"));
  }

  /**
   * Lists the data dir, starts serving, and starts registering with the coordinators, if any are
   * configured, in the background.
   *
   * @throws IOException when the data dir cannot be opened or the port cannot be bound
   */
  public synchronized DataServer start() throws IOException {
    if (started) {
      throw new IllegalStateException("already started");
    }
    started = true;
    boolean ok = false;
    try {
      serverAllocator = allocator.newChildAllocator("data-server", 0, allocator.getLimit());
      store = DatasetStore.open(serverAllocator, dataDir);
      int cpus = Runtime.getRuntime().availableProcessors();
      callPools =
          new CallPools(() -> serverId, Map.of(
              CallPools.Kind.UPLOAD, new CallPools.Limit(Math.max(2, cpus), maxUploads),
              CallPools.Kind.READ, new CallPools.Limit(Math.max(4, cpus), maxStreams),
              CallPools.Kind.CONTROL, new CallPools.Limit(Math.max(4, 2 * cpus), MAX_CONTROL_CALLS),
              CallPools.Kind.HEALTH, new CallPools.Limit(2, MAX_HEALTH_CALLS)));
      streamExecutor =
          new ThreadPoolExecutor(0, maxStreams, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
              threads("flight-server-doget"));
      uploadGuard = new UploadGuard(uploadIdleTimeout);
      producer =
          new DataProducer(store, serverAllocator, () -> serverId, () -> advertised, batchRows,
              streamExecutor, new ScanBudget(scanMemoryBytes), scanQueueTimeout, maxMessageBytes, maxUploads,
              uploadGuard, this::afterUpload);
      flightServer =
          auth.install(telemetry
              .instrument(FlightServer.builder(serverAllocator, bind, producer),
                  netty -> {
                    callPools.install(netty);
                    netty.setBinaryLog(uploadGuard.messageGuard());
                    auth.install(netty);
                  }))
              // gRPC refuses larger messages before buffering them, but its reset can overtake its status
              // (grpc/grpc-java#11245): up to twice the limit the producer refuses them itself, precisely.
              .maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE, 2L * maxMessageBytes))
              // Flight runs only DoPut bodies on it: every gRPC callback runs on the call pools.
              .executor(callPools.uploadExecutor())
              .build();
      flightServer.start();
      advertised = withPort(advertisedOption == null ? bind : advertisedOption, flightServer.getPort());
      serverId = serverIdOption != null ? serverIdOption : hostName() + "-" + flightServer.getPort();
      if (!coordinators.isEmpty()) {
        registrar =
            new Registrar(telemetry, serverAllocator, coordinators, hostResolver,
                new LocalServer(serverId, advertised, () -> store.listing().version(), producer::activeStreams,
                    this::streamStats),
                registrationTimes, nodeCredentials);
        registrar.start();
      }
      maintenance = Executors.newSingleThreadScheduledExecutor(threads("flight-server-refresh"));
      long every = heartbeatInterval.toNanos();
      maintenance.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.NANOSECONDS);
      log.info("data server {} serving {} at {} (advertised {}), {} datasets, coordinators {}",
          serverId, store.dataDir(), flightServer.getLocation().getUri(), advertised.getUri(),
          store.listing().datasets().size(),
          coordinators.isEmpty() ? "none" : coordinators.stream().map(Location::getUri).toList());
      auth.logStart(log);
      ok = true;
      return this;
    } finally {
      if (!ok) {
        close();
      }
    }
  }

  private void refresh() {
    try {
      if (store.refresh() && registrar != null) {
        registrar.announce();
      }
    } catch (RuntimeException e) {
      log.warn("refreshing the listing of {} failed", store.dataDir(), e);
    }
  }

  /** What the heartbeats report besides the load: the streams' recent work and where we are registered. */
  private ServerStats streamStats() {
    Registrar current = registrar;
    List<String> registeredWith =
        current == null ? List.of() : current.registeredWith().stream().map(URI::toString).toList();
    return producer.stats().snapshot(registeredWith);
  }

  /** After an upload: list it, and have every reachable coordinator pull the new listing before replying. */
  private void afterUpload() {
    store.refresh();
    if (registrar != null) {
      registrar.announce();
    }
  }

  /** The port the server listens on. */
  public int port() {
    checkStarted();
    return flightServer.getPort();
  }

  /** The location clients are told to reach this server at. */
  public Location advertisedLocation() {
    checkStarted();
    return advertised;
  }

  /** The id the server registers with. */
  public String serverId() {
    checkStarted();
    return serverId;
  }

  /**
   * The coordinator addresses this server has registered with and that have not forgotten it
   * since, in resolution order; empty when it runs alone.
   */
  public List<URI> registeredWith() {
    checkStarted();
    return registrar == null ? List.of() : registrar.registeredWith();
  }

  private void checkStarted() {
    if (flightServer == null) {
      throw new IllegalStateException("the server is not started");
    }
  }

  /**
   * Stops the server gracefully: says goodbye to the coordinators first, so clients are no longer
   * sent here, then refuses new calls with UNAVAILABLE, lets the streams in progress finish within
   * the drain timeout, and ends the rest with UNAVAILABLE, so their clients move to another replica.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (maintenance != null) {
        maintenance.shutdownNow();
      }
      if (registrar != null) {
        registrar.close();
      }
      if (flightServer != null) {
        callPools.drain();
        draining = true;
        flightServer.shutdown();
        if (!flightServer.awaitTermination(drainTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
          log.info("calls still running after the drain timeout of {} ms; ending them with UNAVAILABLE",
              drainTimeout.toMillis());
          producer.closeStreams();
          drainEnded = true;
          callPools.endOpenCalls(io.grpc.Status.UNAVAILABLE.withDescription(
              "server " + serverId + " is shutting down; use another replica"));
          if (!flightServer.awaitTermination(END_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
            // FlightServer.close() forces the rest: shutdownNow, cancelling the calls still open.
            flightServer.close();
          }
        }
      }
      if (producer != null) {
        producer.closeStreams();
      }
      for (ExecutorService executor : new ExecutorService[] {streamExecutor, maintenance}) {
        if (executor != null) {
          executor.shutdown();
          if (!executor.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
            executor.shutdownNow();
          }
        }
      }
      if (callPools != null) {
        callPools.close();
      }
      if (uploadGuard != null) {
        uploadGuard.close();
      }
      AutoCloseables.close(serverAllocator);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      throw new IllegalStateException("closing data server " + serverId + " failed", e);
    }
  }

  /** Whether {@link #close()} has begun to drain, for tests. */
  boolean draining() {
    return draining;
  }

  /** Whether the drain timeout has passed and the streams left are being ended, for tests. */
  boolean drainEnded() {
    return drainEnded;
  }

  /** Calls of {@code kind} open now, for tests. */
  int openCalls(CallPools.Kind kind) {
    checkStarted();
    return callPools.openCalls(kind);
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  private static Location withPort(Location location, int port) {
    URI uri = location.getUri();
    if (uri.getPort() != 0) {
      return location;
    }
    try {
      return new Location(new URI(uri.getScheme(), uri.getUserInfo(), uri.getHost(), port,
          uri.getPath(), uri.getQuery(), uri.getFragment()));
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("cannot set the port of " + uri, e);
    }
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  /** gRPC's own default is 4 MiB, too small for record batches; Flight's is 2 GiB, too large to buffer. */
  static final int DEFAULT_MAX_MESSAGE_BYTES = 256 << 20;
  /** Listing, schema and action calls open at once; they are short, so this is only a flood guard. */
  private static final int MAX_CONTROL_CALLS = 256;
  private static final int MAX_HEALTH_CALLS = 64;

  /** Long enough for a slow client between batches, short enough that a dead one frees its thread soon. */
  static final Duration DEFAULT_UPLOAD_IDLE_TIMEOUT = Duration.ofSeconds(30);

  /** Builds a {@link DataServer}. {@link #location} and {@link #dataDir} are required. */
  public static final class Builder {
    private final BufferAllocator allocator;
    private final FlightTelemetry telemetry;
    private Location location;
    private Location advertisedLocation;
    private Path dataDir;
    private String serverId;
    private List<Location> coordinators = List.of();
    private HostResolver hostResolver = HostResolver.system();
    private Duration heartbeatInterval = Duration.ofSeconds(2);
    private RegistrationTimes registrationTimes;
    private int batchRows = 65_536;
    private int maxConcurrentStreams = 64;
    private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
    private long scanMemoryBytes = 1L << 30;
    private Duration scanQueueTimeout = Duration.ofSeconds(60);
    private int maxConcurrentUploads = 8;
    private Duration drainTimeout = Duration.ofSeconds(10);
    private Duration uploadIdleTimeout = DEFAULT_UPLOAD_IDLE_TIMEOUT;
    private ServerAuth auth = ServerAuth.protectedMode("data server", "--token-verify-key FILE");
    private ClientCredentials nodeCredentials;

    private Builder(BufferAllocator allocator, FlightTelemetry telemetry) {
      this.allocator = allocator;
      this.telemetry = telemetry;
    }

    /** Where to listen, e.g. {@code grpc://0.0.0.0:8889}; port 0 picks a free port. */
    public Builder location(Location location) {
      this.location = requireNonNull(location, "location is null");
      return this;
    }

    /**
     * The location clients are told to use, in listings and at the coordinator. Defaults to the bind
     * location; a port of 0 means the port actually bound.
     */
    public Builder advertisedLocation(Location advertisedLocation) {
      this.advertisedLocation = advertisedLocation;
      return this;
    }

    /** The directory of Parquet datasets; created when missing. */
    public Builder dataDir(Path dataDir) {
      this.dataDir = requireNonNull(dataDir, "dataDir is null");
      return this;
    }

    /** The id to register with; defaults to {@code <hostname>-<port>}. */
    public Builder serverId(String serverId) {
      this.serverId = serverId;
      return this;
    }

    /** The one coordinator to register with, or null to run standalone (the default). */
    public Builder coordinator(Location coordinator) {
      return coordinators(coordinator == null ? List.of() : List.of(coordinator));
    }

    /**
     * The coordinators to register with, each {@code grpc://HOST:PORT}; empty to run standalone (the
     * default). The server registers with every address of every HOST (a Kubernetes headless Service
     * names every coordinator pod), and resolves the names again every few heartbeat intervals.
     */
    public Builder coordinators(List<Location> coordinators) {
      requireNonNull(coordinators, "coordinators is null");
      for (Location coordinator : coordinators) {
        requireNonNull(coordinator, "a coordinator is null");
        URI uri = coordinator.getUri();
        if (uri.getHost() == null || uri.getPort() <= 0
            || !List.of("grpc", "grpc+tcp", "grpc+tls").contains(uri.getScheme())) {
          throw new IllegalArgumentException(
              "a coordinator must be grpc://HOST:PORT, grpc+tcp://HOST:PORT or grpc+tls://HOST:PORT, not " + uri);
        }
      }
      this.coordinators = List.copyOf(coordinators);
      return this;
    }

    /** How coordinator names become addresses; default {@link HostResolver#system()}. */
    public Builder hostResolver(HostResolver hostResolver) {
      this.hostResolver = requireNonNull(hostResolver, "hostResolver is null");
      return this;
    }

    /** How often to heartbeat and to re-read the data dir; default 2 s. */
    public Builder heartbeatInterval(Duration heartbeatInterval) {
      requireNonNull(heartbeatInterval, "heartbeatInterval is null");
      if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
        throw new IllegalArgumentException("heartbeatInterval must be positive: " + heartbeatInterval);
      }
      this.heartbeatInterval = heartbeatInterval;
      return this;
    }

    /** Tests only: every registration timing at once, the heartbeat interval included. */
    Builder registrationTimes(RegistrationTimes registrationTimes) {
      this.registrationTimes = requireNonNull(registrationTimes, "registrationTimes is null");
      return heartbeatInterval(registrationTimes.heartbeatInterval());
    }

    /** The most rows a DoGet batch holds; default 65536. */
    public Builder batchRows(int batchRows) {
      if (batchRows <= 0) {
        throw new IllegalArgumentException("batchRows must be positive: " + batchRows);
      }
      this.batchRows = batchRows;
      return this;
    }

    /** The most DoGet streams served at once; more get RESOURCE_EXHAUSTED. Default 64. */
    public Builder maxConcurrentStreams(int maxConcurrentStreams) {
      if (maxConcurrentStreams <= 0) {
        throw new IllegalArgumentException("maxConcurrentStreams must be positive: " + maxConcurrentStreams);
      }
      this.maxConcurrentStreams = maxConcurrentStreams;
      return this;
    }

    /**
     * The largest record batch a client may upload, in Arrow buffer bytes; a larger one fails the
     * DoPut with RESOURCE_EXHAUSTED and nothing is stored. A message over twice this is refused by
     * gRPC before it is buffered, when the client may see CANCELLED instead (grpc/grpc-java#11245).
     * Default 256 MiB.
     */
    public Builder maxMessageBytes(int maxMessageBytes) {
      if (maxMessageBytes < 1024) {
        throw new IllegalArgumentException("maxMessageBytes must be at least 1024: " + maxMessageBytes);
      }
      this.maxMessageBytes = maxMessageBytes;
      return this;
    }

    /**
     * The native memory all DoGet scans may hold at once; default 1 GiB. Each stream reserves what
     * its scan may hold (about its Parquet bytes, see docs/decisions.md D13) before it starts, and
     * waits while the budget is taken. At least 1 MiB.
     */
    public Builder scanMemoryBytes(long scanMemoryBytes) {
      if (scanMemoryBytes < (1L << 20)) {
        throw new IllegalArgumentException("scanMemoryBytes must be at least 1 MiB: " + scanMemoryBytes);
      }
      this.scanMemoryBytes = scanMemoryBytes;
      return this;
    }

    /** How long a DoGet waits for scan memory before RESOURCE_EXHAUSTED; default 60 s. */
    public Builder scanQueueTimeout(Duration scanQueueTimeout) {
      requireNonNull(scanQueueTimeout, "scanQueueTimeout is null");
      if (scanQueueTimeout.isNegative()) {
        throw new IllegalArgumentException("scanQueueTimeout must not be negative: " + scanQueueTimeout);
      }
      this.scanQueueTimeout = scanQueueTimeout;
      return this;
    }

    /**
     * The most DoPut calls open at once; one more gets RESOURCE_EXHAUSTED at once. Each open upload
     * holds a thread of its own while it waits for the client's data. Default 8.
     */
    public Builder maxConcurrentUploads(int maxConcurrentUploads) {
      if (maxConcurrentUploads <= 0) {
        throw new IllegalArgumentException("maxConcurrentUploads must be positive: " + maxConcurrentUploads);
      }
      this.maxConcurrentUploads = maxConcurrentUploads;
      return this;
    }

    /**
     * On {@link DataServer#close()}: how long streams in progress may still run; the rest then end
     * with UNAVAILABLE. New calls get UNAVAILABLE from the start of the drain. Default 10 s.
     */
    public Builder drainTimeout(Duration drainTimeout) {
      requireNonNull(drainTimeout, "drainTimeout is null");
      if (drainTimeout.isNegative()) {
        throw new IllegalArgumentException("drainTimeout must not be negative: " + drainTimeout);
      }
      this.drainTimeout = drainTimeout;
      return this;
    }

    /**
     * How long an upload may send nothing while the server waits for its next message (the first one
     * included); then the server ends it with CANCELLED and stores nothing. Default 30 s.
     */
    public Builder uploadIdleTimeout(Duration uploadIdleTimeout) {
      requireNonNull(uploadIdleTimeout, "uploadIdleTimeout is null");
      if (uploadIdleTimeout.isNegative() || uploadIdleTimeout.isZero()) {
        throw new IllegalArgumentException("uploadIdleTimeout must be positive: " + uploadIdleTimeout);
      }
      this.uploadIdleTimeout = uploadIdleTimeout;
      return this;
    }

    /**
     * How callers are let in: bearer tokens checked with the cluster's verify key ({@link
     * ServerAuth#dataServer}), everyone ({@link ServerAuth#insecure}), or, by default, only callers
     * on this machine ({@link ServerAuth#protectedMode}).
     */
    public Builder auth(ServerAuth auth) {
      this.auth = requireNonNull(auth, "auth is null");
      return this;
    }

    /**
     * How the server logs in at coordinators that authenticate: as a node user ({@link
     * ClientCredentials#login}); null (the default) to call them without credentials.
     */
    public Builder nodeCredentials(ClientCredentials nodeCredentials) {
      this.nodeCredentials = nodeCredentials;
      return this;
    }

    /**
     * A server with this configuration; call {@link DataServer#start()} to run it.
     *
     * @throws IllegalArgumentException when node credentials are set without a coordinator
     */
    public DataServer build() {
      if (nodeCredentials != null && coordinators.isEmpty()) {
        throw new IllegalArgumentException(
            "node credentials (--node-user) are for registering with coordinators, and none is set (--coordinator)");
      }
      return new DataServer(this);
    }
  }
}
