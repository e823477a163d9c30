package dev.flightcluster.testing;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.otel.FlightTelemetry;
import dev.flightcluster.otel.metrics.FlightMetrics;
import dev.flightcluster.otel.metrics.StableRpcConventions;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentSelector;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProviderBuilder;
import io.opentelemetry.sdk.metrics.View;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * One service's OpenTelemetry SDK for tests: its own {@code service.name}, W3C propagation, an
 * in-memory exporter that sees every ended span at once, and an in-memory metric reader that
 * collects on demand (cumulative, as Prometheus sees the metrics). Several of these in one JVM
 * stand for several processes, as in a real cluster.
 */
public final class InMemoryTelemetry implements AutoCloseable {
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

  private final String serviceName;
  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final InMemoryMetricReader metricReader = InMemoryMetricReader.create();
  private final OpenTelemetrySdk sdk;
  private final FlightTelemetry flightTelemetry;

  private InMemoryTelemetry(String serviceName) {
    this.serviceName = requireNonNull(serviceName, "serviceName is null");
    // As every process of the cluster does, before the first gRPC instrumentation is built.
    StableRpcConventions.optIn();
    Resource resource = Resource.getDefault().toBuilder().put(SERVICE_NAME, serviceName).build();
    SdkTracerProvider tracerProvider =
        SdkTracerProvider.builder()
            .setResource(resource)
            .addSpanProcessor(SimpleSpanProcessor.create(exporter))
            .build();
    SdkMeterProviderBuilder meterProvider =
        SdkMeterProvider.builder().setResource(resource).registerMetricReader(metricReader);
    // The same seconds buckets as the CLI's SDK gives the RPC durations.
    for (String rpcDuration : FlightMetrics.RPC_DURATIONS) {
      meterProvider.registerView(
          InstrumentSelector.builder().setName(rpcDuration).build(),
          View.builder()
              .setAggregation(
                  Aggregation.explicitBucketHistogram(FlightMetrics.DURATION_BUCKETS_SECONDS))
              .setAttributeFilter(FlightMetrics.RPC_DURATION_ATTRIBUTES)
              .build());
    }
    this.sdk =
        OpenTelemetrySdk.builder()
            .setTracerProvider(tracerProvider)
            .setMeterProvider(meterProvider.build())
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

  /** Every metric this service has recorded so far, collected now, cumulative since the start. */
  public Collection<MetricData> metrics() {
    return metricReader.collectAllMetrics();
  }

  /**
   * The value of a long counter, up-down counter or gauge for exactly these attributes, collected
   * now; empty when nothing was recorded for them.
   */
  public OptionalLong longValue(String name, Attributes attributes) {
    return points(name).stream()
        .filter(point -> point instanceof LongPointData && point.getAttributes().equals(attributes))
        .mapToLong(point -> ((LongPointData) point).getValue())
        .findFirst();
  }

  /** The value of a double gauge or sum for exactly these attributes, collected now. */
  public OptionalDouble doubleValue(String name, Attributes attributes) {
    return points(name).stream()
        .filter(
            point -> point instanceof DoublePointData && point.getAttributes().equals(attributes))
        .mapToDouble(point -> ((DoublePointData) point).getValue())
        .findFirst();
  }

  /** The histogram point for exactly these attributes, collected now. */
  public Optional<HistogramPointData> histogram(String name, Attributes attributes) {
    return points(name).stream()
        .filter(
            point ->
                point instanceof HistogramPointData && point.getAttributes().equals(attributes))
        .map(HistogramPointData.class::cast)
        .findFirst();
  }

  /** Every point of the metric {@code name}, collected now. */
  public List<PointData> points(String name) {
    return metrics().stream()
        .filter(metric -> metric.getName().equals(name))
        .flatMap(metric -> metric.getData().getPoints().stream())
        .map(PointData.class::cast)
        .toList();
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
