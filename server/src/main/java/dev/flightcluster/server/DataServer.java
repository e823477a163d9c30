package dev.flightcluster.server;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.auth.ClientCredentials;
import dev.flightcluster.auth.ServerAuth;
import dev.flightcluster.otel.FlightTelemetry;
import dev.flightcluster.otel.metrics.BoundedLabel;
import dev.flightcluster.otel.metrics.FlightMetrics;
import dev.flightcluster.otel.producer.GuardedProducer;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.ServerStats;
import dev.flightcluster.security.TlsSettings;
import dev.flightcluster.server.cache.HotCache;
import dev.flightcluster.server.registration.HostResolver;
import dev.flightcluster.server.registration.LocalServer;
import dev.flightcluster.server.registration.Registrar;
import dev.flightcluster.server.registration.RegistrationTimes;
import dev.flightcluster.server.store.Dataset;
import dev.flightcluster.server.store.DatasetStore;
import dev.flightcluster.server.stream.DoGetStreams;
import dev.flightcluster.server.upload.UploadGuard;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
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
import java.util.function.Supplier;
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
 *     .build()) {
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

  private final Duration drainTimeout;
  private final BufferAllocator serverAllocator;
  private final DatasetStore store;
  private final HotCache cache;
  private final CallPools callPools;
  private final UploadGuard uploadGuard;
  private final ThreadPoolExecutor streamExecutor;
  private final DoGetStreams streams;
  private final DataProducer producer;
  private final ServerMetrics metrics;
  private final StreamStats stats;
  private final FlightServer flightServer;
  private final Location advertised;
  private final String serverId;
  private final Registrar registrar;
  private final ScheduledExecutorService maintenance;
  private boolean closed;
  private volatile boolean draining;
  private volatile boolean drainEnded;

  /**
   * Builds and starts the whole server from a validated configuration: lists the data dir, binds
   * the port, and starts registering with the coordinators, if any, in the background. No call can
   * see a server that is half started; on failure everything built so far is closed.
   */
  private DataServer(Builder config) throws IOException {
    this.drainTimeout = config.drainTimeout;
    List<AutoCloseable> built = new ArrayList<>();
    boolean ok = false;
    try {
      serverAllocator =
          config.allocator.newChildAllocator("data-server", 0, config.allocator.getLimit());
      built.add(serverAllocator);
      store = DatasetStore.open(serverAllocator, config.dataDir);
      cache = openCache(config, serverAllocator, store);
      built.add(0, cache);
      int cpus = Runtime.getRuntime().availableProcessors();
      // The server id is known once the port is bound; the pools only name it in refusals.
      Supplier<String> id = () -> this.serverIdOrPending();
      callPools =
          new CallPools(
              id,
              Map.of(
                  CallPools.Kind.UPLOAD,
                      new CallPools.Limit(Math.max(2, cpus), config.maxConcurrentUploads),
                  CallPools.Kind.READ,
                      new CallPools.Limit(Math.max(4, cpus), config.maxConcurrentStreams),
                  CallPools.Kind.CONTROL,
                      new CallPools.Limit(Math.max(4, 2 * cpus), MAX_CONTROL_CALLS),
                  CallPools.Kind.HEALTH, new CallPools.Limit(2, MAX_HEALTH_CALLS)));
      built.add(0, callPools);
      streamExecutor =
          new ThreadPoolExecutor(
              0,
              config.maxConcurrentStreams,
              60,
              TimeUnit.SECONDS,
              new SynchronousQueue<>(),
              threads("flight-server-doget"));
      built.add(0, streamExecutor::shutdownNow);
      uploadGuard = new UploadGuard(config.uploadIdleTimeout);
      built.add(0, uploadGuard);
      // The gauges read the scan budget through the streams, which are built next with these
      // metrics.
      metrics =
          new ServerMetrics(
              config.telemetry.openTelemetry().getMeter(FlightMetrics.SCOPE),
              id,
              this::scanReservedBytes,
              this::scanBudgetBytes,
              cache,
              BoundedLabel.withDefaultBound());
      built.add(0, metrics);
      stats = new StreamStats(InstantSource.system());
      streams =
          new DoGetStreams(
              store,
              serverAllocator,
              id,
              config.batchRows,
              streamExecutor,
              config.scanMemoryBytes,
              config.scanQueueTimeout,
              metrics,
              stats,
              cache);
      producer =
          new DataProducer(
              store,
              serverAllocator,
              id,
              this::advertisedLocation,
              streams,
              config.maxMessageBytes,
              config.maxConcurrentUploads,
              uploadGuard,
              this::afterUpload,
              metrics,
              stats);
      flightServer =
          config
              .auth
              .install(
                  config.telemetry.instrument(
                      config.tls.serve(
                          FlightServer.builder(
                              serverAllocator,
                              config.location,
                              new GuardedProducer(DoGetStreams.SERVICE, producer))),
                      netty -> {
                        callPools.install(netty);
                        netty.setBinaryLog(uploadGuard.messageGuard());
                        config.auth.install(netty);
                      }))
              // gRPC refuses larger messages before buffering them, but its reset can overtake its
              // status
              // (grpc/grpc-java#11245): up to twice the limit the producer refuses them itself,
              // precisely.
              .maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE, 2L * config.maxMessageBytes))
              // Flight runs only DoPut bodies on it: every gRPC callback runs on the call pools.
              .executor(callPools.uploadExecutor())
              .build();
      built.add(0, flightServer);
      flightServer.start();
      advertised =
          withPort(
              config.advertisedLocation == null ? config.location : config.advertisedLocation,
              flightServer.getPort());
      serverId =
          config.serverId != null ? config.serverId : hostName() + "-" + flightServer.getPort();
      if (config.coordinators.isEmpty()) {
        registrar = null;
      } else {
        registrar =
            new Registrar(
                config.telemetry,
                serverAllocator,
                config.coordinators,
                config.hostResolver,
                new LocalServer(
                    serverId,
                    advertised,
                    () -> store.listing().version(),
                    producer::activeStreams,
                    this::streamStats),
                config.registrationTimes != null
                    ? config.registrationTimes
                    : RegistrationTimes.defaults(config.heartbeatInterval),
                Optional.ofNullable(config.nodeCredentials),
                config.tls);
        built.add(0, registrar);
        registrar.start();
      }
      maintenance = Executors.newSingleThreadScheduledExecutor(threads("flight-server-refresh"));
      built.add(0, maintenance::shutdownNow);
      long every = config.heartbeatInterval.toNanos();
      maintenance.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.NANOSECONDS);
      log.info(
          "data server {} serving {} at {} (advertised {}), {} datasets, coordinators {}",
          serverId,
          store.dataDir(),
          flightServer.getLocation().getUri(),
          advertised.getUri(),
          store.listing().datasets().size(),
          config.coordinators.isEmpty()
              ? "none"
              : config.coordinators.stream().map(Location::getUri).toList());
      config.auth.logStart(log);
      ok = true;
    } finally {
      if (!ok) {
        try {
          AutoCloseables.close(built);
        } catch (Exception e) {
          log.warn("cleaning up after a failed start", e);
        }
      }
    }
  }

  /**
   * The hot cache: in the folder set, or the data dir's default one, capped at the size set, or at
   * the builder's share of the free space of its disk now.
   */
  private static HotCache openCache(Builder config, BufferAllocator allocator, DatasetStore store)
      throws IOException {
    Path dir = config.cacheDir != null ? config.cacheDir : store.defaultCacheDir();
    long maxBytes = config.cacheBytes;
    if (maxBytes == Builder.CACHE_BYTES_FROM_FREE_SPACE) {
      Files.createDirectories(dir);
      maxBytes =
          Files.getFileStore(dir).getUsableSpace() / 100 * Builder.DEFAULT_CACHE_FREE_SPACE_PERCENT;
    }
    return HotCache.open(allocator, dir, maxBytes, config.batchRows);
  }

  private long scanReservedBytes() {
    DoGetStreams built = streams;
    return built == null ? 0 : built.scanReservedBytes();
  }

  private long scanBudgetBytes() {
    DoGetStreams built = streams;
    return built == null ? 0 : built.scanBudgetBytes();
  }

  private String serverIdOrPending() {
    String id = serverId;
    return id != null ? id : "(starting)";
  }

  /**
   * A builder for a data server.
   *
   * @param allocator the server allocates its streams from a child of this allocator; close the
   *     allocator after the server
   */
  public static Builder builder(BufferAllocator allocator, FlightTelemetry telemetry) {
    return new Builder(
        requireNonNull(allocator, "allocator is null"),
        requireNonNull(telemetry, "telemetry is null"));
  }

  /**
   * Returns this server, which serves from {@link Builder#build()} on; kept so that code written
   * when starting was a second step reads the same.
   */
  public DataServer start() {
    return this;
  }

  private void refresh() {
    try {
      producer.expireStagedPuts();
      if (store.refresh() && registrar != null) {
        registrar.announce();
      }
    } catch (RuntimeException e) {
      log.warn("refreshing the listing of {} failed", store.dataDir(), e);
    }
  }

  /**
   * What the heartbeats report besides the load: the streams' recent work and where we are
   * registered.
   */
  private ServerStats streamStats() {
    Registrar current = registrar;
    List<String> registeredWith =
        current == null ? List.of() : current.registeredWith().stream().map(URI::toString).toList();
    return stats.snapshot(registeredWith);
  }

  /**
   * After an upload: list it, and have every reachable coordinator pull the new listing before
   * replying.
   */
  private void afterUpload(DatasetName name) {
    store.refresh();
    if (registrar != null) {
      registrar.announce();
    }
    Dataset dataset = store.listing().datasets().get(name);
    if (dataset != null) {
      streams.uploaded(dataset);
    }
  }

  /** The hot cache, for tests. */
  HotCache cache() {
    return cache;
  }

  /** The port the server listens on. */
  public int port() {
    return flightServer.getPort();
  }

  /** The location clients are told to reach this server at. */
  public Location advertisedLocation() {
    return advertised;
  }

  /** The id the server registers with. */
  public String serverId() {
    return serverId;
  }

  /**
   * The coordinator addresses this server has registered with and that have not forgotten it since,
   * in resolution order; empty when it runs alone.
   */
  public List<URI> registeredWith() {
    return registrar == null ? List.of() : registrar.registeredWith();
  }

  /**
   * Stops the server gracefully: says goodbye to the coordinators first, so clients are no longer
   * sent here, then refuses new calls with UNAVAILABLE, lets the streams in progress finish within
   * the drain timeout, and ends the rest with UNAVAILABLE, so their clients move to another
   * replica.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      maintenance.shutdownNow();
      if (registrar != null) {
        registrar.close();
      }
      callPools.drain();
      draining = true;
      flightServer.shutdown();
      if (!flightServer.awaitTermination(drainTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        log.info(
            "calls still running after the drain timeout of {} ms; ending them with UNAVAILABLE",
            drainTimeout.toMillis());
        streams.closeAll();
        drainEnded = true;
        callPools.endOpenCalls(
            io.grpc.Status.UNAVAILABLE.withDescription(
                "server " + serverId + " is shutting down; use another replica"));
        if (!flightServer.awaitTermination(END_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
          // FlightServer.close() forces the rest: shutdownNow, cancelling the calls still open.
          flightServer.close();
        }
      }
      streams.closeAll();
      for (ExecutorService executor : new ExecutorService[] {streamExecutor, maintenance}) {
        executor.shutdown();
        if (!executor.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
          executor.shutdownNow();
        }
      }
      callPools.close();
      uploadGuard.close();
      cache.close();
      metrics.close();
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
      return new Location(
          new URI(
              uri.getScheme(),
              uri.getUserInfo(),
              uri.getHost(),
              port,
              uri.getPath(),
              uri.getQuery(),
              uri.getFragment()));
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

  /**
   * Listing, schema and action calls open at once; they are short, so this is only a flood guard.
   */
  private static final int MAX_CONTROL_CALLS = 256;

  private static final int MAX_HEALTH_CALLS = 64;

  /**
   * Builds a {@link DataServer}: holds each setting's one default and validates each setting as it
   * is set, so {@link #build()} sees a valid configuration. {@link #location} and {@link #dataDir}
   * are required. Not thread-safe; use it from one thread, then discard it.
   */
  public static final class Builder {
    /** How often to heartbeat and re-read the data dir when none is set. */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(2);

    /** The most rows of a DoGet batch when none is set. */
    public static final int DEFAULT_BATCH_ROWS = 65_536;

    /** DoGet streams served at once when none is set. */
    public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 64;

    /**
     * gRPC's own default is 4 MiB, too small for record batches; Flight's is 2 GiB, too large to
     * buffer.
     */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 256 << 20;

    /** The native memory all DoGet scans may hold when none is set. */
    public static final long DEFAULT_SCAN_MEMORY_BYTES = 1L << 30;

    /** How long a DoGet waits for scan memory when none is set. */
    public static final Duration DEFAULT_SCAN_QUEUE_TIMEOUT = Duration.ofSeconds(60);

    /** DoPut calls open at once when none is set. */
    public static final int DEFAULT_MAX_CONCURRENT_UPLOADS = 8;

    /** The share of its disk's free space at start that the hot cache may fill, when not set. */
    public static final int DEFAULT_CACHE_FREE_SPACE_PERCENT = 25;

    /** {@link #cacheBytes} not set: the default share of the free space. */
    private static final long CACHE_BYTES_FROM_FREE_SPACE = -1;

    /** How long close lets streams in progress run when none is set. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Long enough for a slow client between batches, short enough that a dead one frees its thread
     * soon.
     */
    public static final Duration DEFAULT_UPLOAD_IDLE_TIMEOUT = Duration.ofSeconds(30);

    private final BufferAllocator allocator;
    private final FlightTelemetry telemetry;
    private Location location;
    private Location advertisedLocation;
    private Path dataDir;
    private String serverId;
    private List<Location> coordinators = List.of();
    private HostResolver hostResolver = HostResolver.system();
    private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
    private RegistrationTimes registrationTimes;
    private int batchRows = DEFAULT_BATCH_ROWS;
    private int maxConcurrentStreams = DEFAULT_MAX_CONCURRENT_STREAMS;
    private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
    private long scanMemoryBytes = DEFAULT_SCAN_MEMORY_BYTES;
    private Duration scanQueueTimeout = DEFAULT_SCAN_QUEUE_TIMEOUT;
    private int maxConcurrentUploads = DEFAULT_MAX_CONCURRENT_UPLOADS;
    private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
    private Path cacheDir;
    private long cacheBytes = CACHE_BYTES_FROM_FREE_SPACE;
    private Duration uploadIdleTimeout = DEFAULT_UPLOAD_IDLE_TIMEOUT;
    private ServerAuth auth = ServerAuth.protectedMode("data server", "--token-verify-key FILE");
    private ClientCredentials nodeCredentials;
    private TlsSettings tls = TlsSettings.plaintext();

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
     * The location clients are told to use, in listings and at the coordinator. Defaults to the
     * bind location; a port of 0 means the port actually bound.
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
     * The coordinators to register with, each {@code grpc://HOST:PORT}; empty to run standalone
     * (the default). The server registers with every address of every HOST (a Kubernetes headless
     * Service names every coordinator pod), and resolves the names again every few heartbeat
     * intervals.
     */
    public Builder coordinators(List<Location> coordinators) {
      requireNonNull(coordinators, "coordinators is null");
      for (Location coordinator : coordinators) {
        requireNonNull(coordinator, "a coordinator is null");
        URI uri = coordinator.getUri();
        if (uri.getHost() == null
            || uri.getPort() <= 0
            || !List.of("grpc", "grpc+tcp", "grpc+tls").contains(uri.getScheme())) {
          throw new IllegalArgumentException(
              "a coordinator must be grpc://HOST:PORT, grpc+tcp://HOST:PORT or grpc+tls://HOST:PORT, not "
                  + uri);
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
        throw new IllegalArgumentException(
            "heartbeatInterval must be positive: " + heartbeatInterval);
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
        throw new IllegalArgumentException(
            "maxConcurrentStreams must be positive: " + maxConcurrentStreams);
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
    public Builder maxMessageBytes(long maxMessageBytes) {
      if (maxMessageBytes < 1024 || maxMessageBytes > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "maxMessageBytes must be 1 KiB..2 GiB: " + maxMessageBytes + " bytes");
      }
      this.maxMessageBytes = (int) maxMessageBytes;
      return this;
    }

    /**
     * The native memory all DoGet scans may hold at once; default 1 GiB. Each stream reserves what
     * its scan may hold (about its Parquet bytes, see docs/decisions.md D13) before it starts, and
     * waits while the budget is taken. At least 1 MiB.
     */
    public Builder scanMemoryBytes(long scanMemoryBytes) {
      if (scanMemoryBytes < (1L << 20)) {
        throw new IllegalArgumentException(
            "scanMemoryBytes must be at least 1 MiB: " + scanMemoryBytes);
      }
      this.scanMemoryBytes = scanMemoryBytes;
      return this;
    }

    /** How long a DoGet waits for scan memory before RESOURCE_EXHAUSTED; default 60 s. */
    public Builder scanQueueTimeout(Duration scanQueueTimeout) {
      requireNonNull(scanQueueTimeout, "scanQueueTimeout is null");
      if (scanQueueTimeout.isNegative()) {
        throw new IllegalArgumentException(
            "scanQueueTimeout must not be negative: " + scanQueueTimeout);
      }
      this.scanQueueTimeout = scanQueueTimeout;
      return this;
    }

    /**
     * The hot cache's folder: Arrow IPC copies of the Parquet files served here (decisions D86).
     * Default: a folder in the data dir's hidden staging area, which is never listed. Its {@code
     * *.arrow} and {@code *.tmp} files belong to the server, which deletes those it cannot use.
     */
    public Builder cacheDir(Path cacheDir) {
      this.cacheDir = requireNonNull(cacheDir, "cacheDir is null");
      return this;
    }

    /**
     * The most bytes the hot cache's copies may take; the least recently used leave first. 0 turns
     * the cache off. Default: 25% of the free space of the cache folder's disk at start.
     */
    public Builder cacheBytes(long cacheBytes) {
      if (cacheBytes < 0) {
        throw new IllegalArgumentException(
            "cacheBytes must not be negative (0 turns the cache off): " + cacheBytes);
      }
      this.cacheBytes = cacheBytes;
      return this;
    }

    /**
     * The most DoPut calls open at once; one more gets RESOURCE_EXHAUSTED at once. Each open upload
     * holds a thread of its own while it waits for the client's data. Default 8.
     */
    public Builder maxConcurrentUploads(int maxConcurrentUploads) {
      if (maxConcurrentUploads <= 0) {
        throw new IllegalArgumentException(
            "maxConcurrentUploads must be positive: " + maxConcurrentUploads);
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
     * How long an upload may send nothing while the server waits for its next message (the first
     * one included); then the server ends it with CANCELLED and stores nothing. Default 30 s.
     */
    public Builder uploadIdleTimeout(Duration uploadIdleTimeout) {
      requireNonNull(uploadIdleTimeout, "uploadIdleTimeout is null");
      if (uploadIdleTimeout.isNegative() || uploadIdleTimeout.isZero()) {
        throw new IllegalArgumentException(
            "uploadIdleTimeout must be positive: " + uploadIdleTimeout);
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
     * TLS: with a certificate the server serves TLS only, at a {@code grpc+tls} {@link #location}
     * and {@link #advertisedLocation}, and requires client certificates if the settings have a
     * client CA; its registration with {@code grpc+tls} coordinators trusts the settings' CA and
     * presents its certificate. Default plaintext.
     */
    public Builder tls(TlsSettings tls) {
      this.tls = requireNonNull(tls, "tls is null");
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
     * Builds the server and starts it: it serves when this returns.
     *
     * @throws IllegalArgumentException when a required setting ({@link #location}, {@link
     *     #dataDir}) is missing, or the location or advertised location is {@code grpc+tls} without
     *     a TLS certificate, or not {@code grpc+tls} with one
     * @throws IOException when the data dir cannot be opened or the port cannot be bound
     */
    public DataServer build() throws IOException {
      if (location == null) {
        throw new IllegalArgumentException("location is not set: where the server listens");
      }
      if (dataDir == null) {
        throw new IllegalArgumentException("dataDir is not set: the directory of Parquet datasets");
      }
      requireTlsScheme("location", location);
      requireTlsScheme("advertisedLocation", advertisedLocation);
      if (nodeCredentials != null && coordinators.isEmpty()) {
        throw new IllegalArgumentException(
            "node credentials (--node-user) are for registering with coordinators, and none is set (--coordinator)");
      }
      return new DataServer(this);
    }

    private void requireTlsScheme(String name, Location value) {
      if (value != null && tls.serving() != TlsSettings.isTls(value)) {
        throw new IllegalArgumentException(
            tls.serving()
                ? name + " " + value.getUri() + " is not grpc+tls but a TLS certificate is set"
                : name + " " + value.getUri() + " is grpc+tls but no TLS certificate is set");
      }
    }
  }
}
