package dev.flightcluster.otel;

import static java.util.Objects.requireNonNull;

import io.grpc.netty.NettyServerBuilder;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.instrumentation.grpc.v1_6.GrpcTelemetry;
import java.util.function.Consumer;

/** Builds an immutable {@link FlightTelemetry}. */
public final class FlightTelemetryBuilder {
  private final OpenTelemetry openTelemetry;
  private boolean emitMessageEvents;
  private Consumer<NettyServerBuilder> serverCustomizer = netty -> {};

  FlightTelemetryBuilder(OpenTelemetry openTelemetry) {
    this.openTelemetry = openTelemetry;
  }

  /**
   * Whether gRPC spans get one event per message. Off by default: a DoGet of a million rows would
   * otherwise carry thousands of events and swamp the trace backend.
   */
  public FlightTelemetryBuilder setEmitMessageEvents(boolean emitMessageEvents) {
    this.emitMessageEvents = emitMessageEvents;
    return this;
  }

  /**
   * Further configuration of the Netty server builder of every server {@link
   * FlightTelemetry#instrument} instruments, such as extra gRPC services. Flight offers one hook
   * into that builder, and instrumenting takes it, so anything else must come through here.
   */
  public FlightTelemetryBuilder setServerCustomizer(Consumer<NettyServerBuilder> serverCustomizer) {
    this.serverCustomizer = requireNonNull(serverCustomizer, "serverCustomizer is null");
    return this;
  }

  public FlightTelemetry build() {
    GrpcTelemetry grpc =
        GrpcTelemetry.builder(openTelemetry).setEmitMessageEvents(emitMessageEvents).build();
    return new FlightTelemetry(openTelemetry, grpc, serverCustomizer);
  }
}
