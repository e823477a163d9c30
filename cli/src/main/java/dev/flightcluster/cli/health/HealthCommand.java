package dev.flightcluster.cli.health;

import dev.flightcluster.cli.DurationConverter;
import dev.flightcluster.cli.LocationConverter;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.Location;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code flight-cluster health --target grpc://HOST:PORT}: one grpc.health.v1 Check, exit 0 when
 * the answer is SERVING and 1 otherwise. No tracing: probes run every few seconds and would flood
 * the trace backend.
 */
@Command(
    name = "health",
    description = {
      "Asks a coordinator or data server for its gRPC health (grpc.health.v1.Health/Check).",
      "Exits 0 when it answers SERVING, 1 otherwise."
    },
    mixinStandardHelpOptions = true,
    showDefaultValues = true)
public final class HealthCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--target",
      required = true,
      converter = LocationConverter.class,
      paramLabel = "URI",
      description = "The server to ask, e.g. grpc://127.0.0.1:8888.")
  Location target;

  @Option(
      names = "--service",
      defaultValue = "",
      paramLabel = "NAME",
      description = {
        "The gRPC service to ask about; empty for the server as a whole.",
        "Data servers and the coordinator also report " + ServingHealth.FLIGHT_SERVICE + "."
      })
  String service;

  @Option(
      names = "--timeout",
      defaultValue = "5s",
      converter = DurationConverter.class,
      paramLabel = "DURATION",
      description = "How long to wait for the answer.")
  Duration timeout;

  @Override
  public Integer call() throws InterruptedException {
    ServingStatus status = check(target, service, timeout);
    PrintWriter out = spec.commandLine().getOut();
    out.println(status);
    out.flush();
    return status == ServingStatus.SERVING ? 0 : 1;
  }

  /**
   * Asks {@code target} for the health of {@code service}.
   *
   * @throws StatusRuntimeException when the call fails, e.g. UNAVAILABLE when nothing listens
   */
  public static ServingStatus check(Location target, String service, Duration timeout)
      throws InterruptedException {
    URI uri = target.getUri();
    NettyChannelBuilder builder = NettyChannelBuilder.forAddress(uri.getHost(), uri.getPort());
    if ("grpc+tls".equals(uri.getScheme())) {
      builder.useTransportSecurity();
    } else {
      builder.usePlaintext();
    }
    ManagedChannel channel = builder.build();
    try {
      HealthCheckResponse response =
          HealthGrpc.newBlockingStub(channel)
              .withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS)
              .check(HealthCheckRequest.newBuilder().setService(service).build());
      return response.getStatus();
    } finally {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
