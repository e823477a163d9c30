package dev.flightcluster.cli.telemetry;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.ExemplarData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.metrics.data.SumData;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code OTEL_METRICS_EXPORTER=prometheus}: a pull reader of the SDK that Prometheus scrapes over
 * HTTP. Prometheus's own Java client serves {@code /metrics} and writes the text, OpenMetrics and
 * protobuf formats (whichever the scraper asks for); this class only hands it what the SDK
 * collected, renamed by the OpenTelemetry-to-Prometheus rules: dots become underscores, the unit
 * becomes a suffix ({@code By} {@code _bytes}, {@code s} {@code _seconds}; counts in braces none),
 * monotonic sums are counters ({@code _total}), other sums and gauges are gauges, histograms keep
 * their buckets and their exemplars (trace and span id of the measurement, in OpenMetrics).
 *
 * <p>Why not {@code opentelemetry-exporter-prometheus}: its artifact is not served by the registry
 * this project builds from (decisions D67). Owns its HTTP server: {@link #shutdown} stops it.
 */
public final class PrometheusReader implements MetricReader, MultiCollector {
  private static final Logger log = LoggerFactory.getLogger(PrometheusReader.class);

  private final HTTPServer server;
  private volatile CollectionRegistration registration = CollectionRegistration.noop();

  private PrometheusReader(String host, int port) throws IOException {
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(this);
    this.server =
        HTTPServer.builder()
            .inetAddress(new InetSocketAddress(host, 0).getAddress())
            .port(port)
            .registry(registry)
            .buildAndStart();
  }

  /**
   * Serves {@code /metrics} on {@code host:port}; port 0 picks a free one, see {@link #port()}.
   *
   * @throws IOException when the port cannot be bound
   */
  public static PrometheusReader start(String host, int port) throws IOException {
    requireNonNull(host, "host is null");
    PrometheusReader reader = new PrometheusReader(host, port);
    log.info("Prometheus metrics at http://{}:{}/metrics", host, reader.port());
    return reader;
  }

  /** The port {@code /metrics} is served on. */
  public int port() {
    return server.getPort();
  }

  @Override
  public void register(CollectionRegistration registration) {
    this.registration = requireNonNull(registration, "registration is null");
  }

  @Override
  public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
    // Prometheus counters and histograms are totals since the process started.
    return AggregationTemporality.CUMULATIVE;
  }

  @Override
  public CompletableResultCode forceFlush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    server.close();
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public MetricSnapshots collect() {
    // One family per Prometheus name, even if two scopes used the same instrument name.
    Map<String, MetricSnapshot> families = new LinkedHashMap<>();
    for (MetricData metric : registration.collectAllMetrics()) {
      MetricSnapshot snapshot = convert(metric);
      if (snapshot != null) {
        families.putIfAbsent(snapshot.getMetadata().getPrometheusName(), snapshot);
      }
    }
    return new MetricSnapshots(families.values());
  }

  /**
   * The Prometheus family of one OpenTelemetry metric; null for kinds this project records none of.
   */
  static MetricSnapshot convert(MetricData metric) {
    String unit = prometheusUnit(metric.getUnit());
    // Classic Prometheus names: the client would keep the dots, which older servers cannot read.
    String name =
        PrometheusNaming.sanitizeMetricName(metric.getName().replaceAll("[^A-Za-z0-9_:]", "_"));
    if (unit != null && !name.endsWith("_" + unit)) {
      name = name + "_" + unit;
    }
    MetricMetadata metadata =
        new MetricMetadata(name, metric.getDescription(), unit == null ? null : new Unit(unit));
    return switch (metric.getType()) {
      case LONG_SUM -> sum(metadata, metric.getLongSumData());
      case DOUBLE_SUM -> sum(metadata, metric.getDoubleSumData());
      case LONG_GAUGE -> gauge(metadata, metric.getLongGaugeData().getPoints());
      case DOUBLE_GAUGE -> gauge(metadata, metric.getDoubleGaugeData().getPoints());
      case HISTOGRAM -> histogram(metadata, metric.getHistogramData().getPoints());
      case EXPONENTIAL_HISTOGRAM, SUMMARY -> null;
    };
  }

  private static MetricSnapshot sum(MetricMetadata metadata, SumData<? extends PointData> data) {
    if (!data.isMonotonic()) {
      return gauge(metadata, data.getPoints());
    }
    CounterSnapshot.Builder counter =
        CounterSnapshot.builder().name(metadata.getName()).help(metadata.getHelp());
    if (metadata.hasUnit()) {
      counter.unit(metadata.getUnit());
    }
    for (PointData point : data.getPoints()) {
      CounterSnapshot.CounterDataPointSnapshot.Builder dataPoint =
          CounterSnapshot.CounterDataPointSnapshot.builder()
              .labels(labels(point.getAttributes()))
              .value(value(point))
              .createdTimestampMillis(TimeUnit.NANOSECONDS.toMillis(point.getStartEpochNanos()));
      Exemplars exemplars = exemplars(point.getExemplars());
      if (exemplars.size() > 0) {
        dataPoint.exemplar(exemplars.getLatest());
      }
      counter.dataPoint(dataPoint.build());
    }
    return counter.build();
  }

  private static MetricSnapshot gauge(
      MetricMetadata metadata, Collection<? extends PointData> points) {
    GaugeSnapshot.Builder gauge =
        GaugeSnapshot.builder().name(metadata.getName()).help(metadata.getHelp());
    if (metadata.hasUnit()) {
      gauge.unit(metadata.getUnit());
    }
    for (PointData point : points) {
      gauge.dataPoint(
          GaugeSnapshot.GaugeDataPointSnapshot.builder()
              .labels(labels(point.getAttributes()))
              .value(value(point))
              .build());
    }
    return gauge.build();
  }

  private static MetricSnapshot histogram(
      MetricMetadata metadata, Collection<HistogramPointData> points) {
    HistogramSnapshot.Builder histogram =
        HistogramSnapshot.builder().name(metadata.getName()).help(metadata.getHelp());
    if (metadata.hasUnit()) {
      histogram.unit(metadata.getUnit());
    }
    for (HistogramPointData point : points) {
      List<Double> bounds = new ArrayList<>(point.getBoundaries());
      bounds.add(Double.POSITIVE_INFINITY);
      histogram.dataPoint(
          HistogramSnapshot.HistogramDataPointSnapshot.builder()
              .labels(labels(point.getAttributes()))
              .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, point.getCounts()))
              .sum(point.getSum())
              .exemplars(exemplars(point.getExemplars()))
              .createdTimestampMillis(TimeUnit.NANOSECONDS.toMillis(point.getStartEpochNanos()))
              .build());
    }
    return histogram.build();
  }

  private static double value(PointData point) {
    if (point instanceof LongPointData longPoint) {
      return longPoint.getValue();
    }
    return ((DoublePointData) point).getValue();
  }

  private static Labels labels(Attributes attributes) {
    Labels.Builder labels = Labels.builder();
    attributes.forEach(
        (AttributeKey<?> key, Object value) ->
            labels.label(
                PrometheusNaming.sanitizeLabelName(key.getKey().replaceAll("[^A-Za-z0-9_]", "_")),
                String.valueOf(value)));
    return labels.build();
  }

  private static Exemplars exemplars(List<? extends ExemplarData> exemplars) {
    List<Exemplar> converted = new ArrayList<>(exemplars.size());
    for (ExemplarData exemplar : exemplars) {
      SpanContext span = exemplar.getSpanContext();
      if (!span.isValid()) {
        continue;
      }
      double value =
          exemplar instanceof io.opentelemetry.sdk.metrics.data.LongExemplarData longExemplar
              ? longExemplar.getValue()
              : ((io.opentelemetry.sdk.metrics.data.DoubleExemplarData) exemplar).getValue();
      converted.add(
          Exemplar.builder()
              .value(value)
              .traceId(span.getTraceId())
              .spanId(span.getSpanId())
              .timestampMillis(TimeUnit.NANOSECONDS.toMillis(exemplar.getEpochNanos()))
              .build());
    }
    return Exemplars.of(converted);
  }

  /**
   * The Prometheus unit suffix of a UCUM unit, as OpenTelemetry's Prometheus compatibility rules
   * give it for the units this project uses; null for dimensionless counts ({@code {row}}, {@code
   * 1}).
   */
  static String prometheusUnit(String ucum) {
    if (ucum == null || ucum.isEmpty() || ucum.startsWith("{") || ucum.equals("1")) {
      return null;
    }
    return switch (ucum) {
      case "By" -> "bytes";
      case "KiBy" -> "kibibytes";
      case "MiBy" -> "mebibytes";
      case "s" -> "seconds";
      case "ms" -> "milliseconds";
      case "us" -> "microseconds";
      case "ns" -> "nanoseconds";
      case "min" -> "minutes";
      case "h" -> "hours";
      case "d" -> "days";
      default -> {
        String stripped = ucum.replaceAll("\\{[^}]*}", "").replaceAll("[^A-Za-z0-9_]", "_");
        yield stripped.replace("_", "").isEmpty() ? null : stripped;
      }
    };
  }
}
