package dev.flightcluster.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class StatusHttpServerTest {
  @Test
  void aFailingStatusIs500AndTheServerKeepsAnswering() throws Exception {
    try (StatusHttpServer server =
            new StatusHttpServer(
                new InetSocketAddress("127.0.0.1", 0),
                () -> {
                  throw new IllegalStateException("broken on purpose");
                },
                () -> true,
                HttpAuth.allowAll());
        HttpClient http = HttpClient.newHttpClient()) {
      server.start();
      URI base = server.uri("127.0.0.1");

      HttpResponse<String> failed =
          http.send(
              HttpRequest.newBuilder(base.resolve("/api/cluster")).build(),
              HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> health =
          http.send(
              HttpRequest.newBuilder(base.resolve("/healthz")).build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(failed.statusCode()).isEqualTo(500);
      assertThat(failed.body()).doesNotContain("broken on purpose");
      assertThat(health.statusCode()).isEqualTo(200);
    }
  }
}
