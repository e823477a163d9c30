package dev.flightcluster.cli.coordinator;

import dev.flightcluster.coordinator.CoordinatorBuilder;
import java.net.URI;
import picocli.CommandLine.Option;

/** The coordinator's status page options: {@code --http-port} and {@code --jaeger-url}. */
public final class HttpOptions {
  @Option(
      names = "--http-port",
      defaultValue = "${env:FLIGHT_HTTP_PORT:-" + CoordinatorBuilder.DEFAULT_HTTP_PORT + "}",
      paramLabel = "PORT",
      description =
          "Port of the status page (/), its JSON (/api/cluster) and the probes /healthz and"
              + " /readyz, on the --host address; 0 picks a free one (env FLIGHT_HTTP_PORT).")
  int port;

  @Option(
      names = "--jaeger-url",
      defaultValue = "${env:FLIGHT_JAEGER_URL}",
      paramLabel = "URL",
      description =
          "The Jaeger UI, e.g. http://localhost:16686: the status page links slow reads to their"
              + " traces there (env FLIGHT_JAEGER_URL).")
  URI jaegerUrl;

  /**
   * Sets the status page's options on a coordinator's builder; invalid values are its errors. Who
   * may look follows the coordinator's own authentication (decisions D72).
   */
  CoordinatorBuilder applyTo(CoordinatorBuilder builder) {
    builder.httpPort(port);
    if (jaegerUrl != null) {
      builder.jaegerUrl(jaegerUrl);
    }
    return builder;
  }
}
