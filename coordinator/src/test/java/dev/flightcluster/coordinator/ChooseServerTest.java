package dev.flightcluster.coordinator;

import static dev.flightcluster.coordinator.CoordinatorHarness.assertStatus;
import static dev.flightcluster.coordinator.CoordinatorHarness.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcluster.protocol.ServerChoice;
import org.apache.arrow.flight.FlightStatusCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ChooseServerTest {
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
  void choosesTheServerWithFewestActiveStreams() throws Exception {
    FakeDataServer s1 = harness.startServer("s1");
    FakeDataServer s2 = harness.startServer("s2");
    harness.hello(s1);
    harness.hello(s2);
    harness.heartbeat("s1", 1, 4);
    harness.heartbeat("s2", 1, 1);

    assertThat(harness.chooseServer("new.parquet"))
        .isEqualTo(new ServerChoice("s2", s2.location().getUri().toString()));
  }

  @Test
  void equalLoadGoesToTheServerWithFewerDatasetsThenToTheSmallestId() throws Exception {
    harness.hello(harness.startServer("a").holds("x=01", "y=02"));
    harness.hello(harness.startServer("b").holds("z=03"));
    harness.hello(harness.startServer("c").holds("w=04"));

    assertThat(harness.chooseServer("new.parquet").serverId()).isEqualTo("b");
  }

  @Test
  void anExistingDatasetIsAlreadyExists() throws Exception {
    harness.hello(harness.startServer("s1").holds("trips=aa"));

    String description =
        assertStatus(failure(() -> harness.chooseServer("trips")), FlightStatusCode.ALREADY_EXISTS);
    assertThat(description).contains("trips").contains("s1");
  }

  @Test
  void noLiveServerIsUnavailable() throws Exception {
    harness.hello(harness.startServer("s1"));
    harness.clock.advance(CoordinatorHarness.LEASE);

    String description =
        assertStatus(
            failure(() -> harness.chooseServer("new.parquet")), FlightStatusCode.UNAVAILABLE);
    assertThat(description).startsWith("no live data servers");
  }

  @Test
  void anInvalidOrMultiSegmentNameIsInvalidArgument() throws Exception {
    harness.hello(harness.startServer("s1"));

    assertStatus(failure(() -> harness.chooseServer("../x")), FlightStatusCode.INVALID_ARGUMENT);
    assertStatus(
        failure(() -> harness.chooseServer("dir/x.parquet")), FlightStatusCode.INVALID_ARGUMENT);
  }
}
