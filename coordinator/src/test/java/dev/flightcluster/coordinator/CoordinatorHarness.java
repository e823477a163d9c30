package dev.flightcluster.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.flightcluster.otel.TracedFlightClient;
import dev.flightcluster.protocol.ChooseServer;
import dev.flightcluster.protocol.ClusterActions;
import dev.flightcluster.protocol.Goodbye;
import dev.flightcluster.protocol.Heartbeat;
import dev.flightcluster.protocol.HeartbeatReply;
import dev.flightcluster.protocol.Hello;
import dev.flightcluster.protocol.HelloReply;
import dev.flightcluster.protocol.Messages;
import dev.flightcluster.protocol.ServerChoice;
import dev.flightcluster.testing.FakeClock;
import dev.flightcluster.testing.InMemoryTelemetry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.StreamSupport;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Result;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * A running coordinator on a fake clock, fake data servers, and a client that speaks for both the
 * data servers (actions) and the users (listing). Closing it closes everything and then the root
 * allocator, so a leaked buffer fails the test.
 */
final class CoordinatorHarness implements AutoCloseable {
  static final Duration LEASE = Duration.ofSeconds(10);

  /** Short, because it is also the real-time period of the sweeper. */
  static final Duration HEARTBEAT_INTERVAL = Duration.ofMillis(50);

  final BufferAllocator allocator = new RootAllocator();
  final InMemoryTelemetry coordinatorTelemetry = InMemoryTelemetry.forService("coordinator");
  final InMemoryTelemetry serverTelemetry = InMemoryTelemetry.forService("server");
  final FakeClock clock = new FakeClock();
  final Coordinator coordinator;
  private final TracedFlightClient client;
  private final List<FakeDataServer> servers = new ArrayList<>();

  final AtomicInteger warmSignals = new AtomicInteger();

  /** A coordinator that is warm already: one lease has passed on its clock since it started. */
  CoordinatorHarness() throws IOException {
    this(true);
  }

  /**
   * @param warm whether to move the clock one lease past the start, so that the coordinator answers
   *     catalog reads at once; false leaves it warming up
   */
  CoordinatorHarness(boolean warm) throws IOException {
    this(warm, builder -> {});
  }

  CoordinatorHarness(boolean warm, Consumer<CoordinatorBuilder> configure) throws IOException {
    CoordinatorBuilder builder =
        Coordinator.builder(allocator, coordinatorTelemetry.flightTelemetry())
            .location(Location.forGrpcInsecure("127.0.0.1", 0))
            .lease(LEASE)
            .heartbeatInterval(HEARTBEAT_INTERVAL)
            .clock(clock)
            .whenWarm(warmSignals::incrementAndGet);
    configure.accept(builder);
    coordinator = builder.build().start();
    if (warm) {
      clock.advance(LEASE);
      assertThat(coordinator.isWarm()).isTrue();
    }
    // Traced with the servers' SDK: it makes the calls a data server's registrar would make.
    client = serverTelemetry.flightTelemetry().connect(allocator, coordinator.location());
  }

  FlightClient client() {
    return client.flightClient();
  }

  FakeDataServer startServer(String id) throws IOException {
    FakeDataServer server = new FakeDataServer(id, allocator, serverTelemetry.flightTelemetry());
    servers.add(server);
    return server;
  }

  HelloReply hello(FakeDataServer server) {
    return hello(server, 1);
  }

  HelloReply hello(FakeDataServer server, long listingVersion) {
    return action(
        ClusterActions.SAY_HELLO,
        new Hello(server.id(), server.location().getUri().toString(), listingVersion),
        HelloReply.class);
  }

  HeartbeatReply heartbeat(String serverId, long listingVersion, int activeStreams) {
    return action(
        ClusterActions.HEARTBEAT,
        new Heartbeat(serverId, listingVersion, activeStreams),
        HeartbeatReply.class);
  }

  void goodbye(String serverId) {
    assertThat(rawAction(ClusterActions.GOODBYE, Messages.encode(new Goodbye(serverId)))).isEmpty();
  }

  ServerChoice chooseServer(String dataset) {
    return action(ClusterActions.CHOOSE_SERVER, new ChooseServer(dataset), ServerChoice.class);
  }

  <T> T action(String type, Object body, Class<T> replyType) {
    List<Result> results = rawAction(type, Messages.encode(body));
    assertThat(results).hasSize(1);
    return Messages.decode(results.get(0).getBody(), replyType);
  }

  List<Result> rawAction(String type, byte[] body) {
    List<Result> results = new ArrayList<>();
    client().doAction(new Action(type, body)).forEachRemaining(results::add);
    return results;
  }

  /** The names ListFlights returns for {@code prefix}, in order. */
  List<String> listNames(String prefix) {
    return list(prefix).stream().map(info -> info.getDescriptor().getPath().get(0)).toList();
  }

  List<FlightInfo> list(String prefix) {
    Criteria criteria = new Criteria(prefix.getBytes(StandardCharsets.UTF_8));
    return StreamSupport.stream(client().listFlights(criteria).spliterator(), false).toList();
  }

  /** The Flight status a call fails with; fails the test when the call succeeds. */
  static FlightRuntimeException failure(ThrowingCallable call) {
    FlightRuntimeException failure = catchThrowableOfType(FlightRuntimeException.class, call);
    assertThat(failure).as("the call should have failed").isNotNull();
    return failure;
  }

  /** Asserts the status code of a failure and returns its description. */
  static String assertStatus(FlightRuntimeException failure, FlightStatusCode code) {
    assertThat(failure.status().code()).as("status of %s", failure).isEqualTo(code);
    return failure.status().description();
  }

  @Override
  public void close() throws Exception {
    try (allocator;
        coordinatorTelemetry;
        serverTelemetry) {
      client.close();
      coordinator.close();
      for (FakeDataServer server : servers) {
        server.close();
      }
    }
  }
}
