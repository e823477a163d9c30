package dev.flightcluster.coordinator;

import static dev.flightcluster.coordinator.CoordinatorHarness.assertStatus;
import static dev.flightcluster.coordinator.CoordinatorHarness.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flightcluster.protocol.ClusterActions;
import java.time.Duration;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightStatusCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A coordinator that has just started answers catalog reads only once it knows the cluster. */
class WarmUpTest {
  private CoordinatorHarness harness;

  @BeforeEach
  void setUp() throws Exception {
    harness = new CoordinatorHarness(false);
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  @Test
  void catalogReadsAreUnavailableUntilOneLeaseHasPassed() {
    assertWarmingUp();

    harness.clock.advance(CoordinatorHarness.LEASE.minusMillis(1));
    assertWarmingUp();
    harness.clock.advance(Duration.ofMillis(1));

    assertThat(harness.listNames("")).isEmpty();
    assertThat(harness.coordinator.isWarm()).isTrue();
    assertThat(harness.warmSignals).hasValue(1);
  }

  @Test
  void theWarmSignalComesWithoutAnyReadOnceTheLeaseHasPassed() {
    harness.clock.advance(CoordinatorHarness.LEASE);

    // The sweeper notices it, as a readiness probe needs.
    await().until(() -> harness.warmSignals.get() == 1);
  }

  @Test
  void aRestartedCoordinatorIsUnavailableUntilEveryServerItHeardFromIsListedThenServesAll()
      throws Exception {
    FakeDataServer s1 = harness.startServer("s1").holds("trips=aa");
    FakeDataServer s2 = harness.startServer("s2").holds("sales.parquet=bb");
    // The servers' heartbeats reach the new coordinator first; it asks both to say hello again.
    assertThat(harness.heartbeat("s1", 1, 0).known()).isFalse();
    assertThat(harness.heartbeat("s2", 1, 0).known()).isFalse();
    assertWarmingUp();

    harness.hello(s1);
    assertWarmingUp();
    assertThat(harness.warmSignals).hasValue(0);

    harness.hello(s2);

    assertThat(harness.listNames("")).containsExactly("sales.parquet", "trips");
    assertThat(harness.warmSignals).hasValue(1);
  }

  @Test
  void aServerThatFailsToBeListedKeepsItColdUntilTheLeaseHasPassed() throws Exception {
    FakeDataServer s1 = harness.startServer("s1").holds("trips=aa");
    assertThat(harness.heartbeat("s2", 1, 0).known()).isFalse();
    harness.hello(s1);
    assertWarmingUp();

    harness.clock.advance(CoordinatorHarness.LEASE.minusMillis(1));
    assertThat(harness.heartbeat("s1", 1, 0).known()).isTrue();
    assertWarmingUp();
    harness.clock.advance(Duration.ofMillis(1));

    assertThat(harness.listNames("")).containsExactly("trips");
  }

  @Test
  void aServerThatSaysGoodbyeIsNotWaitedFor() throws Exception {
    assertThat(harness.heartbeat("s2", 1, 0).known()).isFalse();
    harness.hello(harness.startServer("s1").holds("trips=aa"));
    assertWarmingUp();

    harness.goodbye("s2");

    assertThat(harness.listNames("")).containsExactly("trips");
  }

  @Test
  void membershipActionsAndInvalidRequestsAreAnsweredDuringTheWarmUp() throws Exception {
    assertThat(harness.heartbeat("s1", 1, 0).known()).isFalse();
    assertStatus(
        failure(() -> harness.client().getInfo(FlightDescriptor.path("../escape"))),
        FlightStatusCode.INVALID_ARGUMENT);
    assertStatus(failure(() -> harness.chooseServer("a/b")), FlightStatusCode.INVALID_ARGUMENT);
  }

  private void assertWarmingUp() {
    for (var call :
        new org.assertj.core.api.ThrowableAssert.ThrowingCallable[] {
          () -> harness.listNames(""),
          () -> harness.client().getInfo(FlightDescriptor.path("trips")),
          () -> harness.client().getSchema(FlightDescriptor.path("trips")),
          () -> harness.chooseServer("new.parquet"),
          () -> harness.rawAction(ClusterActions.LIST_CONFLICTS, new byte[0])
        }) {
      assertThat(assertStatus(failure(call), FlightStatusCode.UNAVAILABLE))
          .startsWith("coordinator warming up");
    }
    assertThat(harness.coordinator.isWarm()).isFalse();
  }
}
