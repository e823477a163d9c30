package dev.flightcluster.bench.coordinator;

import dev.flightcluster.otel.FlightTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The OpenTelemetry of one simulated service. {@link Mode#NOOP} records nothing and propagates
 * nothing. {@link Mode#SDK} is what production runs: an SDK with W3C propagation, the default
 * parent-based always-on sampler, and a batch span processor, whose exporter counts the spans and
 * drops them (the cost of a real OTLP exporter is the collector's business, not the coordinator's).
 */
final class BenchTelemetry implements AutoCloseable {
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

  enum Mode {
    NOOP,
    SDK
  }

  private final OpenTelemetrySdk sdk;
  private final FlightTelemetry flightTelemetry;
  private final AtomicLong exportedSpans = new AtomicLong();
  private final LatencySamples listFlightsServerNanos = new LatencySamples(100_000);

  private BenchTelemetry(Mode mode, String serviceName) {
    if (mode == Mode.SDK) {
      SpanExporter counting =
          new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
              exportedSpans.addAndGet(spans.size());
              for (SpanData span : spans) {
                if (span.getKind() == SpanKind.SERVER && span.getName().endsWith("/ListFlights")) {
                  synchronized (listFlightsServerNanos) {
                    listFlightsServerNanos.add(span.getEndEpochNanos() - span.getStartEpochNanos());
                  }
                }
              }
              return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode flush() {
              return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
              return CompletableResultCode.ofSuccess();
            }
          };
      SdkTracerProvider tracerProvider =
          SdkTracerProvider.builder()
              .setResource(Resource.getDefault().toBuilder().put(SERVICE_NAME, serviceName).build())
              .addSpanProcessor(
                  BatchSpanProcessor.builder(counting)
                      .setScheduleDelay(Duration.ofMillis(200))
                      .setMaxQueueSize(16_384)
                      .build())
              .build();
      this.sdk =
          OpenTelemetrySdk.builder()
              .setTracerProvider(tracerProvider)
              .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
              .build();
      this.flightTelemetry = FlightTelemetry.create(sdk);
    } else {
      this.sdk = null;
      this.flightTelemetry = FlightTelemetry.create(OpenTelemetry.noop());
    }
  }

  static BenchTelemetry create(Mode mode, String serviceName) {
    return new BenchTelemetry(mode, serviceName);
  }

  /**
   * What the simulated data servers' registrar uses: no recording, but W3C propagation, so that
   * routine heartbeats carry the unsampled parent a real server sends (docs/decisions.md, D4).
   */
  static FlightTelemetry propagatingOnly() {
    return FlightTelemetry.create(
        OpenTelemetry.propagating(
            ContextPropagators.create(W3CTraceContextPropagator.getInstance())));
  }

  FlightTelemetry flightTelemetry() {
    return flightTelemetry;
  }

  /** Spans exported so far (0 without an SDK). */
  long exportedSpans() {
    if (sdk != null) {
      sdk.getSdkTracerProvider().forceFlush().join(5, java.util.concurrent.TimeUnit.SECONDS);
    }
    return exportedSpans.get();
  }

  /**
   * How long the coordinator's ListFlights server spans lasted, from the call's start until the
   * server closed it (every FlightInfo handed to gRPC): the server's side of a listing, without the
   * client's. Null without an SDK.
   */
  LatencySamples.Summary listFlightsServerSpans() {
    if (sdk == null) {
      return null;
    }
    exportedSpans();
    synchronized (listFlightsServerNanos) {
      return listFlightsServerNanos.summary();
    }
  }

  @Override
  public void close() {
    if (sdk != null) {
      sdk.close();
    }
  }
}
