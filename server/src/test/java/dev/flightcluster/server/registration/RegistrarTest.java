package dev.flightcluster.server.registration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flightcluster.otel.TracedFlightClient;
import dev.flightcluster.server.DataServer;
import dev.flightcluster.server.TestData;
import dev.flightcluster.testing.InMemoryTelemetry;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
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

class RegistrarTest {
  @TempDir Path dataDir;
  private final InMemoryTelemetry serverTelemetry = InMemoryTelemetry.forService("server");
  private final InMemoryTelemetry coordinatorTelemetry =
      InMemoryTelemetry.forService("coordinator");
  private final InMemoryTelemetry clientTelemetry = InMemoryTelemetry.forService("client");
  private BufferAllocator allocator;
  private FakeCoordinator coordinator;
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
  void setUp() throws Exception {
    allocator = new RootAllocator();
    coordinator = new FakeCoordinator(coordinatorTelemetry, allocator);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (server != null) {
      server.close();
    }
    coordinator.close();
    allocator.close();
    serverTelemetry.close();
    coordinatorTelemetry.close();
    clientTelemetry.close();
  }

  private DataServer startServer() throws Exception {
    return startServer(Duration.ofMillis(50));
  }

  private DataServer startServer(Duration heartbeatInterval) throws Exception {
    server =
        DataServer.builder(allocator, serverTelemetry.flightTelemetry())
            .location(Location.forGrpcInsecure("127.0.0.1", 0))
            .dataDir(dataDir)
            .serverId("server-1")
            .coordinator(coordinator.location())
            .heartbeatInterval(heartbeatInterval)
            .build()
            .start();
    return server;
  }

  @Test
  void helloIsRetriedUntilTheCoordinatorAnswers() throws Exception {
    coordinator.answering.set(false);
    startServer();
    await().until(() -> coordinator.refusedHellos.get() >= 3);
    assertThat(coordinator.hellos).isEmpty();

    coordinator.answering.set(true);
    await().until(() -> !coordinator.hellos.isEmpty());
    var hello = coordinator.hellos.get(0).message();
    assertThat(hello.serverId()).isEqualTo("server-1");
    assertThat(hello.location()).isEqualTo(server.advertisedLocation().getUri().toString());
    await().until(() -> coordinator.heartbeats.size() >= 2);
  }

  @Test
  void anUnknownServerSaysHelloAgain() throws Exception {
    startServer();
    await().until(() -> coordinator.heartbeats.size() >= 1);
    int hellos = coordinator.hellos.size();
    coordinator.forgetOnce.set(true);
    await().until(() -> coordinator.hellos.size() == hellos + 1);
    int heartbeats = coordinator.heartbeats.size();
    await().until(() -> coordinator.heartbeats.size() >= heartbeats + 2);
  }

  @Test
  void closeSaysGoodbye() throws Exception {
    startServer();
    await().until(() -> !coordinator.hellos.isEmpty());
    server.close();
    assertThat(coordinator.goodbyes)
        .extracting(goodbye -> goodbye.serverId())
        .containsExactly("server-1");
  }

  @Test
  void routineHeartbeatsAreRecordedNowhere() throws Exception {
    startServer();
    await().until(() -> coordinator.heartbeats.size() >= 3);

    assertThat(coordinator.heartbeats)
        .allSatisfy(call -> assertThat(call.context().isSampled()).isFalse());
    String helloTrace = coordinator.hellos.get(0).context().getTraceId();
    assertThat(coordinator.hellos.get(0).context().isSampled()).isTrue();
    assertThat(traceIds(serverTelemetry.spans())).containsOnly(helloTrace);
    assertThat(traceIds(coordinatorTelemetry.spans())).containsOnly(helloTrace);
    assertThat(serverTelemetry.spans()).extracting(SpanData::getName).contains("say_hello");
  }

  @Test
  void aDoPutIsInTheCoordinatorsListingBeforeItCompletes() throws Exception {
    // No periodic refresh or heartbeat within the test: the upload alone reports its listing.
    startServer(Duration.ofHours(1));
    await().until(() -> !coordinator.hellos.isEmpty());
    int beatsBefore = coordinator.heartbeats.size();

    try (TracedFlightClient client =
            clientTelemetry.flightTelemetry().connect(allocator, server.advertisedLocation());
        VectorSchemaRoot root = VectorSchemaRoot.create(TestData.SCHEMA, allocator)) {
      FlightClient.ClientStreamListener put =
          client
              .flightClient()
              .startPut(FlightDescriptor.path("new.parquet"), root, new AsyncPutListener());
      TestData.fill(root, 0, 10);
      put.putNext();
      put.completed();
      put.getResult();
    }

    // No waiting: the upload answered only after the coordinator had pulled the new listing.
    assertThat(coordinator.pulledListings.get(coordinator.pulledListings.size() - 1))
        .containsExactly("new.parquet");
    var announced =
        coordinator.heartbeats.subList(beatsBefore, coordinator.heartbeats.size()).stream()
            .filter(call -> call.context().isSampled())
            .toList();
    assertThat(announced).hasSize(1);
    String putTrace = announced.get(0).context().getTraceId();
    SpanData heartbeat =
        serverTelemetry.spans().stream()
            .filter(span -> span.getName().equals("heartbeat"))
            .findFirst()
            .orElseThrow();
    assertThat(heartbeat.getTraceId()).isEqualTo(putTrace);
    assertThat(clientTelemetry.spans()).extracting(SpanData::getTraceId).contains(putTrace);
  }

  @Test
  void aChangeOnDiskIsAnnouncedInATracedHeartbeat() throws Exception {
    startServer();
    await().until(() -> coordinator.heartbeats.size() >= 1);
    TestData.write(dataDir.resolve("dropped.parquet"), 0, 5);

    await()
        .until(() -> coordinator.heartbeats.stream().anyMatch(call -> call.context().isSampled()));
    var traced =
        coordinator.heartbeats.stream()
            .filter(call -> call.context().isSampled())
            .findFirst()
            .orElseThrow();
    await()
        .untilAsserted(
            () ->
                assertThat(coordinator.pulledListings.get(coordinator.pulledListings.size() - 1))
                    .containsExactly("dropped.parquet"));
    await()
        .until(
            () ->
                serverTelemetry.spans().stream()
                    .anyMatch(span -> span.getName().equals("heartbeat")));
    SpanData heartbeat =
        serverTelemetry.spans().stream()
            .filter(span -> span.getName().equals("heartbeat"))
            .findFirst()
            .orElseThrow();
    assertThat(heartbeat.getTraceId()).isEqualTo(traced.context().getTraceId());
    assertThat(heartbeat.getParentSpanContext().isValid()).isFalse();
  }

  @Test
  void backoffGrowsToItsCapWithJitter() {
    for (int attempt = 1; attempt < 30; attempt++) {
      Duration delay = Registration.backoff(attempt);
      assertThat(delay).isBetween(Duration.ofMillis(50), Registration.MAX_BACKOFF);
    }
    assertThat(Registration.backoff(20))
        .isGreaterThanOrEqualTo(Registration.MAX_BACKOFF.dividedBy(2));
  }

  private static Set<String> traceIds(List<SpanData> spans) {
    return spans.stream().map(SpanData::getTraceId).collect(Collectors.toSet());
  }
}
