package dev.flightcluster.cli.coordinator;

import dev.flightcluster.auth.ServerAuth;
import dev.flightcluster.cli.DataSizeConverter;
import dev.flightcluster.cli.DurationConverter;
import dev.flightcluster.cli.UntilStopped;
import dev.flightcluster.cli.auth.CoordinatorAuthOptions;
import dev.flightcluster.cli.health.ServingHealth;
import dev.flightcluster.cli.server.ServerAddresses;
import dev.flightcluster.cli.telemetry.Telemetry;
import dev.flightcluster.cli.tls.TlsOptions;
import dev.flightcluster.coordinator.Coordinator;
import dev.flightcluster.coordinator.CoordinatorBuilder;
import dev.flightcluster.security.TlsSettings;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.Callable;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code flight-cluster coordinator}: runs the coordinator until SIGTERM or Ctrl-C. */
@Command(
    name = "coordinator",
    description = {
      "Runs the coordinator: data servers register with it, clients ask it where datasets are.",
      "Runs until SIGTERM or Ctrl-C. Also serves grpc.health.v1.Health on its port: NOT_SERVING",
      "until warm (one lease after start, or once every data server it heard from is listed).",
      "Serves its status page over HTTP on --http-port: /, /api/cluster, /healthz and /readyz."
    },
    mixinStandardHelpOptions = true,
    showDefaultValues = true)
public final class CoordinatorCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(CoordinatorCommand.class);

  @Spec CommandSpec spec;

  @Option(
      names = "--host",
      defaultValue = "${env:FLIGHT_HOST:-0.0.0.0}",
      paramLabel = "HOST",
      description = "Address to bind (env FLIGHT_HOST).")
  String host;

  @Option(
      names = "--port",
      defaultValue = "${env:FLIGHT_PORT:-8888}",
      paramLabel = "PORT",
      description = "Port to listen on; 0 picks a free one (env FLIGHT_PORT).")
  int port;

  @Option(
      names = "--lease",
      defaultValue = "${env:FLIGHT_LEASE:-10s}",
      converter = DurationConverter.class,
      paramLabel = "DURATION",
      description = "How long a data server stays listed without a heartbeat (env FLIGHT_LEASE).")
  Duration lease;

  @Option(
      names = "--heartbeat-interval",
      defaultValue = "${env:FLIGHT_HEARTBEAT_INTERVAL:-2s}",
      converter = DurationConverter.class,
      paramLabel = "DURATION",
      description =
          "The heartbeat interval the coordinator asks data servers for; less than --lease"
              + " (env FLIGHT_HEARTBEAT_INTERVAL).")
  Duration heartbeatInterval;

  @Option(
      names = "--drain-timeout",
      defaultValue = "${env:FLIGHT_DRAIN_TIMEOUT:-10s}",
      converter = DurationConverter.class,
      paramLabel = "DURATION",
      description =
          "How long SIGTERM lets calls in progress run before ending them (env FLIGHT_DRAIN_TIMEOUT).")
  Duration drainTimeout;

  @Mixin CoordinatorAuthOptions auth;
  @Mixin TlsOptions tlsOptions;

  @Option(
      names = "--endpoint-group-size",
      converter = DataSizeConverter.class,
      paramLabel = "SIZE",
      description =
          "How much Parquet one endpoint of a folder dataset carries at least: files held by the same"
              + " servers are grouped up to it, and clients read endpoints in parallel (default 128MiB).")
  Long endpointGroupSize;

  @Mixin HttpOptions http;

  @Override
  public Integer call() throws Exception {
    if (port < 0 || port > 65_535) {
      throw new ParameterException(spec.commandLine(), "--port must be 0..65535, not " + port);
    }
    if (http.port < 0 || http.port > 65_535) {
      throw new ParameterException(
          spec.commandLine(), "--http-port must be 0..65535, not " + http.port);
    }
    if (heartbeatInterval.compareTo(lease) >= 0) {
      throw new ParameterException(
          spec.commandLine(),
          "--heartbeat-interval ("
              + DurationConverter.format(heartbeatInterval)
              + ") must be shorter than --lease ("
              + DurationConverter.format(lease)
              + "), or servers would expire between heartbeats");
    }
    ServerAuth serverAuth = auth.serverAuth();
    TlsSettings tls = tlsOptions.settings(spec);
    UntilStopped resources = new UntilStopped();
    try {
      Telemetry telemetry = resources.register(Telemetry.start("coordinator"));
      BufferAllocator allocator = resources.register(new RootAllocator());
      ServingHealth health = new ServingHealth();
      // Not ready until warm (decisions D25): a fresh coordinator would serve a partial catalog.
      health.manager().setStatus("", ServingStatus.NOT_SERVING);
      CoordinatorBuilder builder =
          http.applyTo(
                  Coordinator.builder(allocator, health.flightTelemetry(telemetry.openTelemetry())))
              .location(tls.location(ServerAddresses.location(host, port)))
              .tls(tls)
              .lease(lease)
              .heartbeatInterval(heartbeatInterval)
              .clock(InstantSource.system())
              .whenWarm(() -> health.manager().setStatus("", ServingStatus.SERVING))
              .drainTimeout(drainTimeout)
              .auth(serverAuth);
      if (endpointGroupSize != null) {
        try {
          builder.endpointGroupBytes(endpointGroupSize);
        } catch (IllegalArgumentException e) {
          throw new ParameterException(
              spec.commandLine(), "--endpoint-group-size: " + e.getMessage());
        }
      }
      Coordinator coordinator = resources.register(builder.build().start());
      // Closed first on stop: probes see NOT_SERVING while the coordinator drains.
      resources.register(health);
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "coordinator listening on %s (lease %s, heartbeat interval %s)%n",
          coordinator.location().getUri(),
          DurationConverter.format(lease),
          DurationConverter.format(heartbeatInterval));
      coordinator.statusPage().ifPresent(page -> out.printf("status page at %s%n", page));
      out.flush();
      log.info("coordinator started on port {}", coordinator.port());
    } catch (Exception | Error e) {
      resources.closeAll();
      throw e;
    }
    resources.await();
    return 0;
  }
}
