package dev.flightcluster.coordinator;

import static dev.flightcluster.coordinator.CoordinatorHarness.assertStatus;
import static dev.flightcluster.coordinator.CoordinatorHarness.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flightcluster.protocol.ClusterActions;
import dev.flightcluster.protocol.Heartbeat;
import dev.flightcluster.protocol.Hello;
import dev.flightcluster.protocol.HelloReply;
import dev.flightcluster.protocol.Messages;
import java.time.Duration;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MembershipTest {
  private CoordinatorHarness harness;

  @BeforeEach
  void setUp() throws Exception {
    harness = new CoordinatorHarness();
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  @Test
  void helloGrantsTheConfiguredLeaseAndHeartbeatInterval() throws Exception {
    HelloReply reply = harness.hello(harness.startServer("s1"));

    assertThat(reply.leaseMillis()).isEqualTo(CoordinatorHarness.LEASE.toMillis());
    assertThat(reply.heartbeatIntervalMillis())
        .isEqualTo(CoordinatorHarness.HEARTBEAT_INTERVAL.toMillis());
  }

  @Test
  void helloListsTheServerFlightsBack() throws Exception {
    FakeDataServer s1 = harness.startServer("s1").holds("trips=aa");

    harness.hello(s1);

    assertThat(s1.listFlightsCalls()).isEqualTo(1);
    assertThat(harness.listNames("")).containsExactly("trips");
  }

  @Test
  void helloWithAnInvalidLocationOrIdIsInvalidArgument() {
    String description =
        assertStatus(
            failure(
                () ->
                    harness.action(
                        ClusterActions.SAY_HELLO,
                        new Hello("s1", "http://x:1", 1),
                        HelloReply.class)),
            FlightStatusCode.INVALID_ARGUMENT);
    assertThat(description).contains("http://x:1");
    assertStatus(
        failure(
            () ->
                harness.action(
                    ClusterActions.SAY_HELLO,
                    new Hello(" ", "grpc://127.0.0.1:1", 1),
                    HelloReply.class)),
        FlightStatusCode.INVALID_ARGUMENT);
  }

  @Test
  void helloWhoseCallbackFailsIsUnavailableAndLeavesTheServerUnregistered() throws Exception {
    FakeDataServer s1 = harness.startServer("s1").holds("trips=aa");
    s1.failListing(CallStatus.INTERNAL.withDescription("disk on fire"));

    String description =
        assertStatus(failure(() -> harness.hello(s1)), FlightStatusCode.UNAVAILABLE);

    assertThat(description)
        .startsWith("could not list the flights of server s1 at " + s1.location().getUri())
        .contains("disk on fire");
    assertThat(harness.coordinator.registry().find("s1")).isEmpty();
    assertThat(harness.heartbeat("s1", 1, 0).known()).isFalse();
  }

  @Test
  void helloToAnUnreachableLocationIsUnavailable() throws Exception {
    FakeDataServer gone = harness.startServer("gone");
    Location location = gone.location();
    gone.close();

    String description =
        assertStatus(
            failure(
                () ->
                    harness.action(
                        ClusterActions.SAY_HELLO,
                        new Hello("gone", location.getUri().toString(), 1),
                        HelloReply.class)),
            FlightStatusCode.UNAVAILABLE);
    assertThat(description).contains("server gone at " + location.getUri());
  }

  @Test
  void aFailedHelloAgainUnregistersTheEarlierRegistration() throws Exception {
    FakeDataServer s1 = harness.startServer("s1").holds("trips=aa");
    harness.hello(s1);
    s1.failListing(CallStatus.UNAVAILABLE.withDescription("restarting"));

    failure(() -> harness.hello(s1));

    assertThat(harness.listNames("")).isEmpty();
  }

  @Test
  void aSecondHelloForTheSameIdOrAddressIsRefusedAtOnceWhileTheFirstIsInProgress()
      throws Exception {
    harness.close();
    harness =
        new CoordinatorHarness(
            true, builder -> builder.callbackConnectTimeout(Duration.ofMinutes(1)));
    try (Blackholes blackhole = new Blackholes(2)) {
      Thread first =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      harness.action(
                          ClusterActions.SAY_HELLO,
                          new Hello("x", blackhole.uri(0), 1),
                          HelloReply.class);
                    } catch (RuntimeException e) {
                      // cancelled below
                    }
                  });
      await().until(() -> blackhole.accepted() > 0);

      String sameAddress =
          assertStatus(
              failure(
                  () ->
                      harness.action(
                          ClusterActions.SAY_HELLO,
                          new Hello("y", blackhole.uri(0), 1),
                          HelloReply.class)),
              FlightStatusCode.UNAVAILABLE);
      String sameId =
          assertStatus(
              failure(
                  () ->
                      harness.action(
                          ClusterActions.SAY_HELLO,
                          new Hello("x", blackhole.uri(1), 1),
                          HelloReply.class)),
              FlightStatusCode.UNAVAILABLE);

      assertThat(sameAddress).contains("already in progress").contains(blackhole.uri(0));
      assertThat(sameId).contains("already calling server x back");
      // Interrupting the caller cancels its call, which frees the callback thread.
      first.interrupt();
      first.join();
      FakeDataServer s1 = harness.startServer("s1").holds("trips=aa");
      harness.hello(s1);
      assertThat(harness.listNames("")).containsExactly("trips");
    }
  }

  @Test
  void heartbeatFromAnUnknownServerAsksItToSayHelloAgain() {
    assertThat(harness.heartbeat("stranger", 1, 0).known()).isFalse();
  }

  @Test
  void heartbeatFromAKnownServerIsKnownAndDoesNotRelistAnUnchangedListing() throws Exception {
    FakeDataServer s1 = harness.startServer("s1").holds("trips=aa");
    harness.hello(s1, 7);

    assertThat(harness.heartbeat("s1", 7, 0).known()).isTrue();
    assertThat(harness.heartbeat("s1", 7, 2).known()).isTrue();

    assertThat(s1.listFlightsCalls()).isEqualTo(1);
  }

  @Test
  void aChangedListingVersionIsPulledBeforeTheHeartbeatReturns() throws Exception {
    FakeDataServer s1 = harness.startServer("s1").holds("trips=aa");
    harness.hello(s1, 1);
    s1.holds("trips=aa", "uploaded=bb");

    assertThat(harness.heartbeat("s1", 2, 0).known()).isTrue();

    assertThat(s1.listFlightsCalls()).isEqualTo(2);
    assertThat(harness.listNames("")).containsExactly("trips", "uploaded");
    assertThat(harness.heartbeat("s1", 2, 0).known()).isTrue();
    assertThat(s1.listFlightsCalls()).as("version 2 is held now").isEqualTo(2);
  }

  @Test
  void aFailedRepullIsUnavailableKeepsTheOldListingAndIsRetriedByTheNextHeartbeat()
      throws Exception {
    FakeDataServer s1 = harness.startServer("s1").holds("trips=aa");
    harness.hello(s1, 1);
    s1.holds("uploaded=bb");
    s1.failListing(CallStatus.UNAVAILABLE.withDescription("busy"));

    assertStatus(failure(() -> harness.heartbeat("s1", 2, 0)), FlightStatusCode.UNAVAILABLE);
    assertThat(harness.listNames("")).containsExactly("trips");

    s1.failListing(null);
    assertThat(harness.heartbeat("s1", 2, 0).known()).isTrue();
    assertThat(harness.listNames("")).containsExactly("uploaded");
  }

  @Test
  void goodbyeRemovesTheServerAtOnce() throws Exception {
    harness.hello(harness.startServer("s1").holds("trips=aa"));
    harness.hello(harness.startServer("s2").holds("sales.parquet=bb"));

    harness.goodbye("s1");

    assertThat(harness.listNames("")).containsExactly("sales.parquet");
    assertThat(harness.heartbeat("s1", 1, 0).known()).isFalse();
    harness.goodbye("s1");
  }

  @Test
  void aServerIsGoneFromReadsOnceItsLeaseRunsOutAndTheSweeperEvictsIt() throws Exception {
    harness.hello(harness.startServer("s1").holds("trips=aa"));
    harness.clock.advance(CoordinatorHarness.LEASE.minusMillis(1));
    harness.hello(harness.startServer("s2").holds("sales.parquet=bb"));
    assertThat(harness.listNames("")).containsExactly("sales.parquet", "trips");

    harness.clock.advance(Duration.ofMillis(1));

    assertThat(harness.listNames("")).containsExactly("sales.parquet");
    assertStatus(
        failure(() -> harness.client().getInfo(FlightDescriptor.path("trips"))),
        FlightStatusCode.NOT_FOUND);
    await().until(() -> harness.coordinator.registry().find("s1").isEmpty());
    assertThat(harness.coordinator.registry().find("s2")).isPresent();
  }

  @Test
  void aHeartbeatRenewsTheLease() throws Exception {
    harness.hello(harness.startServer("s1").holds("trips=aa"));
    harness.clock.advance(CoordinatorHarness.LEASE.minusMillis(1));

    assertThat(harness.heartbeat("s1", 1, 0).known()).isTrue();
    harness.clock.advance(CoordinatorHarness.LEASE.minusMillis(1));

    assertThat(harness.listNames("")).containsExactly("trips");
  }

  @Test
  void aHeartbeatAfterTheLeaseRanOutIsUnknownAndAHelloRestoresTheServer() throws Exception {
    FakeDataServer s1 = harness.startServer("s1").holds("trips=aa");
    harness.hello(s1);
    harness.clock.advance(CoordinatorHarness.LEASE);

    assertThat(harness.heartbeat("s1", 1, 0).known()).isFalse();
    harness.hello(s1);

    assertThat(harness.listNames("")).containsExactly("trips");
  }

  @Test
  void aHelloFromANewLocationReplacesTheOldOne() throws Exception {
    FakeDataServer first = harness.startServer("s1").holds("trips=aa");
    harness.hello(first);
    FakeDataServer second = harness.startServer("s1").holds("trips=aa");

    harness.hello(second);

    assertThat(harness.list("").get(0).getEndpoints().get(0).getLocations())
        .containsExactly(second.location());
    assertThat(second.listFlightsCalls()).isEqualTo(1);
  }

  @Test
  void malformedHeartbeatIsInvalidArgument() {
    assertStatus(
        failure(
            () ->
                harness.rawAction(
                    ClusterActions.HEARTBEAT,
                    "{\"server_id\": 5, \"listing_version\": \"x\"}".getBytes())),
        FlightStatusCode.INVALID_ARGUMENT);
    assertStatus(
        failure(
            () ->
                harness.rawAction(
                    ClusterActions.HEARTBEAT, Messages.encode(new Heartbeat("s1", 1, -1)))),
        FlightStatusCode.INVALID_ARGUMENT);
  }
}
