package dev.flightcluster.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flightcluster.otel.TracedFlightClient;
import dev.flightcluster.protocol.ClusterActions;
import dev.flightcluster.protocol.Heartbeat;
import dev.flightcluster.protocol.HeartbeatReply;
import dev.flightcluster.protocol.Hello;
import dev.flightcluster.protocol.Messages;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.CallOptions;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.Result;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hellos naming addresses that accept connections and never answer must not starve the calls that
 * keep the cluster alive: heartbeats and client listings.
 */
class HelloStormTest {
  private static final Logger log = LoggerFactory.getLogger(HelloStormTest.class);

  /** What a data server's registrar allows a heartbeat, and a patient client a listing. */
  private static final CallOption ON_TIME = CallOptions.timeout(5, TimeUnit.SECONDS);

  private static final int HELLOS_PER_WAVE = 64;
  private static final int BLACKHOLES = 8;

  @Test
  void heartbeatsAndListingsAreAnsweredWhileHellosTowardBlackholesPileUp() throws Exception {
    try (CoordinatorHarness harness = new CoordinatorHarness();
        Blackholes blackholes = new Blackholes(BLACKHOLES);
        TracedFlightClient storm =
            harness
                .serverTelemetry
                .flightTelemetry()
                .connect(harness.allocator, harness.coordinator.location());
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      harness.hello(harness.startServer("s1").holds("trips=aa"));
      harness.hello(harness.startServer("s2").holds("sales.parquet=bb"));
      long slowestListNanos = 0;

      // More than a lease of coordinator time passes: without renewals both servers would expire.
      int rounds = (int) (CoordinatorHarness.LEASE.toSeconds() + 5);
      for (int round = 0; round < rounds; round++) {
        for (int i = 0; i < HELLOS_PER_WAVE; i++) {
          Hello hello = new Hello("storm-" + round + "-" + i, blackholes.uri(i % BLACKHOLES), 1);
          callers.execute(() -> sayHelloIgnoringTheOutcome(storm, hello));
        }
        if (round == 0) {
          await().until(() -> blackholes.accepted() > 0);
        }
        harness.clock.advance(Duration.ofSeconds(1));

        assertThat(heartbeat(harness, "s1").known()).as("round %d", round).isTrue();
        assertThat(heartbeat(harness, "s2").known()).as("round %d", round).isTrue();
        long start = System.nanoTime();
        List<String> names = listNames(harness);
        slowestListNanos = Math.max(slowestListNanos, System.nanoTime() - start);
        assertThat(names).as("round %d", round).containsExactly("sales.parquet", "trips");
      }
      log.info(
          "ListFlights during {} waves of {} hellos toward {} blackholes: slowest {} ms",
          rounds,
          HELLOS_PER_WAVE,
          BLACKHOLES,
          TimeUnit.NANOSECONDS.toMillis(slowestListNanos));
      callers.shutdownNow();
    }
  }

  private static void sayHelloIgnoringTheOutcome(TracedFlightClient client, Hello hello) {
    try {
      client
          .flightClient()
          .doAction(
              new Action(ClusterActions.SAY_HELLO, Messages.encode(hello)),
              CallOptions.timeout(30, TimeUnit.SECONDS))
          .forEachRemaining(result -> {});
    } catch (RuntimeException e) {
      // Refused or failed: either way the storm goes on.
    }
  }

  private static HeartbeatReply heartbeat(CoordinatorHarness harness, String serverId) {
    List<Result> results = new ArrayList<>();
    harness
        .client()
        .doAction(
            new Action(ClusterActions.HEARTBEAT, Messages.encode(new Heartbeat(serverId, 1, 0))),
            ON_TIME)
        .forEachRemaining(results::add);
    assertThat(results).hasSize(1);
    return Messages.decode(results.get(0).getBody(), HeartbeatReply.class);
  }

  private static List<String> listNames(CoordinatorHarness harness) {
    return StreamSupport.stream(
            harness.client().listFlights(Criteria.ALL, ON_TIME).spliterator(), false)
        .map(info -> info.getDescriptor().getPath().get(0))
        .toList();
  }
}
