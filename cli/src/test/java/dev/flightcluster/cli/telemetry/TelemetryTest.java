package dev.flightcluster.cli.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcluster.cli.otlp.OtlpHttpReceiver;
import dev.flightcluster.cli.otlp.ReceivedSpan;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.autoconfigure.spi.internal.DefaultConfigProperties;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TelemetryTest {
  @Test
  void serviceNameDefaultsToTheRoleAndSpansAreFlushedOnClose() throws Exception {
    try (OtlpHttpReceiver receiver = OtlpHttpReceiver.start()) {
      Telemetry telemetry = Telemetry.start("coordinator", exportTo(receiver, Map.of()));
      assertThat(telemetry.enabled()).isTrue();
      assertThat(telemetry.serviceName()).isEqualTo("coordinator");
      assertThat(telemetry.endpoint()).isEqualTo(receiver.tracesEndpoint());
      Span span = telemetry.openTelemetry().getTracer("test").spanBuilder("say_hello").startSpan();
      span.end();
      telemetry.close();
      telemetry.close();

      assertThat(receiver.spans())
          .singleElement()
          .satisfies(
              received -> {
                assertThat(received.name()).isEqualTo("say_hello");
                assertThat(received.serviceName()).isEqualTo("coordinator");
                assertThat(received.traceId()).isEqualTo(span.getSpanContext().getTraceId());
              });
    }
  }

  @Test
  void configuredServiceNameWins() throws Exception {
    try (OtlpHttpReceiver receiver = OtlpHttpReceiver.start()) {
      try (Telemetry telemetry =
          Telemetry.start("server", exportTo(receiver, Map.of("otel.service.name", "edge-7")))) {
        telemetry.openTelemetry().getTracer("test").spanBuilder("x").startSpan().end();
      }
      try (Telemetry telemetry =
          Telemetry.start(
              "server",
              exportTo(
                  receiver, Map.of("otel.resource.attributes", "service.name=from-resource")))) {
        telemetry.openTelemetry().getTracer("test").spanBuilder("y").startSpan().end();
      }
      try (Telemetry telemetry =
          Telemetry.start(
              "server",
              exportTo(
                  receiver,
                  Map.of("otel.resource.attributes", "deployment.environment.name=test")))) {
        telemetry.openTelemetry().getTracer("test").spanBuilder("z").startSpan().end();
      }
      assertThat(receiver.spans())
          .extracting(ReceivedSpan::serviceName)
          .containsExactly("edge-7", "from-resource", "server");
    }
  }

  @Test
  void disabledSdkIsNoop() {
    try (Telemetry telemetry = Telemetry.start("client", Map.of("otel.sdk.disabled", "true"))) {
      assertThat(telemetry.enabled()).isFalse();
      Span span = telemetry.openTelemetry().getTracer("test").spanBuilder("x").startSpan();
      assertThat(span.getSpanContext().isValid()).isFalse();
      span.end();
    }
  }

  @Test
  void tracesEndpointFollowsTheProtocol() {
    assertThat(endpoint(Map.of())).isEqualTo("http://localhost:4317");
    assertThat(endpoint(Map.of("otel.exporter.otlp.protocol", "grpc")))
        .isEqualTo("http://localhost:4317");
    assertThat(endpoint(Map.of("otel.exporter.otlp.protocol", "http/protobuf")))
        .isEqualTo("http://localhost:4318/v1/traces");
    assertThat(
            endpoint(
                Map.of(
                    "otel.exporter.otlp.protocol", "http/protobuf",
                    "otel.exporter.otlp.endpoint", "http://collector:4318/")))
        .isEqualTo("http://collector:4318/v1/traces");
    assertThat(endpoint(Map.of("otel.exporter.otlp.endpoint", "http://collector:4317")))
        .isEqualTo("http://collector:4317");
    assertThat(
            endpoint(
                Map.of(
                    "otel.exporter.otlp.endpoint", "http://collector:4317",
                    "otel.exporter.otlp.traces.endpoint", "http://traces:4317")))
        .isEqualTo("http://traces:4317");
  }

  private static String endpoint(Map<String, String> properties) {
    return Telemetry.tracesEndpoint(DefaultConfigProperties.createFromMap(properties));
  }

  private static Map<String, String> exportTo(OtlpHttpReceiver receiver, Map<String, String> more) {
    Map<String, String> properties = new HashMap<>(more);
    properties.put("otel.exporter.otlp.protocol", "http/protobuf");
    properties.put("otel.exporter.otlp.endpoint", receiver.endpoint());
    properties.put("otel.bsp.schedule.delay", "10");
    return properties;
  }
}
