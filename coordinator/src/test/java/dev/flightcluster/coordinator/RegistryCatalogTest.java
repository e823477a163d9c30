package dev.flightcluster.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcluster.protocol.DatasetFingerprint;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.testing.FakeClock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Location;
import org.junit.jupiter.api.Test;

/**
 * The registry keeps its merged catalog between changes: reads reuse it, yet see every change,
 * every expiry and every load at once.
 */
class RegistryCatalogTest {
  private static final Duration LEASE = Duration.ofSeconds(10);

  private static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(3);

  private final FakeClock clock = new FakeClock();
  private final Registry registry = new Registry(clock, LEASE, HEARTBEAT_INTERVAL);

  @Test
  void readsReuseTheMergeUntilSomethingChanges() {
    registry.register("a", location("a"), 1, datasets("t=aa"));

    FlightInfo first = find("t");
    registry.renew("a", 0);
    clock.advance(Duration.ofSeconds(1));

    assertThat(find("t")).isSameAs(first);
    registry.updateListing(registry.find("a").orElseThrow(), 2, datasets("t=aa", "u=bb"));
    assertThat(registry.catalog().list("")).hasSize(2);
  }

  @Test
  void anExpiredServerDisappearsBeforeTheSweeperRuns() {
    registry.register("a", location("a"), 1, datasets("t=aa"));
    clock.advance(Duration.ofSeconds(5));
    registry.register("b", location("b"), 1, datasets("t=aa"));
    assertThat(locations("t")).containsExactly(location("a"), location("b"));

    clock.advance(Duration.ofSeconds(6));

    assertThat(locations("t")).containsExactly(location("b"));
    assertThat(registry.catalog().holders(DatasetName.of("t"))).containsExactly("b");
    clock.advance(LEASE);
    assertThat(registry.catalog().find(DatasetName.of("t"))).isEmpty();
  }

  @Test
  void aRenewedLeaseKeepsTheServerListedPastItsFirstExpiry() {
    registry.register("a", location("a"), 1, datasets("t=aa"));
    clock.advance(Duration.ofSeconds(8));
    registry.renew("a", 0);
    clock.advance(Duration.ofSeconds(8));

    assertThat(locations("t")).containsExactly(location("a"));
  }

  @Test
  void locationsFollowTheLoadsOfTheLatestHeartbeats() {
    registry.register("a", location("a"), 1, datasets("t=aa", "u=bb"));
    registry.register("b", location("b"), 1, datasets("t=aa"));
    assertThat(locations("t")).containsExactly(location("a"), location("b"));
    FlightInfo single = find("u");

    registry.renew("a", 3);
    assertThat(locations("t")).containsExactly(location("b"), location("a"));
    assertThat(find("u")).isSameAs(single);

    registry.renew("b", 5);
    assertThat(locations("t")).containsExactly(location("a"), location("b"));
    assertThat(registry.catalog().list(""))
        .first()
        .satisfies(
            info ->
                assertThat(info.getEndpoints().get(0).getLocations())
                    .containsExactly(location("a"), location("b")));
  }

  @Test
  void aServerWhoseHeartbeatIsOverdueComesAfterTheHealthyReplicasBeforeItsLeaseRunsOut() {
    registry.register("a", location("a"), 1, datasets("t=aa"));
    registry.register("b", location("b"), 1, datasets("t=aa"));
    registry.renew("b", 5);
    assertThat(locations("t")).containsExactly(location("a"), location("b"));

    clock.advance(HEARTBEAT_INTERVAL.multipliedBy(2));
    registry.renew("b", 5);
    assertThat(locations("t"))
        .as("exactly two intervals late is not overdue yet")
        .containsExactly(location("a"), location("b"));

    clock.advance(Duration.ofMillis(1));
    assertThat(locations("t")).containsExactly(location("b"), location("a"));

    registry.renew("a", 0);
    assertThat(locations("t")).containsExactly(location("a"), location("b"));
  }

  @Test
  void overdueServersAreOrderedAmongThemselvesByLoadThenId() {
    registry.register("c", location("c"), 1, datasets("t=aa"));
    registry.register("b", location("b"), 1, datasets("t=aa"));
    registry.register("a", location("a"), 1, datasets("t=aa"));
    registry.renew("c", 1);
    clock.advance(HEARTBEAT_INTERVAL.multipliedBy(3));
    registry.renew("a", 9);

    assertThat(locations("t")).containsExactly(location("a"), location("b"), location("c"));
  }

  @Test
  void aServerSayingHelloAgainIsMergedAgain() {
    registry.register("a", location("a"), 1, datasets("t=aa"));
    registry.register("a", location("a2"), 1, datasets("t=aa"));

    assertThat(locations("t")).containsExactly(location("a2"));
  }

  private FlightInfo find(String name) {
    return registry.catalog().find(DatasetName.of(name)).orElseThrow();
  }

  private java.util.List<Location> locations(String name) {
    return find(name).getEndpoints().get(0).getLocations();
  }

  private static Map<DatasetName, ServerDataset> datasets(String... namesAndFingerprints) {
    return Arrays.stream(namesAndFingerprints)
        .map(entry -> entry.split("=", 2))
        .map(
            parts ->
                new ServerDataset(
                    DatasetName.of(parts[0]),
                    new DatasetFingerprint(parts[1]),
                    TestDatasets.SCHEMA,
                    10,
                    1000))
        .collect(Collectors.toMap(ServerDataset::name, Function.identity()));
  }

  private static Location location(String id) {
    return Location.forGrpcInsecure(id + ".example", 8889);
  }
}
