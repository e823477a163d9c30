package dev.flightcluster.client;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.otel.FlightTelemetry;
import java.time.Duration;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;

/** Builds a {@link FlightClusterClient}; see {@link FlightClusterClient#builder}. */
public final class FlightClusterClientBuilder {
  /** Default deadline of a metadata call. */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);

  private final BufferAllocator allocator;
  private final FlightTelemetry telemetry;
  private final Location coordinator;
  private Duration callTimeout = DEFAULT_CALL_TIMEOUT;

  FlightClusterClientBuilder(
      BufferAllocator allocator, FlightTelemetry telemetry, Location coordinator) {
    this.allocator = requireNonNull(allocator, "allocator is null");
    this.telemetry = requireNonNull(telemetry, "telemetry is null");
    this.coordinator = requireNonNull(coordinator, "coordinator is null");
  }

  /**
   * The deadline of each metadata call: list, info, schema and the choose_server of a put. DoGet and
   * DoPut streams have no deadline, as a large dataset may rightly take long; cancel a read from its
   * {@link BatchConsumer} instead. Default {@link #DEFAULT_CALL_TIMEOUT}.
   *
   * @throws IllegalArgumentException unless positive
   */
  public FlightClusterClientBuilder callTimeout(Duration callTimeout) {
    requireNonNull(callTimeout, "callTimeout is null");
    if (callTimeout.isNegative() || callTimeout.isZero()) {
      throw new IllegalArgumentException("callTimeout must be positive: " + callTimeout);
    }
    this.callTimeout = callTimeout;
    return this;
  }

  /** A new client. Opening it makes no call yet: connections are made on first use. */
  public FlightClusterClient build() {
    return new FlightClusterClient(allocator, telemetry, coordinator, callTimeout);
  }
}
