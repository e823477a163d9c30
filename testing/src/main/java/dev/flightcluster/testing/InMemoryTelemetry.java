package dev.flightcluster.testing;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.otel.FlightTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;

/**
 * One service's OpenTelemetry SDK for tests: its own {@code service.name}, W3C propagation, and an
 * in-memory exporter that sees every ended span at once. Several of these in one JVM stand for
 * several processes, as in a real cluster.
 */
public final class InMemoryTelemetry implements AutoCloseable {
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

  private final String serviceName;
  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final OpenTelemetrySdk sdk;
  private final FlightTelemetry flightTelemetry;

  private InMemoryTelemetry(String serviceName) {
    this.serviceName = requireNonNull(serviceName, "serviceName is null");
    SdkTracerProvider tracerProvider =
        SdkTracerProvider.builder()
            .setResource(Resource.getDefault().toBuilder().put(SERVICE_NAME, serviceName).build())
            .addSpanProcessor(SimpleSpanProcessor.create(exporter))
            .build();
    this.sdk =
        OpenTelemetrySdk.builder()
            .setTracerProvider(tracerProvider)
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build();
    this.flightTelemetry = FlightTelemetry.create(sdk);
  }

  /** A new SDK whose spans carry {@code service.name = serviceName}. */
  public static InMemoryTelemetry forService(String serviceName) {
    return new InMemoryTelemetry(serviceName);
  }

  public String serviceName() {
    return serviceName;
  }

  public OpenTelemetrySdk sdk() {
    return sdk;
  }

  public FlightTelemetry flightTelemetry() {
    return flightTelemetry;
  }

  /** Every span this service has ended so far. */
  public List<SpanData> spans() {
    return exporter.getFinishedSpanItems();
  }

  /** Forgets the spans seen so far. */
  public void reset() {
    exporter.reset();
  }

  @Override
  public void close() {
    sdk.close();
  }
}
