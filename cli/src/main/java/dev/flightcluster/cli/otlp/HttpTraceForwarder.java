package dev.flightcluster.cli.otlp;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** OTLP/HTTP: {@code POST} of the binary protobuf to the traces URL. */
final class HttpTraceForwarder implements TraceForwarder {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final URI tracesUri;
  private final Map<String, String> headers;
  private final HttpClient http;

  HttpTraceForwarder(String tracesEndpoint, Map<String, String> headers) {
    this.tracesUri = URI.create(tracesEndpoint);
    if (tracesUri.getScheme() == null || tracesUri.getHost() == null) {
      throw new IllegalArgumentException(
          "OTLP traces endpoint must be an http(s) URL, not '" + tracesEndpoint + "'");
    }
    this.headers = Map.copyOf(headers);
    this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  }

  @Override
  public void forward(byte[] exportTraceServiceRequest) throws IOException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(tracesUri)
            .timeout(TIMEOUT)
            .header("Content-Type", "application/x-protobuf")
            .POST(HttpRequest.BodyPublishers.ofByteArray(exportTraceServiceRequest));
    headers.forEach(request::header);
    HttpResponse<Void> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (response.statusCode() / 100 != 2) {
      throw new IOException("HTTP status " + response.statusCode());
    }
  }

  @Override
  public String destination() {
    return tracesUri + " over http/protobuf";
  }

  @Override
  public void close() {
    http.close();
  }
}
