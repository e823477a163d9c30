package dev.flightcluster.cli.telemetry;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a configuration sends spans over OTLP, as the SDK's exporter would: the protocol, the
 * traces endpoint (for gRPC the base URL, for HTTP the full {@code /v1/traces} URL) and the extra
 * headers.
 */
public record ExportTarget(String protocol, String tracesEndpoint, Map<String, String> headers) {
  public ExportTarget {
    requireNonNull(protocol, "protocol is null");
    requireNonNull(tracesEndpoint, "tracesEndpoint is null");
    headers = Map.copyOf(headers);
  }

  /**
   * The target the user chose, if any: empty unless an endpoint is set ({@code
   * OTEL_EXPORTER_OTLP_ENDPOINT} or {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}), and empty when the
   * SDK is disabled or traces are not exported over OTLP. The built-in default endpoint does not
   * count: with nothing set, nothing is sent anywhere.
   */
  public static Optional<ExportTarget> explicit(ConfigProperties config) {
    requireNonNull(config, "config is null");
    if (config.getBoolean("otel.sdk.disabled", false)
        || !config.getList("otel.traces.exporter", List.of("otlp")).contains("otlp")) {
      return Optional.empty();
    }
    if (config.getString("otel.exporter.otlp.traces.endpoint") == null
        && config.getString("otel.exporter.otlp.endpoint") == null) {
      return Optional.empty();
    }
    String protocol =
        config.getString(
            "otel.exporter.otlp.traces.protocol",
            config.getString("otel.exporter.otlp.protocol", "grpc"));
    Map<String, String> headers = new HashMap<>(config.getMap("otel.exporter.otlp.headers"));
    headers.putAll(config.getMap("otel.exporter.otlp.traces.headers"));
    return Optional.of(new ExportTarget(protocol, Telemetry.tracesEndpoint(config), headers));
  }
}
