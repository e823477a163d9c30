package dev.flightcluster.cli.telemetry;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.cli.logging.Logging;
import dev.flightcluster.otel.metrics.FlightMetrics;
import dev.flightcluster.otel.metrics.StableRpcConventions;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentSelector;
import io.opentelemetry.sdk.metrics.View;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenTelemetry SDK of one CLI process, configured from the standard {@code OTEL_*} environment
 * variables and system properties by the SDK's autoconfigure module, with these defaults:
 *
 * <ul>
 *   <li>{@code service.name} is the command's role ({@code client}, {@code coordinator}, {@code
 *       server}) unless {@code OTEL_SERVICE_NAME} or a {@code service.name} in {@code
 *       OTEL_RESOURCE_ATTRIBUTES} says otherwise;
 *   <li>traces go over OTLP/gRPC ({@code OTEL_EXPORTER_OTLP_PROTOCOL=grpc}) to the SDK's default
 *       endpoint for the protocol, {@code http://localhost:4317} for gRPC;
 *   <li>metrics are not exported ({@code OTEL_METRICS_EXPORTER=none}) unless that variable says
 *       {@code otlp} (pushed every {@code OTEL_METRIC_EXPORT_INTERVAL}, 60 s) or {@code prometheus}
 *       ({@code /metrics} on {@code OTEL_EXPORTER_PROMETHEUS_HOST}:{@code
 *       OTEL_EXPORTER_PROMETHEUS_PORT}, 0.0.0.0:9464, served by {@link PrometheusReader}), or both;
 *       measurements inside a sampled span keep its trace id as an exemplar ({@code
 *       OTEL_METRICS_EXEMPLAR_FILTER=trace_based}); the gRPC instrumentation records the stable RPC
 *       conventions ({@link StableRpcConventions});
 *   <li>logs are not exported ({@code OTEL_LOGS_EXPORTER=none}) unless that variable says
 *       otherwise;
 *   <li>{@code OTEL_SDK_DISABLED=true} gives a no-op SDK.
 * </ul>
 *
 * <p>The SDK is never registered as {@code GlobalOpenTelemetry}: libraries get this instance passed
 * in, and the logback MDC appender reads {@code Span.current()}, which needs no global. {@link
 * #close()} flushes pending spans and shuts the SDK down.
 */
public final class Telemetry implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Telemetry.class);
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

  /**
   * How long {@link #flush()} waits: the demo flushes to its own receiver before it shows the
   * trace.
   */
  private static final long FLUSH_SECONDS = 10;

  /** What exiting may cost a client command, whatever the collector does (decisions D21). */
  static final Duration CLIENT_EXIT_BOUND = Duration.ofSeconds(1);

  /** What exiting may cost a coordinator or data server after its drain. */
  static final Duration SERVICE_EXIT_BOUND = Duration.ofSeconds(2);

  /** Defaults that the environment and system properties override. */
  static final Map<String, String> DEFAULTS =
      Map.of(
          "otel.exporter.otlp.protocol", "grpc",
          "otel.metrics.exporter", "none",
          "otel.metrics.exemplar.filter", "trace_based",
          "otel.logs.exporter", "none");

  /** The exporter name autoconfigure would look for an SPI of; we serve it ourselves. */
  static final String PROMETHEUS = "prometheus";

  static final String PROMETHEUS_HOST = "otel.exporter.prometheus.host";
  static final String PROMETHEUS_PORT = "otel.exporter.prometheus.port";
  static final String DEFAULT_PROMETHEUS_HOST = "0.0.0.0";
  static final int DEFAULT_PROMETHEUS_PORT = 9464;

  private final OpenTelemetrySdk sdk;
  private final boolean enabled;
  private final String endpoint;
  private final String serviceName;
  private final Duration exitBound;
  private final PrometheusReader prometheus;
  private final AtomicBoolean closed = new AtomicBoolean();

  private Telemetry(
      OpenTelemetrySdk sdk,
      boolean enabled,
      String endpoint,
      String serviceName,
      Duration exitBound,
      PrometheusReader prometheus) {
    this.sdk = sdk;
    this.prometheus = prometheus;
    this.enabled = enabled;
    this.endpoint = endpoint;
    this.serviceName = serviceName;
    this.exitBound = exitBound;
  }

  /** Starts the SDK for a process in {@code role}, configured by the environment. */
  public static Telemetry start(String role) {
    return start(role, Map.of());
  }

  /**
   * Starts the SDK for a process in {@code role}.
   *
   * @param overrides properties that win over the environment and system properties (tests, and the
   *     demo, which sends its client spans to its own receiver)
   */
  public static Telemetry start(String role, Map<String, String> overrides) {
    requireNonNull(role, "role is null");
    requireNonNull(overrides, "overrides is null");
    StableRpcConventions.optIn();
    AtomicReference<ConfigProperties> configSeen = new AtomicReference<>();
    AtomicReference<PrometheusReader> prometheus = new AtomicReference<>();
    AtomicReference<String> serviceName = new AtomicReference<>(role);
    AutoConfiguredOpenTelemetrySdk configured =
        AutoConfiguredOpenTelemetrySdk.builder()
            .addPropertiesSupplier(() -> DEFAULTS)
            .addPropertiesCustomizer(config -> overrides)
            // Set as a property, not by changing the resource afterwards, which would make the SDK
            // drop the service entity with a warning.
            .addPropertiesCustomizer(config -> serviceNameDefault(config, role))
            // Autoconfigure knows "prometheus" only through an exporter artifact we do not have:
            // take it out of the list and register our own reader instead.
            .addPropertiesCustomizer(Telemetry::withoutPrometheus)
            .addMeterProviderCustomizer(
                (meterProvider, config) -> {
                  for (String rpcDuration : FlightMetrics.RPC_DURATIONS) {
                    meterProvider.registerView(
                        InstrumentSelector.builder().setName(rpcDuration).build(),
                        View.builder()
                            .setAggregation(
                                Aggregation.explicitBucketHistogram(
                                    FlightMetrics.DURATION_BUCKETS_SECONDS))
                            .setAttributeFilter(FlightMetrics.RPC_DURATION_ATTRIBUTES)
                            .build());
                  }
                  if (config.getBoolean(PROMETHEUS_REQUESTED, false)) {
                    prometheus.set(startPrometheus(config));
                    meterProvider.registerMetricReader(prometheus.get());
                  }
                  return meterProvider;
                })
            .addResourceCustomizer(
                (resource, config) -> {
                  configSeen.set(config);
                  serviceName.set(resource.getAttribute(SERVICE_NAME));
                  return resource;
                })
            // We close the SDK ourselves, after the servers it traces have stopped.
            .disableShutdownHook()
            .build();
    OpenTelemetrySdk sdk = configured.getOpenTelemetrySdk();
    ConfigProperties config = configSeen.get();
    boolean enabled = config != null && !config.getBoolean("otel.sdk.disabled", false);
    String endpoint = config == null ? "(disabled)" : tracesEndpoint(config);
    if (enabled) {
      // A client command's tracing is best effort: a collector that is not running is worth a
      // warning, never an ERROR line among the command's own output, whoever named the endpoint.
      Logging.exportEndpoint(endpoint, endpointConfigured(config) && !"client".equals(role));
      log.debug(
          "OpenTelemetry: service.name={}, traces exporter {} to {}",
          serviceName.get(),
          config.getString("otel.traces.exporter", "otlp"),
          endpoint);
    }
    return new Telemetry(
        sdk, enabled, endpoint, serviceName.get(), exitBound(role), prometheus.get());
  }

  /** Set by {@link #withoutPrometheus} when the user asked for the Prometheus exporter. */
  private static final String PROMETHEUS_REQUESTED = "flight.internal.prometheus-requested";

  /** The exporter list without {@code prometheus}, and a note that it was there. */
  static Map<String, String> withoutPrometheus(ConfigProperties config) {
    List<String> exporters = config.getList("otel.metrics.exporter", List.of("none"));
    if (!exporters.contains(PROMETHEUS)) {
      return Map.of();
    }
    List<String> rest = exporters.stream().filter(name -> !name.equals(PROMETHEUS)).toList();
    return Map.of(
        "otel.metrics.exporter",
        rest.isEmpty() ? "none" : String.join(",", rest),
        PROMETHEUS_REQUESTED,
        "true");
  }

  private static PrometheusReader startPrometheus(ConfigProperties config) {
    String host = config.getString(PROMETHEUS_HOST, DEFAULT_PROMETHEUS_HOST);
    int port = config.getInt(PROMETHEUS_PORT, DEFAULT_PROMETHEUS_PORT);
    try {
      return PrometheusReader.start(host, port);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot serve Prometheus metrics on "
              + host
              + ":"
              + port
              + " (OTEL_EXPORTER_PROMETHEUS_HOST/OTEL_EXPORTER_PROMETHEUS_PORT): "
              + e.getMessage(),
          e);
    }
  }

  /** A client command exits within a second of its work; a service within two after its drain. */
  static Duration exitBound(String role) {
    return "client".equals(role) ? CLIENT_EXIT_BOUND : SERVICE_EXIT_BOUND;
  }

  /** Whether the user named an OTLP endpoint, rather than leaving the SDK's default. */
  static boolean endpointConfigured(ConfigProperties config) {
    return config.getString("otel.exporter.otlp.traces.endpoint") != null
        || config.getString("otel.exporter.otlp.endpoint") != null;
  }

  /**
   * The configuration the SDK of a CLI process would see: {@code OTEL_*} environment variables and
   * {@code otel.*} system properties over this class's defaults, by autoconfigure's own rules. No
   * SDK is started: the properties are read through a builder that is then told the SDK is
   * disabled.
   */
  public static ConfigProperties configuration() {
    AtomicReference<ConfigProperties> seen = new AtomicReference<>();
    AutoConfiguredOpenTelemetrySdk.builder()
        .addPropertiesSupplier(() -> DEFAULTS)
        .addPropertiesCustomizer(
            config -> {
              seen.set(config);
              return Map.of("otel.sdk.disabled", "true");
            })
        .disableShutdownHook()
        .build();
    return seen.get();
  }

  /** The SDK; a no-op one when disabled. */
  public OpenTelemetry openTelemetry() {
    return sdk;
  }

  /**
   * The port Prometheus scrapes, when {@code OTEL_METRICS_EXPORTER} includes {@code prometheus}.
   */
  public OptionalInt prometheusPort() {
    return prometheus == null ? OptionalInt.empty() : OptionalInt.of(prometheus.port());
  }

  /** False when {@code OTEL_SDK_DISABLED=true}. */
  public boolean enabled() {
    return enabled;
  }

  /** Where OTLP spans go (the effective traces endpoint). */
  public String endpoint() {
    return endpoint;
  }

  /** The {@code service.name} of this process's spans. */
  public String serviceName() {
    return serviceName;
  }

  /** Exports the spans still buffered, waiting at most a few seconds. */
  public void flush() {
    sdk.getSdkTracerProvider().forceFlush().join(FLUSH_SECONDS, TimeUnit.SECONDS);
  }

  /**
   * Flushes and shuts the SDK down, waiting at most one second for a client and two for a
   * coordinator or server: a collector that refuses (the exporter retries with backoff) or never
   * answers must not keep the user waiting. Spans not exported by then are lost; the export goes on
   * in daemon threads until the JVM exits. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    CompletableResultCode shutdown =
        sdk.shutdown().join(exitBound.toMillis(), TimeUnit.MILLISECONDS);
    if (enabled && !shutdown.isSuccess()) {
      log.debug(
          "OpenTelemetry SDK shutdown did not complete within {} ms; the spans not yet exported are lost",
          exitBound.toMillis());
      Logging.exportUnfinished(exitBound.toMillis());
    }
  }

  /** {@code otel.service.name = role}, unless a service name is configured either way. */
  static Map<String, String> serviceNameDefault(ConfigProperties config, String role) {
    String configured = config.getString("otel.service.name");
    String fromResource = config.getMap("otel.resource.attributes").get("service.name");
    if ((configured == null || configured.isBlank())
        && (fromResource == null || fromResource.isBlank())) {
      return Map.of("otel.service.name", role);
    }
    return Map.of();
  }

  /** The traces endpoint the OTLP exporter uses, by the SDK's rules for the configured protocol. */
  public static String tracesEndpoint(ConfigProperties config) {
    String explicit = config.getString("otel.exporter.otlp.traces.endpoint");
    if (explicit != null) {
      return explicit;
    }
    String protocol =
        config.getString(
            "otel.exporter.otlp.traces.protocol",
            config.getString("otel.exporter.otlp.protocol", "grpc"));
    String base = config.getString("otel.exporter.otlp.endpoint");
    if (protocol.toLowerCase(Locale.ROOT).startsWith("http")) {
      String root = base == null ? "http://localhost:4318" : base.replaceAll("/+$", "");
      return root + "/v1/traces";
    }
    return base == null ? "http://localhost:4317" : base;
  }
}
