package dev.flightcluster.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The heartbeat's optional stats: compatible both ways, and bounded whatever a sender puts in. */
class HeartbeatStatsTest {
  @Test
  void aHeartbeatWithoutStatsIsWhatOldServersSendAndDecodesWithNone() {
    byte[] old =
        "{\"server_id\":\"s1\",\"listing_version\":3,\"active_streams\":1}"
            .getBytes(StandardCharsets.UTF_8);

    assertThat(Messages.decode(old, Heartbeat.class)).isEqualTo(new Heartbeat("s1", 3, 1));
    assertThat(new String(Messages.encode(new Heartbeat("s1", 3, 1)), StandardCharsets.UTF_8))
        .isEqualTo("{\"server_id\":\"s1\",\"listing_version\":3,\"active_streams\":1}");
  }

  @Test
  void statsRoundTripWithTheirWireNames() {
    ServerStats stats =
        new ServerStats(
            10,
            2,
            new ServerStats.LastError("UNAVAILABLE", "gone", 5),
            List.of(new ServerStats.SlowRequest("trips", 900, "ab", 6)),
            List.of("grpc://c1:8888"));
    Heartbeat beat = new Heartbeat("s1", 3, 1, stats);

    String json = new String(Messages.encode(beat), StandardCharsets.UTF_8);

    assertThat(json)
        .contains("\"bytes_streamed\":10", "\"slow_requests\":[{", "\"trace_id\":\"ab\"");
    assertThat(Messages.decode(json.getBytes(StandardCharsets.UTF_8), Heartbeat.class))
        .isEqualTo(beat);
  }

  @Test
  void listsAndTheErrorMessageAreCutToTheirBounds() {
    List<ServerStats.SlowRequest> many =
        IntStream.range(0, 50)
            .mapToObj(i -> new ServerStats.SlowRequest("d" + i, i, null, i))
            .toList();
    List<String> coordinators = Collections.nCopies(100, "grpc://c:1");
    String longMessage = "x".repeat(10_000);

    ServerStats stats =
        Messages.decode(
            Messages.encode(
                new ServerStats(
                    0,
                    0,
                    new ServerStats.LastError("INTERNAL", longMessage, 0),
                    many,
                    coordinators)),
            ServerStats.class);

    assertThat(stats.slowRequests()).hasSize(ServerStats.MAX_SLOW_REQUESTS);
    assertThat(stats.coordinators()).hasSize(ServerStats.MAX_COORDINATORS);
    assertThat(stats.lastError().message()).hasSize(ServerStats.MAX_ERROR_CHARS + 1);
  }
}
