package dev.flightcluster.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcluster.coordinator.http.HttpAuth;
import dev.flightcluster.protocol.ClusterActions;
import dev.flightcluster.protocol.ClusterStatus;
import dev.flightcluster.protocol.Heartbeat;
import dev.flightcluster.protocol.HeartbeatReply;
import dev.flightcluster.protocol.Messages;
import dev.flightcluster.protocol.ServerStats;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The coordinator's HTTP side: /api/cluster, the page, the probes, errors and the auth hook. */
class StatusPageTest {
  private static final URI JAEGER = URI.create("http://jaeger.example:16686");

  private final HttpClient http = HttpClient.newHttpClient();
  private CoordinatorHarness harness;

  @AfterEach
  void tearDown() throws Exception {
    http.close();
    if (harness != null) {
      harness.close();
    }
  }

  private CoordinatorHarness start(boolean warm, Consumer<CoordinatorBuilder> configure)
      throws Exception {
    harness =
        new CoordinatorHarness(
            warm, builder -> configure.accept(builder.httpPort(0).jaegerUrl(JAEGER)));
    return harness;
  }

  private HttpResponse<String> get(String path) throws Exception {
    return send(HttpRequest.newBuilder(page().resolve(path)).GET().build());
  }

  private HttpResponse<String> send(HttpRequest request) throws Exception {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private URI page() {
    return harness.coordinator.statusPage().orElseThrow();
  }

  private ClusterStatus status() throws Exception {
    HttpResponse<String> response = get("/api/cluster");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    return Messages.decode(response.body().getBytes(), ClusterStatus.class);
  }

  private void heartbeat(String id, ServerStats stats) {
    assertThat(
            harness
                .action(
                    ClusterActions.HEARTBEAT, new Heartbeat(id, 1, 2, stats), HeartbeatReply.class)
                .known())
        .isTrue();
  }

  private static ServerStats stats(long bytes, long rows, String selfAddress) {
    return new ServerStats(
        bytes,
        rows,
        new ServerStats.LastError("UNAVAILABLE", "cannot read dataset 'trips'", 1_000),
        List.of(
            new ServerStats.SlowRequest("trips", 1500, "0af7651916cd43dd8448eb211c80319c", 2_000)),
        List.of(selfAddress, "grpc+tcp://10.0.0.9:8888"));
  }

  @Test
  void apiClusterShowsTheLiveServersTheirDatasetsActivityAndThroughput() throws Exception {
    start(true, builder -> {});
    String self = harness.coordinator.location().getUri().toString();
    harness.hello(harness.startServer("s1").holds("trips=aa", "zones=bb"));
    harness.hello(harness.startServer("s2").holds("trips=aa"));
    heartbeat("s1", stats(1_000, 10, self));
    // The next sample is taken at least five seconds later; its increase is the throughput. The
    // harness's clock starts on an interval's boundary, so after ten seconds that one is complete.
    harness.clock.advance(Duration.ofSeconds(6));
    heartbeat("s1", stats(31_000, 310, self));
    assertThat(harness.heartbeat("s2", 1, 0).known()).isTrue();
    harness.clock.advance(Duration.ofSeconds(4));

    ClusterStatus status = status();

    assertThat(status.coordinator().location()).isEqualTo(self);
    assertThat(status.coordinator().warm()).isTrue();
    assertThat(status.jaegerUrl()).isEqualTo(JAEGER.toString());
    assertThat(status.servers()).extracting(ClusterStatus.Server::id).containsExactly("s1", "s2");
    ClusterStatus.Server s1 = status.servers().get(0);
    assertThat(s1.datasets()).containsExactly("trips", "zones");
    assertThat(s1.activeStreams()).isEqualTo(2);
    assertThat(s1.bytesStreamed()).isEqualTo(31_000);
    assertThat(s1.rowsStreamed()).isEqualTo(310);
    assertThat(s1.heartbeatAgeMillis()).isEqualTo(4_000);
    assertThat(s1.lastError().message()).isEqualTo("cannot read dataset 'trips'");
    ClusterStatus.Server s2 = status.servers().get(1);
    assertThat(s2.bytesStreamed()).as("s2 reported nothing yet").isZero();
    assertThat(s2.lastError()).isNull();

    assertThat(status.datasets())
        .containsExactly(
            new ClusterStatus.Dataset("trips", 10, 1000, 1, 2, List.of("s1", "s2"), false),
            new ClusterStatus.Dataset("zones", 10, 1000, 1, 1, List.of("s1"), false));
    assertThat(status.conflicts()).isEmpty();
    assertThat(status.slowRequests())
        .containsExactly(
            new ClusterStatus.SlowRequest(
                "s1", "trips", 1500, "0af7651916cd43dd8448eb211c80319c", 2_000));
    assertThat(status.coordinators())
        .containsExactly(
            new ClusterStatus.KnownCoordinator(self, true, List.of("s1")),
            new ClusterStatus.KnownCoordinator("grpc+tcp://10.0.0.9:8888", false, List.of("s1")));

    assertThat(status.throughput()).hasSize(ServerActivity.INTERVALS);
    double streamed =
        status.throughput().stream().mapToDouble(s -> s.bytesPerSecond() * s.seconds()).sum();
    double rows =
        status.throughput().stream().mapToDouble(s -> s.rowsPerSecond() * s.seconds()).sum();
    assertThat(streamed).isEqualTo(30_000.0);
    assertThat(rows).isEqualTo(300.0);
  }

  @Test
  void aServerWhoseLeaseRanOutDisappearsWithItsDatasets() throws Exception {
    start(true, builder -> {});
    harness.hello(harness.startServer("s1").holds("trips=aa"));
    harness.hello(harness.startServer("s2").holds("zones=bb"));
    harness.clock.advance(CoordinatorHarness.LEASE.minusMillis(1));
    heartbeat("s2", stats(0, 0, "grpc+tcp://elsewhere:1"));
    harness.clock.advance(Duration.ofMillis(1));

    ClusterStatus status = status();

    assertThat(status.servers()).extracting(ClusterStatus.Server::id).containsExactly("s2");
    assertThat(status.datasets()).extracting(ClusterStatus.Dataset::name).containsExactly("zones");
  }

  @Test
  void conflictsAreListedAndMarkTheirDataset() throws Exception {
    start(true, builder -> {});
    harness.hello(harness.startServer("s1").holds("trips=aa"));
    harness.hello(harness.startServer("s2").holds("trips=bb"));

    ClusterStatus status = status();

    assertThat(status.conflicts())
        .singleElement()
        .satisfies(c -> assertThat(c.dataset()).isEqualTo("trips"));
    assertThat(status.datasets())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.conflicted()).isTrue();
              assertThat(d.servers()).containsExactly("s1", "s2");
            });
  }

  @Test
  void clusterStatusActionAnswersTheSameDataOverFlight() throws Exception {
    start(true, builder -> {});
    harness.hello(harness.startServer("s1").holds("trips=aa"));

    ClusterStatus overFlight =
        Messages.decode(
            harness.rawAction(ClusterActions.CLUSTER_STATUS, new byte[0]).get(0).getBody(),
            ClusterStatus.class);

    assertThat(overFlight).isEqualTo(status());
  }

  @Test
  void healthzAnswersAtOnceAndReadyzOnceWarm() throws Exception {
    start(false, builder -> {});

    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    HttpResponse<String> warming = get("/readyz");
    assertThat(warming.statusCode()).isEqualTo(503);
    assertThat(warming.body()).contains("warming up");
    assertThat(status().coordinator().warm()).isFalse();

    harness.clock.advance(CoordinatorHarness.LEASE);
    assertThat(harness.coordinator.isWarm()).isTrue();
    assertThat(get("/readyz").statusCode()).isEqualTo(200);
  }

  @Test
  void thePageAndItsScriptAreServedFromTheClasspath() throws Exception {
    start(true, builder -> {});

    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("Content-Security-Policy"))
        .hasValueSatisfying(csp -> assertThat(csp).contains("default-src 'self'"));
    assertThat(page.body()).contains("<script src=\"status.js\"", "id=\"servers\"");
    HttpResponse<String> script = get("/status.js");
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("Content-Type"))
        .hasValue("text/javascript; charset=utf-8");
    assertThat(script.body()).contains("api/cluster");
  }

  @Test
  void unknownPathsAre404AndOtherMethodsThanGetAre405() throws Exception {
    start(true, builder -> {});

    assertThat(get("/metrics").statusCode()).isEqualTo(404);
    assertThat(get("/api/cluster/extra").statusCode()).isEqualTo(404);
    HttpResponse<String> post =
        send(
            HttpRequest.newBuilder(page().resolve("/api/cluster"))
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    HttpResponse<String> head =
        send(
            HttpRequest.newBuilder(page().resolve("/api/cluster"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build());
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
  }

  @Test
  void theAuthHookGuardsThePageAndTheApiButNotTheProbes() throws Exception {
    HttpAuth auth =
        (authorization, remote) -> {
          if (authorization == null) {
            return HttpAuth.Decision.unauthenticated("log in to see the cluster");
          }
          return authorization.equals("Bearer reader")
              ? HttpAuth.Decision.ALLOW
              : HttpAuth.Decision.forbidden("this user may not read");
        };
    start(true, builder -> builder.httpAuth(auth));

    HttpResponse<String> anonymous = get("/api/cluster");
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(challenge -> assertThat(challenge).contains("Basic", "Bearer"));
    assertThat(get("/").statusCode()).isEqualTo(401);
    assertThat(
            send(HttpRequest.newBuilder(page().resolve("/api/cluster"))
                    .header("Authorization", "Bearer writer-only")
                    .build())
                .statusCode())
        .isEqualTo(403);
    assertThat(
            send(HttpRequest.newBuilder(page().resolve("/api/cluster"))
                    .header("Authorization", "Bearer reader")
                    .build())
                .statusCode())
        .isEqualTo(200);
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    assertThat(get("/readyz").statusCode()).isEqualTo(200);
  }

  @Test
  void theBuilderRefusesABadPortOrJaegerUrlAndServesNoPageUnlessAsked() throws Exception {
    try (RootAllocator allocator = new RootAllocator();
        var telemetry = dev.flightcluster.testing.InMemoryTelemetry.forService("coordinator")) {
      CoordinatorBuilder builder = Coordinator.builder(allocator, telemetry.flightTelemetry());
      assertThatThrownBy(() -> builder.httpPort(-1)).hasMessageContaining("0..65535");
      assertThatThrownBy(() -> builder.httpPort(65_536)).hasMessageContaining("0..65535");
      assertThatThrownBy(() -> builder.jaegerUrl(URI.create("ftp://jaeger:21")))
          .hasMessageContaining("http or https");
      try (Coordinator plain =
          builder.location(Location.forGrpcInsecure("127.0.0.1", 0)).build().start()) {
        assertThat(plain.statusPage()).isEmpty();
      }
    }
  }
}
