package dev.flightcluster.cli.server;

import dev.flightcluster.auth.ClientCredentials;
import dev.flightcluster.auth.ServerAuth;
import dev.flightcluster.cli.DataSizeConverter;
import dev.flightcluster.cli.DurationConverter;
import dev.flightcluster.cli.UntilStopped;
import dev.flightcluster.cli.auth.ServerAuthOptions;
import dev.flightcluster.cli.health.ServingHealth;
import dev.flightcluster.cli.telemetry.Telemetry;
import dev.flightcluster.cli.tls.TlsOptions;
import dev.flightcluster.protocol.Locations;
import dev.flightcluster.security.TlsSettings;
import dev.flightcluster.server.DataServer;
import dev.flightcluster.server.store.DatasetStore;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code flight-cluster server}: serves a folder of Parquet datasets until SIGTERM or Ctrl-C. */
@Command(
    name = "server",
    description = {
      "Runs a data server: serves the Parquet datasets of a folder over Arrow Flight and registers"
          + " them with every coordinator.",
      "Runs until SIGTERM or Ctrl-C, then says goodbye to the coordinators. Also serves"
          + " grpc.health.v1.Health on its port."
    },
    mixinStandardHelpOptions = true,
    showDefaultValues = true)
public final class ServerCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ServerCommand.class);

  /** The --coordinator value for a server without a coordinator. */
  static final String STANDALONE = "none";

  @Spec CommandSpec spec;

  @Option(
      names = "--host",
      defaultValue = "${env:FLIGHT_HOST:-0.0.0.0}",
      paramLabel = "HOST",
      description = "Address to bind (env FLIGHT_HOST).")
  String host;

  @Option(
      names = "--port",
      defaultValue = "${env:FLIGHT_PORT:-8889}",
      paramLabel = "PORT",
      description = "Port to listen on; 0 picks a free port (env FLIGHT_PORT).")
  int port;

  @Option(
      names = "--data-dir",
      defaultValue = "${env:FLIGHT_DATASET_DIR:-./flight_datasets}",
      paramLabel = "DIR",
      description =
          "The folder of Parquet datasets to serve; created if missing (env FLIGHT_DATASET_DIR).")
  Path dataDir;

  @Option(
      names = "--coordinator",
      defaultValue = "${env:FLIGHT_COORDINATOR:-grpc://localhost:8888}",
      paramLabel = "URI[,URI...]",
      description = {
        "The coordinators to register with, grpc://HOST:PORT separated by commas, or '"
            + STANDALONE
            + "' to run alone (env FLIGHT_COORDINATOR).",
        "A HOST with several addresses (a Kubernetes headless Service, a scaled compose service) stands for one"
            + " coordinator per address; names are resolved again every 5 heartbeat intervals."
      })
  String coordinator;

  @Option(
      names = "--advertise",
      defaultValue = "${env:FLIGHT_ADVERTISE:-}",
      showDefaultValue = Visibility.NEVER,
      paramLabel = "URI",
      description = {
        "The location clients are sent to, grpc://HOST:PORT (env FLIGHT_ADVERTISE).",
        "Default: the bind host if specific, else this machine's first non-loopback address."
      })
  String advertise;

  @Option(
      names = "--server-id",
      defaultValue = "${env:FLIGHT_SERVER_ID:-}",
      showDefaultValue = Visibility.NEVER,
      paramLabel = "ID",
      description = {
        "This server's id in the cluster (env FLIGHT_SERVER_ID).",
        "Default: <hostname>-<port>."
      })
  String serverId;

  @Option(
      names = "--heartbeat-interval",
      defaultValue = "${env:FLIGHT_HEARTBEAT_INTERVAL:-2s}",
      converter = DurationConverter.class,
      paramLabel = "DURATION",
      description =
          "How often to renew the lease at the coordinator (env FLIGHT_HEARTBEAT_INTERVAL).")
  Duration heartbeatInterval;

  @Option(
      names = "--batch-rows",
      defaultValue = "${env:FLIGHT_BATCH_ROWS:-65536}",
      paramLabel = "ROWS",
      description = "Rows per record batch streamed to clients (env FLIGHT_BATCH_ROWS).")
  int batchRows;

  @Option(
      names = "--scan-memory",
      defaultValue = "${env:FLIGHT_SCAN_MEMORY:-1GiB}",
      converter = DataSizeConverter.class,
      paramLabel = "SIZE",
      description =
          "Native memory all DoGet scans may hold at once; a stream waits for its share, about its"
              + " Parquet bytes (env FLIGHT_SCAN_MEMORY).")
  long scanMemory;

  @Option(
      names = "--scan-queue-timeout",
      defaultValue = "${env:FLIGHT_SCAN_QUEUE_TIMEOUT:-60s}",
      converter = DurationConverter.class,
      paramLabel = "DURATION",
      description =
          "How long a DoGet waits for scan memory before RESOURCE_EXHAUSTED"
              + " (env FLIGHT_SCAN_QUEUE_TIMEOUT).")
  Duration scanQueueTimeout;

  @Option(
      names = "--cache-dir",
      defaultValue = "${env:FLIGHT_CACHE_DIR}",
      paramLabel = "DIR",
      description = {
        "The hot cache's folder: Arrow IPC copies of the Parquet files served here, read instead of"
            + " them (env FLIGHT_CACHE_DIR).",
        "Default: DATA_DIR/" + DatasetStore.STAGING_DIR + "/cache, never listed as data."
      })
  Path cacheDir;

  @Option(
      names = "--cache-size",
      defaultValue = "${env:FLIGHT_CACHE_SIZE}",
      converter = DataSizeConverter.OrZero.class,
      paramLabel = "SIZE",
      description = {
        "The most disk the hot cache may fill, e.g. 10GB or 512MiB; the least recently used copies"
            + " leave first; 0 turns the cache off (env FLIGHT_CACHE_SIZE).",
        "Default: "
            + DataServer.Builder.DEFAULT_CACHE_FREE_SPACE_PERCENT
            + "% of the free space of the cache folder's disk at start."
      })
  Long cacheSize;

  @Option(
      names = "--max-message-size",
      defaultValue = "${env:FLIGHT_MAX_MESSAGE_SIZE:-256MiB}",
      converter = DataSizeConverter.class,
      paramLabel = "SIZE",
      description =
          "Largest record batch a client may upload; a larger one fails the DoPut with RESOURCE_EXHAUSTED"
              + " (env FLIGHT_MAX_MESSAGE_SIZE).")
  long maxMessageSize;

  @Option(
      names = "--drain-timeout",
      defaultValue = "${env:FLIGHT_DRAIN_TIMEOUT:-10s}",
      converter = DurationConverter.class,
      paramLabel = "DURATION",
      description =
          "How long SIGTERM lets streams in progress run; the rest end UNAVAILABLE, so clients fail over"
              + " (env FLIGHT_DRAIN_TIMEOUT).")
  Duration drainTimeout;

  @Option(
      names = "--upload-idle-timeout",
      defaultValue = "${env:FLIGHT_UPLOAD_IDLE_TIMEOUT:-30s}",
      converter = DurationConverter.class,
      paramLabel = "DURATION",
      description =
          "How long an upload may send nothing (its first message included) before the server ends it"
              + " with CANCELLED and stores nothing (env FLIGHT_UPLOAD_IDLE_TIMEOUT).")
  Duration uploadIdleTimeout;

  @Mixin ServerAuthOptions auth;
  @Mixin TlsOptions tlsOptions;

  @Override
  public Integer call() throws Exception {
    if (port < 0 || port > 65_535) {
      throw new ParameterException(
          spec.commandLine(), "--port must be 0..65535 (0: any free port), not " + port);
    }
    if (Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
      throw new ParameterException(
          spec.commandLine(), "--data-dir " + dataDir + " is not a directory");
    }
    TlsSettings tls = tlsOptions.settings(spec);
    List<Location> coordinators = coordinators(coordinator);
    ServerAuth serverAuth = auth.serverAuth();
    ClientCredentials nodeCredentials = auth.nodeCredentials();
    if (nodeCredentials != null && coordinators.isEmpty()) {
      throw new ParameterException(
          spec.commandLine(), "--node-user logs in at coordinators: give --coordinator too");
    }
    Location advertised;
    try {
      advertised =
          ServerAddresses.advertised(host, port, advertise, ServerAddresses.machineAddresses());
      if (advertise == null || advertise.isBlank()) {
        advertised = tls.location(advertised);
      }
    } catch (FlightRuntimeException e) {
      throw new ParameterException(spec.commandLine(), "--advertise: " + e.status().description());
    }
    // With --port 0 the default id and an advertised port of 0 are settled by the server once it
    // has bound: the port it got.
    String id =
        serverId == null || serverId.isBlank()
            ? (port == 0 ? null : ServerAddresses.defaultServerId(port, System.getenv("HOSTNAME")))
            : serverId.strip();

    UntilStopped resources = new UntilStopped();
    try {
      Telemetry telemetry = resources.register(Telemetry.start("server"));
      BufferAllocator allocator = resources.register(new RootAllocator());
      ServingHealth health = new ServingHealth();
      DataServer.Builder builder =
          DataServer.builder(allocator, health.flightTelemetry(telemetry.openTelemetry()))
              .location(tls.location(ServerAddresses.location(host, port)))
              .tls(tls)
              .advertisedLocation(advertised)
              .dataDir(dataDir)
              .serverId(id)
              .coordinators(coordinators);
      // The builder validates every setting and holds its rules: its refusals are usage errors.
      setting("--heartbeat-interval", () -> builder.heartbeatInterval(heartbeatInterval));
      setting("--batch-rows", () -> builder.batchRows(batchRows));
      setting("--scan-memory", () -> builder.scanMemoryBytes(scanMemory));
      setting("--scan-queue-timeout", () -> builder.scanQueueTimeout(scanQueueTimeout));
      setting("--max-message-size", () -> builder.maxMessageBytes(maxMessageSize));
      if (cacheDir != null) {
        builder.cacheDir(cacheDir);
      }
      if (cacheSize != null) {
        setting("--cache-size", () -> builder.cacheBytes(cacheSize));
      }
      setting("--drain-timeout", () -> builder.drainTimeout(drainTimeout));
      setting("--upload-idle-timeout", () -> builder.uploadIdleTimeout(uploadIdleTimeout));
      builder.auth(serverAuth).nodeCredentials(nodeCredentials);
      DataServer server = resources.register(builder.build());
      resources.register(health);
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "server %s serving %s on port %d, advertised as %s, coordinators %s%n",
          server.serverId(),
          dataDir.toAbsolutePath().normalize(),
          server.port(),
          server.advertisedLocation().getUri(),
          coordinators.isEmpty()
              ? "none (standalone)"
              : coordinators.stream()
                  .map(location -> location.getUri().toString())
                  .collect(Collectors.joining(",")));
      out.flush();
      log.info("server {} started", server.serverId());
    } catch (Exception | Error e) {
      resources.closeAll();
      throw e;
    }
    resources.await();
    return 0;
  }

  /** The --coordinator list; empty for {@value #STANDALONE}. */
  private List<Location> coordinators(String value) {
    if (value == null || value.isBlank() || value.strip().equals(STANDALONE)) {
      return List.of();
    }
    List<Location> locations = new ArrayList<>();
    for (String item : value.split(",", -1)) {
      String uri = item.strip();
      if (uri.isEmpty()) {
        throw new ParameterException(
            spec.commandLine(),
            "--coordinator: empty entry in '" + value + "'; separate URIs by single commas");
      }
      if (uri.equals(STANDALONE)) {
        throw new ParameterException(
            spec.commandLine(),
            "--coordinator: '" + STANDALONE + "' cannot be combined with coordinators");
      }
      try {
        locations.add(Locations.parse(uri));
      } catch (FlightRuntimeException e) {
        throw new ParameterException(
            spec.commandLine(), "--coordinator: " + e.status().description());
      }
    }
    return List.copyOf(locations);
  }

  /**
   * Applies one setting to the server's builder; a value it refuses is the option's usage error.
   */
  private void setting(String option, Runnable apply) {
    try {
      apply.run();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), option + ": " + e.getMessage());
    }
  }
}
