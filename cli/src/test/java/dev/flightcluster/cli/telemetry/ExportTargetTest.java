package dev.flightcluster.cli.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.sdk.autoconfigure.spi.internal.DefaultConfigProperties;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ExportTargetTest {
  @Test
  void nothingWithoutAnExplicitEndpoint() {
    assertThat(target(Map.of())).isEmpty();
    assertThat(target(Map.of("otel.exporter.otlp.protocol", "http/protobuf"))).isEmpty();
  }

  @Test
  void grpcByDefaultToTheBaseEndpoint() {
    assertThat(target(Map.of("otel.exporter.otlp.endpoint", "http://jaeger:4317")))
        .contains(new ExportTarget("grpc", "http://jaeger:4317", Map.of()));
  }

  @Test
  void httpToTheTracesPathWithHeaders() {
    assertThat(
            target(
                Map.of(
                    "otel.exporter.otlp.protocol", "http/protobuf",
                    "otel.exporter.otlp.endpoint", "http://collector:4318/",
                    "otel.exporter.otlp.headers", "x-tenant=demo,x-other=1",
                    "otel.exporter.otlp.traces.headers", "x-other=2")))
        .contains(
            new ExportTarget(
                "http/protobuf",
                "http://collector:4318/v1/traces",
                Map.of("x-tenant", "demo", "x-other", "2")));
  }

  @Test
  void tracesSpecificSettingsWin() {
    assertThat(
            target(
                Map.of(
                    "otel.exporter.otlp.endpoint", "http://collector:4317",
                    "otel.exporter.otlp.traces.protocol", "http/protobuf",
                    "otel.exporter.otlp.traces.endpoint", "http://traces:4318/custom")))
        .contains(new ExportTarget("http/protobuf", "http://traces:4318/custom", Map.of()));
  }

  @Test
  void nothingWhenTracingIsOffOrNotOverOtlp() {
    Map<String, String> endpoint = Map.of("otel.exporter.otlp.endpoint", "http://jaeger:4317");
    assertThat(target(with(endpoint, "otel.sdk.disabled", "true"))).isEmpty();
    assertThat(target(with(endpoint, "otel.traces.exporter", "none"))).isEmpty();
    assertThat(target(with(endpoint, "otel.traces.exporter", "console,otlp"))).isPresent();
  }

  @Test
  void configurationReadsSystemProperties() {
    Map<String, String> properties =
        Map.of(
            "otel.exporter.otlp.traces.protocol", "http/protobuf",
            "otel.exporter.otlp.traces.endpoint", "http://from-property:4318/v1/traces");
    Map<String, String> before = new HashMap<>();
    properties.forEach((key, value) -> before.put(key, System.setProperty(key, value)));
    try {
      assertThat(ExportTarget.explicit(Telemetry.configuration()))
          .contains(
              new ExportTarget("http/protobuf", "http://from-property:4318/v1/traces", Map.of()));
    } finally {
      before.forEach(
          (key, value) -> {
            if (value == null) {
              System.clearProperty(key);
            } else {
              System.setProperty(key, value);
            }
          });
    }
  }

  private static Optional<ExportTarget> target(Map<String, String> properties) {
    Map<String, String> withDefaults = new HashMap<>(Telemetry.DEFAULTS);
    withDefaults.putAll(properties);
    return ExportTarget.explicit(DefaultConfigProperties.createFromMap(withDefaults));
  }

  private static Map<String, String> with(
      Map<String, String> properties, String key, String value) {
    Map<String, String> copy = new HashMap<>(properties);
    copy.put(key, value);
    return copy;
  }
}
