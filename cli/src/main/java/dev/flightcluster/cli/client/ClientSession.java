package dev.flightcluster.cli.client;

import dev.flightcluster.cli.telemetry.Telemetry;
import dev.flightcluster.client.FlightClusterClient;
import dev.flightcluster.client.FlightClusterClientBuilder;
import dev.flightcluster.otel.FlightTelemetry;
import io.opentelemetry.api.trace.Tracer;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * What one client command runs with: the OpenTelemetry SDK (service {@code client}), an allocator
 * and a {@link FlightClusterClient}. Closing it closes the client, then the allocator, then flushes
 * and stops the SDK, so the spans of the command are exported before the process exits.
 */
public final class ClientSession implements AutoCloseable {
  private final Telemetry telemetry;
  private final BufferAllocator allocator;
  private final FlightTelemetry flightTelemetry;
  private final FlightClusterClient client;

  private ClientSession(
      Telemetry telemetry,
      BufferAllocator allocator,
      FlightTelemetry flightTelemetry,
      FlightClusterClient client) {
    this.telemetry = telemetry;
    this.allocator = allocator;
    this.flightTelemetry = flightTelemetry;
    this.client = client;
  }

  /** Starts the SDK and a client of the coordinator, with the client's defaults. */
  public static ClientSession open(Location coordinator) {
    return open(coordinator, Map.of());
  }

  /**
   * Starts the SDK and a client of the coordinator, with the client's defaults.
   *
   * @param telemetryOverrides SDK properties that win over the environment (see {@link
   *     Telemetry#start(String, Map)})
   */
  public static ClientSession open(Location coordinator, Map<String, String> telemetryOverrides) {
    return open(List.of(coordinator), builder -> {}, telemetryOverrides);
  }

  /** Like {@link #open(Location, Map)}, letting {@code configure} set options on the builder. */
  public static ClientSession open(
      Location coordinator,
      Consumer<FlightClusterClientBuilder> configure,
      Map<String, String> telemetryOverrides) {
    return open(List.of(coordinator), configure, telemetryOverrides);
  }

  /**
   * Starts the SDK and a client of the coordinators.
   *
   * @param configure sets options on the client's builder
   */
  public static ClientSession open(
      List<Location> coordinators, Consumer<FlightClusterClientBuilder> configure) {
    return open(coordinators, configure, Map.of());
  }

  /**
   * Starts the SDK and a client of the coordinators.
   *
   * @param configure sets options on the client's builder
   * @param telemetryOverrides SDK properties that win over the environment (see {@link
   *     Telemetry#start(String, Map)})
   */
  public static ClientSession open(
      List<Location> coordinators,
      Consumer<FlightClusterClientBuilder> configure,
      Map<String, String> telemetryOverrides) {
    Telemetry telemetry = Telemetry.start("client", telemetryOverrides);
    BufferAllocator allocator = new RootAllocator();
    try {
      FlightTelemetry flightTelemetry = FlightTelemetry.create(telemetry.openTelemetry());
      FlightClusterClientBuilder builder =
          FlightClusterClient.builder(allocator, flightTelemetry, coordinators);
      configure.accept(builder);
      FlightClusterClient client = builder.build();
      return new ClientSession(telemetry, allocator, flightTelemetry, client);
    } catch (RuntimeException | Error e) {
      allocator.close();
      telemetry.close();
      throw e;
    }
  }

  public FlightClusterClient client() {
    return client;
  }

  public BufferAllocator allocator() {
    return allocator;
  }

  public Tracer tracer() {
    return flightTelemetry.tracer();
  }

  public Telemetry telemetry() {
    return telemetry;
  }

  @Override
  public void close() throws Exception {
    try (telemetry;
        allocator) {
      client.close();
    }
  }
}
