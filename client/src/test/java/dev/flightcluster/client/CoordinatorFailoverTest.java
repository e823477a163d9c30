package dev.flightcluster.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcluster.testing.FakeClock;
import dev.flightcluster.testing.InMemoryTelemetry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.util.AutoCloseables;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A client given several coordinators asks the next one when one cannot answer. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CoordinatorFailoverTest {
  // Long enough that a cold JVM on a busy machine still connects to a live coordinator in time.
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

  private final InMemoryTelemetry telemetry = InMemoryTelemetry.forService("client");
  private final BufferAllocator allocator = new RootAllocator();
  private final FakeClock clock = new FakeClock();
  private FakeCoordinator first;
  private FakeCoordinator second;
  private FakeDataServer server;

  @BeforeEach
  void setUp() {
    server = FakeDataServer.start("server-a").serve("sales.parquet", 2, 5);
    first = FakeCoordinator.start().register(server.info("sales.parquet")).choose(server);
    second = FakeCoordinator.start().register(server.info("sales.parquet")).choose(server);
  }

  @AfterEach
  void tearDown() throws Exception {
    AutoCloseables.close(first, second, server, allocator, telemetry);
  }

  @Test
  void aClosedPortIsPassedOverForTheNextCoordinator() throws Exception {
    Location dead = TestData.deadLocation();
    try (FlightClusterClient client = client(dead, second.location())) {
      assertThat(names(client.list(""))).containsExactly("sales.parquet");
      assertThat(client.info("sales.parquet")).isEqualTo(server.info("sales.parquet"));
      assertThat(client.schema("sales.parquet")).isEqualTo(TestData.SCHEMA);
    }
    assertThat(second.calls()).isEqualTo(3);
  }

  @Test
  void aCoordinatorThatAcceptsAndNeverAnswersIsPassedOverAfterTheConnectTimeout() throws Exception {
    try (Blackhole hung = new Blackhole();
        FlightClusterClient client = client(hung.location(), second.location())) {
      assertThat(names(client.list(""))).containsExactly("sales.parquet");
      assertThat(client.info("sales.parquet")).isEqualTo(server.info("sales.parquet"));
      assertThat(hung.connections()).isPositive();
    }
  }

  @Test
  void aFailedCoordinatorIsSkippedForAWhileThenTriedAgain() throws Exception {
    first.unavailable("warming up: no lease has passed since the start");
    try (FlightClusterClient client = client(first.location(), second.location())) {
      client.list("");
      assertThat(first.calls()).isEqualTo(1);
      assertThat(second.calls()).isEqualTo(1);

      client.info("sales.parquet");
      client.list("");
      assertThat(first.calls()).as("skipped").isEqualTo(1);
      assertThat(second.calls()).isEqualTo(3);

      first.unavailable(null);
      clock.advance(FlightClusterClientBuilder.DEFAULT_FAILED_PEER_SKIP.minusSeconds(1));
      client.list("");
      assertThat(first.calls()).as("still skipped").isEqualTo(1);

      clock.advance(Duration.ofSeconds(1));
      client.list("");
      assertThat(first.calls()).as("tried again, answered").isEqualTo(2);
      assertThat(second.calls()).isEqualTo(4);
    }
  }

  @Test
  void everyCoordinatorSkippedIsStillTried() throws Exception {
    first.unavailable("warming up");
    second.unavailable("warming up");
    try (FlightClusterClient client = client(first.location(), second.location())) {
      assertThatThrownBy(() -> client.list("")).isInstanceOf(FlightRuntimeException.class);
      first.unavailable(null);

      assertThat(names(client.list(""))).containsExactly("sales.parquet");
      assertThat(first.calls()).isEqualTo(2);
    }
  }

  @Test
  void anAnswerWithAnErrorIsTheClustersAnswerAndNotRetried() throws Exception {
    try (FlightClusterClient client = client(first.location(), second.location())) {
      assertThatThrownBy(() -> client.info("missing.parquet"))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND));
    }
    assertThat(first.calls()).isEqualTo(1);
    assertThat(second.calls()).isZero();
  }

  @Test
  void choosingAServerForAnUploadFailsOverToo() throws Exception {
    Location dead = TestData.deadLocation();
    try (FlightClusterClient client = client(dead, second.location());
        ArrowStreamReader source = TestData.reader(allocator, 2, 3)) {
      PutResult result = client.put("new.parquet", source);

      assertThat(result.serverId()).isEqualTo("server-a");
    }
    assertThat(second.chooseRequests()).containsExactly("new.parquet");
    assertThat(server.uploaded("new.parquet")).isEqualTo(TestData.expectedRows(0, 6));
  }

  @Test
  void everyCoordinatorDownIsUnavailableNamingEachOne() throws Exception {
    Location dead = TestData.deadLocation();
    try (Blackhole hung = new Blackhole();
        FlightClusterClient client = client(dead, hung.location())) {
      assertThatThrownBy(() -> client.list(""))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> {
                assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAVAILABLE);
                assertThat(e.status().description())
                    .startsWith("no coordinator could answer")
                    .contains("coordinator at " + dead.getUri() + ": UNAVAILABLE")
                    .contains(
                        "coordinator at "
                            + hung.location().getUri()
                            + ": UNAVAILABLE: no connection to "
                            + hung.location().getUri()
                            + " within the connect timeout of 2s");
                assertThat(e.getSuppressed()).hasSize(1);
              });
    }
  }

  @Test
  void endpointsWithoutLocationsAreReadFromAnyCoordinator() throws Exception {
    Location dead = TestData.deadLocation();
    FlightInfo info = server.info("sales.parquet");
    FlightInfo locationless =
        new FlightInfo(
            info.getSchema(),
            info.getDescriptor(),
            List.of(
                new org.apache.arrow.flight.FlightEndpoint(info.getEndpoints().get(0).getTicket())),
            -1,
            10);
    try (FlightClusterClient client = client(dead, second.location())) {
      // The fake coordinator implements no DoGet: UNIMPLEMENTED proves the read reached the second.
      assertThatThrownBy(() -> client.get(locationless, CollectingConsumer.all()))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNIMPLEMENTED));
    }
  }

  private FlightClusterClient client(Location... coordinators) {
    return FlightClusterClient.builder(
            allocator, telemetry.flightTelemetry(), List.of(coordinators))
        .connectTimeout(CONNECT_TIMEOUT)
        .clock(clock)
        .build();
  }

  private static List<String> names(List<FlightInfo> infos) {
    return infos.stream().map(i -> i.getDescriptor().getPath().get(0)).toList();
  }
}
