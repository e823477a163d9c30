package dev.flightcluster.cli.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Finds the Jaeger UI next to an OTLP endpoint, so the demo can print a link to its trace: Jaeger
 * serves OTLP on 4317/4318 and its UI and query API on 16686 of the same host.
 */
final class JaegerUi {
  static final int PORT = 16686;

  private JaegerUi() {}

  /** The UI's base URL if {@code endpoint}'s host answers Jaeger's query API on port 16686. */
  static Optional<URI> near(String endpoint, Duration timeout) {
    String host;
    try {
      host = URI.create(endpoint).getHost();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    return host == null ? Optional.empty() : at(host, PORT, timeout);
  }

  /**
   * The UI's base URL if {@code host:port} answers Jaeger's {@code /api/services}.
   *
   * @param host as in a URI (an IPv6 address in brackets)
   */
  static Optional<URI> at(String host, int port, Duration timeout) {
    URI base = URI.create("http://" + host + ":" + port);
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build()) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(base.resolve("/api/services")).timeout(timeout).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      // Jaeger answers {"data":[...],"total":N,...}; anything else on that port is not it.
      return response.statusCode() == 200 && response.body().contains("\"data\"")
          ? Optional.of(base)
          : Optional.empty();
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** The page of one trace. */
  static URI traceUrl(URI base, String traceId) {
    return base.resolve("/trace/" + traceId);
  }
}
