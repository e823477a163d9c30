package dev.flightcluster.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flightcluster.otel.TracedFlightClient;
import dev.flightcluster.server.registration.FakeCoordinator;
import dev.flightcluster.server.registration.HostResolver;
import dev.flightcluster.server.registration.RegistrationTimes;
import dev.flightcluster.testing.InMemoryTelemetry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.flight.AsyncPutListener;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A data server given several coordinators registers with each, independently. */
class MultiCoordinatorTest {
  private static final Duration HEARTBEAT = Duration.ofMillis(50);

  @TempDir Path dataDir;
  private final InMemoryTelemetry serverTelemetry = InMemoryTelemetry.forService("server");
  private final InMemoryTelemetry coordinatorTelemetry =
      InMemoryTelemetry.forService("coordinator");
  private final InMemoryTelemetry clientTelemetry = InMemoryTelemetry.forService("client");
  private final List<FakeCoordinator> coordinators = new ArrayList<>();
  private final List<Socket> blackholeConnections = new CopyOnWriteArrayList<>();
  private BufferAllocator allocator;
  private ServerSocket blackhole;
  private Thread blackholeAcceptor;
  private DataServer server;

  @BeforeEach
  void loadTolerantWaits() {
    // A first hello on a loaded machine (class loading, JIT, many builds at once) has taken 10 s.
    Awaitility.setDefaultTimeout(Duration.ofSeconds(30));
  }

  @AfterEach
  void defaultWaits() {
    Awaitility.reset();
  }

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (server != null) {
      server.close();
    }
    for (FakeCoordinator coordinator : coordinators) {
      coordinator.close();
    }
    if (blackhole != null) {
      blackhole.close();
      blackholeAcceptor.join();
      for (Socket socket : blackholeConnections) {
        socket.close();
      }
    }
    allocator.close();
    serverTelemetry.close();
    coordinatorTelemetry.close();
    clientTelemetry.close();
  }

  private FakeCoordinator coordinator(String host, int port) throws Exception {
    FakeCoordinator coordinator = new FakeCoordinator(coordinatorTelemetry, allocator, host, port);
    coordinators.add(coordinator);
    return coordinator;
  }

  /** A socket that accepts connections and never says a word: a coordinator that hangs. */
  private Location blackhole() throws Exception {
    blackhole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    blackholeAcceptor =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  try {
                    while (true) {
                      blackholeConnections.add(blackhole.accept());
                    }
                  } catch (java.io.IOException closed) {
                    // the test is over
                  }
                });
    return Location.forGrpcInsecure("127.0.0.1", blackhole.getLocalPort());
  }

  private DataServer start(DataServer.Builder builder) throws Exception {
    server =
        builder
            .location(Location.forGrpcInsecure("127.0.0.1", 0))
            .dataDir(dataDir)
            .serverId("server-1")
            .build()
            .start();
    return server;
  }

  private DataServer.Builder builder() {
    return DataServer.builder(allocator, serverTelemetry.flightTelemetry())
        .heartbeatInterval(HEARTBEAT);
  }

  @Test
  void registersWithEveryCoordinatorAndHeartbeatsEach() throws Exception {
    List<Location> locations = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      locations.add(coordinator("127.0.0.1", 0).location());
    }
    start(builder().coordinators(locations));

    await()
        .untilAsserted(
            () ->
                assertThat(coordinators)
                    .allSatisfy(
                        coordinator ->
                            assertThat(coordinator.heartbeats).hasSizeGreaterThanOrEqualTo(3)));
    // A hello that timed out under load and was asked again reaches the coordinator twice:
    // harmless.
    assertThat(coordinators)
        .allSatisfy(
            coordinator ->
                assertThat(coordinator.hellos)
                    .extracting(call -> call.message().serverId())
                    .containsOnly("server-1"));
    assertThat(server.registeredWith())
        .containsExactlyElementsOf(locations.stream().map(Location::getUri).toList());

    server.close();
    assertThat(coordinators)
        .allSatisfy(
            coordinator ->
                assertThat(coordinator.goodbyes)
                    .extracting(goodbye -> goodbye.serverId())
                    .containsExactly("server-1"));
  }

  @Test
  void aCoordinatorThatHangsDelaysNoHeartbeatToTheOthers() throws Exception {
    FakeCoordinator one = coordinator("127.0.0.1", 0);
    FakeCoordinator two = coordinator("127.0.0.1", 0);
    Location hung = blackhole();
    // The hello to the hung coordinator stays in flight for a minute, longer than the test awaits:
    // a registrar that called coordinators one after another would heartbeat nobody meanwhile.
    start(
        builder()
            .coordinators(List.of(hung, one.location(), two.location()))
            .registrationTimes(
                RegistrationTimes.defaults(HEARTBEAT)
                    .withHelloDeadlines(Duration.ofMinutes(1), Duration.ofMinutes(1))));

    await()
        .untilAsserted(
            () -> {
              assertThat(one.heartbeats).hasSizeGreaterThanOrEqualTo(10);
              assertThat(two.heartbeats).hasSizeGreaterThanOrEqualTo(10);
            });
    assertThat(blackholeConnections).isNotEmpty();
    assertThat(server.registeredWith())
        .containsExactly(one.location().getUri(), two.location().getUri());
  }

  @Test
  void aNameWithSeveralAddressesRegistersWithEach() throws Exception {
    // Three coordinators on one port at three loopback addresses, as pods behind a headless
    // Service.
    FakeCoordinator first = coordinator("127.0.0.1", 0);
    int port = first.port();
    coordinator("127.0.0.2", port);
    coordinator("127.0.0.3", port);
    HostResolver resolver =
        host -> {
          assertThat(host).isEqualTo("coordinators.test");
          return List.of(ip("127.0.0.1"), ip("127.0.0.2"), ip("127.0.0.3"));
        };
    start(
        builder()
            .coordinators(List.of(Location.forGrpcInsecure("coordinators.test", port)))
            .hostResolver(resolver));

    await()
        .untilAsserted(
            () ->
                assertThat(coordinators)
                    .allSatisfy(coordinator -> assertThat(coordinator.heartbeats).isNotEmpty()));
    assertThat(server.registeredWith())
        .containsExactly(uri("127.0.0.1", port), uri("127.0.0.2", port), uri("127.0.0.3", port));
  }

  @Test
  void resolvingAgainPicksUpAnAddedCoordinatorAndDropsARemovedOne() throws Exception {
    FakeCoordinator first = coordinator("127.0.0.1", 0);
    int port = first.port();
    FakeCoordinator second = coordinator("127.0.0.2", port);
    AtomicReference<List<InetAddress>> addresses = new AtomicReference<>(List.of(ip("127.0.0.1")));
    start(
        builder()
            .coordinators(List.of(Location.forGrpcInsecure("coordinators.test", port)))
            .hostResolver(host -> addresses.get()));
    await().until(() -> !first.heartbeats.isEmpty());
    assertThat(second.hellos).isEmpty();

    addresses.set(List.of(ip("127.0.0.1"), ip("127.0.0.2")));
    await().until(() -> !second.heartbeats.isEmpty());

    addresses.set(List.of(ip("127.0.0.2")));
    await().until(() -> !first.goodbyes.isEmpty());
    int beats = second.heartbeats.size();
    await().until(() -> second.heartbeats.size() >= beats + 3);
    assertThat(server.registeredWith()).containsExactly(uri("127.0.0.2", port));
    assertThat(second.goodbyes).isEmpty();
  }

  @Test
  void anUploadIsAcknowledgedOnlyAfterEveryReachableCoordinatorPulledIt() throws Exception {
    FakeCoordinator one = coordinator("127.0.0.1", 0);
    FakeCoordinator two = coordinator("127.0.0.1", 0);
    FakeCoordinator late = coordinator("127.0.0.1", 0);
    // No periodic heartbeat within the test: the upload alone reports its listing.
    start(
        builder()
            .coordinators(List.of(blackhole(), one.location(), two.location(), late.location()))
            .registrationTimes(
                new RegistrationTimes(
                    Duration.ofHours(1),
                    Duration.ofMillis(500),
                    Duration.ofMinutes(1),
                    Duration.ofMinutes(1),
                    Duration.ofSeconds(1),
                    5)));
    await().until(() -> server.registeredWith().size() == 3);
    // A registered coordinator that stops answering in time must not hold the upload beyond the
    // deadline.
    late.lateHeartbeats.set(true);

    put("new.parquet");

    // No waiting: the upload answered only after the coordinators had pulled the new listing.
    assertThat(List.of(one, two))
        .allSatisfy(
            coordinator ->
                assertThat(coordinator.pulledListings.get(coordinator.pulledListings.size() - 1))
                    .containsExactly("new.parquet"));
    // The late coordinator neither failed nor held the upload (its announce ended with the
    // deadline);
    // whether its call had even started by then depends on the machine, so it is not asserted.
  }

  private void put(String name) throws Exception {
    try (TracedFlightClient client =
            clientTelemetry.flightTelemetry().connect(allocator, server.advertisedLocation());
        VectorSchemaRoot root = VectorSchemaRoot.create(TestData.SCHEMA, allocator)) {
      FlightClient.ClientStreamListener put =
          client.flightClient().startPut(FlightDescriptor.path(name), root, new AsyncPutListener());
      TestData.fill(root, 0, 10);
      put.putNext();
      put.completed();
      put.getResult();
    }
  }

  private static InetAddress ip(String literal) throws java.net.UnknownHostException {
    return InetAddress.getByName(literal);
  }

  private static URI uri(String host, int port) {
    return URI.create("grpc+tcp://" + host + ":" + port);
  }
}
