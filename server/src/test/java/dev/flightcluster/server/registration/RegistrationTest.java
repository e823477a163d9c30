package dev.flightcluster.server.registration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcluster.protocol.ServerStats;
import dev.flightcluster.security.TlsSettings;
import dev.flightcluster.server.DataServer;
import dev.flightcluster.testing.InMemoryTelemetry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One registration driven step by step, so that the delays it chooses are the test's subject. */
class RegistrationTest {
  private static final Duration INTERVAL = Duration.ofSeconds(2);

  @TempDir Path dataDir;
  private final InMemoryTelemetry serverTelemetry = InMemoryTelemetry.forService("server");
  private final InMemoryTelemetry coordinatorTelemetry =
      InMemoryTelemetry.forService("coordinator");
  private BufferAllocator allocator;
  private DataServer listed;
  private FakeCoordinator coordinator;
  private Registration registration;

  @BeforeEach
  void setUp() throws Exception {
    allocator = new RootAllocator();
    // What the coordinator pulls: a standalone server whose listing the registration announces.
    listed =
        DataServer.builder(allocator, serverTelemetry.flightTelemetry())
            .location(Location.forGrpcInsecure("127.0.0.1", 0))
            .dataDir(dataDir)
            .serverId("server-1")
            .build()
            .start();
    coordinator = new FakeCoordinator(coordinatorTelemetry, allocator);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (registration != null) {
      registration.awaitClosed();
    }
    coordinator.close();
    listed.close();
    allocator.close();
    serverTelemetry.close();
    coordinatorTelemetry.close();
  }

  private Registration register(RegistrationTimes times) {
    registration =
        new Registration(
            serverTelemetry.flightTelemetry(),
            allocator,
            coordinator.location().getUri(),
            new LocalServer(
                "server-1",
                listed.advertisedLocation(),
                () -> 1L,
                () -> 0,
                () -> new ServerStats(0, 0, null, List.of(), List.of())),
            times,
            java.util.Optional.empty(),
            TlsSettings.plaintext(),
            coordinator.location().getUri().getAuthority());
    return registration;
  }

  @Test
  void aRestartedCoordinatorIsRebuiltAtTheFirstHeartbeatAfterItsRestart() throws Exception {
    Registration registration = register(RegistrationTimes.defaults(INTERVAL));
    assertThat(registration.step()).isEqualTo(INTERVAL);
    assertThat(registration.step()).isEqualTo(INTERVAL);
    assertThat(coordinator.heartbeats).hasSize(1);

    int port = coordinator.port();
    coordinator.close();
    // Heartbeats to a coordinator that is down fail; the registration keeps its pace and its state.
    assertThat(registration.step()).isEqualTo(INTERVAL);
    assertThat(registration.step()).isEqualTo(INTERVAL);
    assertThat(registration.registered()).isTrue();

    coordinator = new FakeCoordinator(coordinatorTelemetry, allocator, "127.0.0.1", port);
    // The next heartbeat (at most one interval after the restart) reaches the new coordinator,
    // which
    // does not know the server: hello at once, which makes it pull the listing.
    assertThat(registration.step()).isEqualTo(Duration.ZERO);
    assertThat(registration.step()).isEqualTo(INTERVAL);
    assertThat(coordinator.hellos)
        .extracting(call -> call.message().serverId())
        .containsExactly("server-1");
    assertThat(coordinator.pulledListings).hasSize(1);
    assertThat(registration.registered()).isTrue();
  }

  @Test
  void aHelloThatTimesOutIsAskedAgainAtOnceWithADoubledDeadline() {
    Registration registration =
        register(
            RegistrationTimes.defaults(INTERVAL)
                .withHelloDeadlines(Duration.ofMillis(100), Duration.ofSeconds(30)));
    coordinator.lateHellos.set(2);

    // Two late answers, then one in time (a loaded machine may need a longer deadline still).
    List<Duration> delays = new ArrayList<>();
    List<Duration> deadlines = new ArrayList<>();
    while (!registration.registered() && delays.size() < 10) {
      deadlines.add(registration.helloDeadline());
      delays.add(registration.step());
    }

    assertThat(registration.registered()).isTrue();
    assertThat(coordinator.lateCalls).hasValue(2);
    assertThat(delays.subList(0, delays.size() - 1)).isNotEmpty().containsOnly(Duration.ZERO);
    assertThat(delays.get(delays.size() - 1)).isEqualTo(INTERVAL);
    assertThat(deadlines.subList(0, 3))
        .containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400));
    assertThat(registration.helloDeadline()).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void helloDeadlinesDoubleUpToTheirCapThenTheRegistrationBacksOff() {
    Registration registration =
        register(
            RegistrationTimes.defaults(INTERVAL)
                .withHelloDeadlines(Duration.ofMillis(50), Duration.ofMillis(150)));
    coordinator.lateHellos.set(Integer.MAX_VALUE);

    assertThat(registration.step()).isEqualTo(Duration.ZERO);
    assertThat(registration.helloDeadline()).isEqualTo(Duration.ofMillis(100));
    assertThat(registration.step()).isEqualTo(Duration.ZERO);
    assertThat(registration.helloDeadline()).isEqualTo(Duration.ofMillis(150));
    // Late even with the longest deadline: now it is an outage, and backing off is right.
    assertThat(registration.step()).isPositive();
    assertThat(registration.registered()).isFalse();
  }

  @Test
  void aRefusedHelloBacksOff() {
    Registration registration = register(RegistrationTimes.defaults(INTERVAL));
    coordinator.answering.set(false);

    assertThat(registration.step()).isPositive();
    assertThat(registration.registered()).isFalse();
    assertThat(coordinator.refusedHellos).hasValue(1);
  }

  @Test
  void closeSaysGoodbyeOnlyWhenRegistered() throws Exception {
    Registration registration = register(RegistrationTimes.defaults(INTERVAL));
    registration.step();
    registration.awaitClosed();
    assertThat(coordinator.goodbyes)
        .extracting(goodbye -> goodbye.serverId())
        .containsExactly("server-1");
  }
}
