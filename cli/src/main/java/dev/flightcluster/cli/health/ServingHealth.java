package dev.flightcluster.cli.health;

import dev.flightcluster.otel.FlightTelemetry;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.opentelemetry.api.OpenTelemetry;

/**
 * The standard gRPC health service (grpc.health.v1.Health) of one Flight server process, so
 * Kubernetes {@code grpc:} probes and {@code flight-cluster health} can ask it. It is registered on
 * the Flight server's port through {@link FlightTelemetry}'s server customizer, the only hook into
 * the Netty server builder that Flight offers.
 *
 * <p>The overall status ({@code ""}) is SERVING from the start, since the server only accepts calls
 * once it is started; {@link #close()} moves every service to NOT_SERVING for good, so probes fail
 * while the server drains.
 */
public final class ServingHealth implements AutoCloseable {
  /** The service name Flight clients call, reported alongside the overall status. */
  public static final String FLIGHT_SERVICE = "arrow.flight.protocol.FlightService";

  private final HealthStatusManager manager = new HealthStatusManager();

  public ServingHealth() {
    manager.setStatus(FLIGHT_SERVICE, ServingStatus.SERVING);
  }

  /** Flight telemetry whose instrumented servers also serve this health service. */
  public FlightTelemetry flightTelemetry(OpenTelemetry openTelemetry) {
    return FlightTelemetry.builder(openTelemetry)
        .setServerCustomizer(netty -> netty.addService(manager.getHealthService()))
        .build();
  }

  /** The underlying manager, for statuses beyond serving and stopped. */
  public HealthStatusManager manager() {
    return manager;
  }

  /** Reports NOT_SERVING from now on. */
  @Override
  public void close() {
    manager.enterTerminalState();
  }
}
