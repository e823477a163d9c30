package dev.flightcluster.cli.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OtlpHttpReceiverTest {
  @Test
  void receivesSpansFromTheOtlpHttpExporter() throws Exception {
    try (OtlpHttpReceiver receiver = OtlpHttpReceiver.start()) {
      for (String compression : new String[] {"none", "gzip"}) {
        receiver.reset();
        SdkTracerProvider provider =
            SdkTracerProvider.builder()
                .setResource(
                    Resource.create(
                        Attributes.of(AttributeKey.stringKey("service.name"), "client")))
                .addSpanProcessor(
                    SimpleSpanProcessor.create(
                        OtlpHttpSpanExporter.builder()
                            .setEndpoint(receiver.tracesEndpoint())
                            .setCompression(compression)
                            .build()))
                .build();
        var tracer = provider.get("test");
        Span root = tracer.spanBuilder("list_and_get_all_flights").startSpan();
        try (Scope ignored = root.makeCurrent()) {
          tracer
              .spanBuilder("do_get")
              .setSpanKind(SpanKind.CLIENT)
              .setAttribute("num_rows", 42L)
              .setAttribute("flight.dataset", "sales.parquet")
              .startSpan()
              .setStatus(StatusCode.ERROR, "boom")
              .end();
        } finally {
          root.end();
        }
        provider.shutdown().join(10, TimeUnit.SECONDS);

        assertThat(receiver.spans()).hasSize(2);
        // Each span is its own export request, and requests may be served in any order.
        ReceivedSpan child = named(receiver, "do_get");
        ReceivedSpan parent = named(receiver, "list_and_get_all_flights");
        assertThat(parent.isRoot()).isTrue();
        assertThat(parent.name()).isEqualTo("list_and_get_all_flights");
        assertThat(parent.serviceName()).isEqualTo("client");
        assertThat(parent.traceId()).isEqualTo(root.getSpanContext().getTraceId());
        assertThat(child.parentSpanId()).isEqualTo(parent.spanId());
        assertThat(child.kind()).isEqualTo("CLIENT");
        assertThat(child.statusCode()).isEqualTo("ERROR");
        assertThat(child.attribute("num_rows")).isEqualTo(42L);
        assertThat(child.attribute("flight.dataset")).isEqualTo("sales.parquet");
        assertThat(child.endEpochNanos()).isGreaterThanOrEqualTo(child.startEpochNanos());
        assertThat(receiver.trace(parent.traceId())).hasSize(2);
      }
    }
  }

  private static ReceivedSpan named(OtlpHttpReceiver receiver, String name) {
    return receiver.spans().stream()
        .filter(span -> span.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void answersOtherSignalsAndRejectsGarbage() throws Exception {
    try (OtlpHttpReceiver receiver = OtlpHttpReceiver.start()) {
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<Void> metrics =
          http.send(
              HttpRequest.newBuilder(URI.create(receiver.endpoint() + "/v1/metrics"))
                  .header("Content-Type", "application/x-protobuf")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {1, 2, 3}))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      assertThat(metrics.statusCode()).isEqualTo(200);
      HttpResponse<Void> garbage =
          http.send(
              HttpRequest.newBuilder(URI.create(receiver.tracesEndpoint()))
                  .header("Content-Type", "application/x-protobuf")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {(byte) 0xff, 0x7f}))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      assertThat(garbage.statusCode()).isEqualTo(400);
      assertThat(receiver.spans()).isEmpty();
    }
  }
}
