package dev.flightcluster.cli.health;

import dev.flightcluster.cli.DurationConverter;
import dev.flightcluster.cli.LocationConverter;
import dev.flightcluster.cli.tls.ClientTlsOptions;
import dev.flightcluster.security.TlsFailures;
import dev.flightcluster.security.TlsSettings;
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
import picocli.CommandLine.Mixin;
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
      description = "The server to ask, e.g. grpc://127.0.0.1:8888 or grpc+tls://HOST:8888.")
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

  @Mixin ClientTlsOptions tlsOptions;

  @Override
  public Integer call() throws InterruptedException {
    ServingStatus status = check(target, service, timeout, tlsOptions.settings(spec));
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
    return check(target, service, timeout, TlsSettings.plaintext());
  }

  /**
   * Asks {@code target} for the health of {@code service}, over TLS with {@code tls} when the
   * target is {@code grpc+tls}.
   *
   * @throws StatusRuntimeException when the call fails, e.g. UNAVAILABLE when nothing listens, or
   *     the TLS handshake fails (then the description says what to do)
   */
  public static ServingStatus check(
      Location target, String service, Duration timeout, TlsSettings tls)
      throws InterruptedException {
    URI uri = target.getUri();
    NettyChannelBuilder builder = NettyChannelBuilder.forAddress(uri.getHost(), uri.getPort());
    if (TlsSettings.isTls(target)) {
      tls.configureClient(builder, target);
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
    } catch (StatusRuntimeException e) {
      throw TlsFailures.explain(e, target)
          .map(
              hint ->
                  e.getStatus()
                      .withDescription(e.getStatus().getDescription() + "; " + hint)
                      .withCause(e.getCause())
                      .asRuntimeException())
          .orElse(e);
    } finally {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
