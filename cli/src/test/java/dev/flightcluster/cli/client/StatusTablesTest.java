package dev.flightcluster.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcluster.protocol.ClusterStatus;
import dev.flightcluster.protocol.DatasetConflict;
import dev.flightcluster.protocol.ServerStats;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusTablesTest {
  @Test
  void rendersEveryPartOfTheStatusAsTables() {
    ClusterStatus status =
        new ClusterStatus(
            0,
            new ClusterStatus.Self("grpc+tcp://127.0.0.1:8888", true, 10_000),
            List.of(
                new ClusterStatus.KnownCoordinator(
                    "grpc+tcp://127.0.0.1:8888", true, List.of("s1"))),
            List.of(
                new ClusterStatus.Server(
                    "s1",
                    "grpc+tcp://127.0.0.1:8889",
                    1_500,
                    8_500,
                    false,
                    2,
                    List.of("trips"),
                    123_456,
                    1_000,
                    new ServerStats.LastError("UNAVAILABLE", "server is shutting down", 0))),
            List.of(
                new ClusterStatus.Dataset("trips", 1_000, 2_048, 1, 2, List.of("s1", "s2"), true)),
            List.of(
                new DatasetConflict(
                    "trips",
                    "aa",
                    List.of(
                        new DatasetConflict.Variant("aa", List.of("s1")),
                        new DatasetConflict.Variant("bb", List.of("s2"))))),
            List.of(new ClusterStatus.ThroughputSample(10_000, 10, 4_096, 100)),
            List.of(new ClusterStatus.SlowRequest("s1", "trips", 2_500, "abc", 0)),
            "http://jaeger:16686");

    String text = StatusTables.render(status);

    assertThat(text)
        .contains(
            "coordinator grpc+tcp://127.0.0.1:8888 (ready)",
            "1 live data servers, 1 datasets, 1 conflicts")
        .contains("grpc+tcp://127.0.0.1:8888 (this one)  s1")
        .contains(
            "s1  grpc+tcp://127.0.0.1:8889  1.5 s ago",
            "123,456 B",
            "UNAVAILABLE: server is shutting down")
        .contains("trips (conflict)  1,000  2,048  1          2         s1, s2")
        .contains("aa: s1; bb: s2")
        .contains("THROUGHPUT  last 10 s: 4,096 B/s, 100 rows/s")
        .contains("http://jaeger:16686/trace/abc");
  }
}
