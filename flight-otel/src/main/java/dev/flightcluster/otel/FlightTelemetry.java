package dev.flightcluster.otel;

import static java.util.Objects.requireNonNull;

import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.ServerInterceptor;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.instrumentation.grpc.v1_6.GrpcTelemetry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightGrpcUtils;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.grpc.NettyClientBuilder;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Traces Arrow Flight servers and clients with OpenTelemetry. Immutable and thread-safe; build one
 * per {@link OpenTelemetry} instance with {@link #create} or {@link #builder}.
 *
 * <pre>{@code
 * FlightTelemetry telemetry = FlightTelemetry.create(openTelemetry);
 * FlightServer server = telemetry.instrument(FlightServer.builder(allocator, location, producer)).build();
 * try (TracedFlightClient client = telemetry.connect(allocator, location)) {
 *   client.flightClient().listFlights(Criteria.ALL);
 * }
 * }</pre>
 */
public final class FlightTelemetry {
  /** The instrumentation scope name of the spans this library starts. */
  public static final String INSTRUMENTATION_NAME = "dev.flightcluster.flight-otel";

  /** Flight's transport hint that hands us the underlying Netty server builder. */
  private static final String GRPC_BUILDER_CONSUMER = "grpc.builderConsumer";

  /**
   * How often a client may send keepalive pings while it has calls open. gRPC servers allow one
   * every 5 minutes by default and close the connection (every call on it) after three that come
   * sooner; our clients ping after 10 s of silence to notice a stopped peer, so every server built
   * here allows that, with room for jitter.
   */
  public static final Duration PERMIT_KEEPALIVE_TIME = Duration.ofSeconds(5);

  private final OpenTelemetry openTelemetry;
  private final Tracer tracer;
  private final ServerInterceptor serverInterceptor;
  private final ClientInterceptor clientInterceptor;
  private final Consumer<NettyServerBuilder> serverCustomizer;

  FlightTelemetry(
      OpenTelemetry openTelemetry,
      GrpcTelemetry grpcTelemetry,
      Consumer<NettyServerBuilder> serverCustomizer) {
    this.openTelemetry = openTelemetry;
    this.tracer = openTelemetry.getTracer(INSTRUMENTATION_NAME);
    this.serverInterceptor = grpcTelemetry.createServerInterceptor();
    this.clientInterceptor = grpcTelemetry.createClientInterceptor();
    this.serverCustomizer = serverCustomizer;
  }

  /** Telemetry with the defaults: no per-message span events. */
  public static FlightTelemetry create(OpenTelemetry openTelemetry) {
    return builder(openTelemetry).build();
  }

  /** A builder for telemetry that differs from the defaults. */
  public static FlightTelemetryBuilder builder(OpenTelemetry openTelemetry) {
    return new FlightTelemetryBuilder(requireNonNull(openTelemetry, "openTelemetry is null"));
  }

  /** The OpenTelemetry instance spans are recorded with. */
  public OpenTelemetry openTelemetry() {
    return openTelemetry;
  }

  /** The tracer for application spans around Flight calls. */
  public Tracer tracer() {
    return tracer;
  }

  /** The gRPC server interceptor, for servers not built through {@link #instrument}. */
  public ServerInterceptor serverInterceptor() {
    return serverInterceptor;
  }

  /** The gRPC client interceptor, for channels not built through {@link #connect}. */
  public ClientInterceptor clientInterceptor() {
    return clientInterceptor;
  }

  /**
   * Installs the tracing interceptor (and any server customizer of the builder) on a Flight server
   * builder. Call it at most once per builder: the transport hint it sets replaces any earlier one.
   *
   * @return {@code builder}, for chaining
   */
  public FlightServer.Builder instrument(FlightServer.Builder builder) {
    return instrument(builder, netty -> {});
  }

  /**
   * Like {@link #instrument(FlightServer.Builder)}, and then lets {@code customizer} configure the
   * Netty server builder too (executors, further interceptors, which then run before tracing's).
   *
   * @return {@code builder}, for chaining
   */
  public FlightServer.Builder instrument(
      FlightServer.Builder builder, Consumer<NettyServerBuilder> customizer) {
    requireNonNull(builder, "builder is null");
    requireNonNull(customizer, "customizer is null");
    Consumer<NettyServerBuilder> consumer =
        netty -> {
          netty.intercept(serverInterceptor);
          netty.permitKeepAliveTime(PERMIT_KEEPALIVE_TIME.toNanos(), TimeUnit.NANOSECONDS);
          serverCustomizer.accept(netty);
          customizer.accept(netty);
        };
    return builder.transportHint(GRPC_BUILDER_CONSUMER, consumer);
  }

  /**
   * Opens a traced Flight client to {@code location}, configured as {@link FlightClient#builder}
   * would configure it, with the tracing interceptor on its channel.
   *
   * @param allocator the allocator for the client's streams; the caller keeps ownership and must
   *     close it after the returned client
   * @return a client that owns its channel and shuts it down on close
   */
  public TracedFlightClient connect(BufferAllocator allocator, Location location) {
    return connect(allocator, location, channel -> {});
  }

  /**
   * Like {@link #connect(BufferAllocator, Location)}, letting {@code channelCustomizer} set
   * transport options (keepalive, connect timeout, ...) on the channel builder first.
   */
  public TracedFlightClient connect(
      BufferAllocator allocator,
      Location location,
      Consumer<NettyChannelBuilder> channelCustomizer) {
    requireNonNull(allocator, "allocator is null");
    requireNonNull(location, "location is null");
    requireNonNull(channelCustomizer, "channelCustomizer is null");
    NettyChannelBuilder builder = new NettyClientBuilder(allocator, location).build();
    channelCustomizer.accept(builder);
    ManagedChannel channel = builder.intercept(clientInterceptor).build();
    // A shared channel: the TracedFlightClient owns it and shuts it down once, after the client.
    return new TracedFlightClient(
        location, channel, FlightGrpcUtils.createFlightClientWithSharedChannel(allocator, channel));
  }
}
