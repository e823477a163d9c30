package dev.flightcluster.cli.otlp;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A minimal OTLP/HTTP trace receiver that keeps spans in memory: point processes at it with {@code
 * OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf} and {@code OTEL_EXPORTER_OTLP_ENDPOINT=}{@link
 * #endpoint()}. It listens on 127.0.0.1 only, accepts {@code POST /v1/traces} with binary protobuf
 * (gzip or not), and answers metrics and logs exports with success, ignoring them.
 *
 * <p>Given a {@link TraceForwarder}, it also sends every request it accepts on, unchanged, in the
 * background and best effort: a failure is logged once, and never fails the exporter that sent the
 * spans here.
 *
 * <p>It exists for tests that run the cluster as separate processes and for showing a trace without
 * a tracing backend (the demo); it is not a collector.
 */
public final class OtlpHttpReceiver implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OtlpHttpReceiver.class);
  private static final HexFormat HEX = HexFormat.of();
  // Requests waiting to be forwarded; beyond that they are dropped rather than piling up in memory.
  private static final int FORWARD_QUEUE = 1024;
  private static final long CLOSE_SECONDS = 5;

  private final HttpServer server;
  private final ExecutorService executor;
  private final TraceForwarder forwarder;
  private final ThreadPoolExecutor forwarding;
  private final AtomicLong forwardFailures = new AtomicLong();
  private final AtomicBoolean forwardFailureLogged = new AtomicBoolean();
  private final List<ReceivedSpan> spans = new ArrayList<>();
  private boolean retainSpans = true;
  private int requests;

  private OtlpHttpReceiver(HttpServer server, ExecutorService executor, TraceForwarder forwarder) {
    this.server = server;
    this.executor = executor;
    this.forwarder = forwarder;
    this.forwarding =
        forwarder == null
            ? null
            : new ThreadPoolExecutor(
                1,
                1,
                0,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(FORWARD_QUEUE),
                runnable -> {
                  Thread thread = new Thread(runnable, "otlp-forwarder");
                  thread.setDaemon(true);
                  return thread;
                });
  }

  /** Starts a receiver on 127.0.0.1 and a free port. */
  public static OtlpHttpReceiver start() throws IOException {
    return start(null);
  }

  /**
   * Starts a receiver on 127.0.0.1 and a free port that forwards every accepted request.
   *
   * @param forwarder where to send each request on, or null to keep the spans here only; closed
   *     with the receiver
   */
  public static OtlpHttpReceiver start(TraceForwarder forwarder) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    ExecutorService executor =
        Executors.newFixedThreadPool(
            2,
            runnable -> {
              Thread thread = new Thread(runnable, "otlp-receiver");
              thread.setDaemon(true);
              return thread;
            });
    OtlpHttpReceiver receiver = new OtlpHttpReceiver(server, executor, forwarder);
    server.createContext("/v1/traces", receiver::traces);
    server.createContext("/", OtlpHttpReceiver::ignore);
    server.setExecutor(executor);
    server.start();
    return receiver;
  }

  /** The base endpoint, for {@code OTEL_EXPORTER_OTLP_ENDPOINT}. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The traces endpoint, for {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}. */
  public String tracesEndpoint() {
    return endpoint() + "/v1/traces";
  }

  /** Every span received so far, in arrival order. */
  public synchronized List<ReceivedSpan> spans() {
    return List.copyOf(spans);
  }

  /** The spans of one trace, in arrival order. */
  public synchronized List<ReceivedSpan> trace(String traceId) {
    return spans.stream().filter(span -> span.traceId().equals(traceId)).toList();
  }

  /** How many trace export requests were accepted. */
  public synchronized int requests() {
    return requests;
  }

  /** Forgets the spans received so far. */
  public synchronized void reset() {
    spans.clear();
  }

  /**
   * Whether to keep received spans for {@link #spans()} (the default). A receiver that runs for
   * long only to forward, such as the demo's with {@code --keep-running}, stops keeping them.
   */
  public synchronized void retainSpans(boolean retain) {
    retainSpans = retain;
    if (!retain) {
      spans.clear();
    }
  }

  /** Where requests are forwarded to, or null when they are not. */
  public String forwardDestination() {
    return forwarder == null ? null : forwarder.destination();
  }

  /**
   * Waits until every request accepted so far has been forwarded (or has failed to be).
   *
   * @return false when that took longer than {@code timeout}; true at once without a forwarder
   */
  public boolean awaitForwarded(Duration timeout) throws InterruptedException {
    if (forwarding == null) {
      return true;
    }
    Future<?> marker;
    try {
      // One forwarding thread: the marker runs after every request queued before it.
      marker = forwarding.submit(() -> {});
    } catch (RejectedExecutionException full) {
      return false;
    }
    try {
      marker.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  /** How many requests could not be forwarded (failed, or dropped because the queue was full). */
  public long forwardFailures() {
    return forwardFailures.get();
  }

  /** Stops receiving, then gives requests still waiting to be forwarded a few seconds. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    if (forwarding != null) {
      forwarding.shutdown();
      try {
        if (!forwarding.awaitTermination(CLOSE_SECONDS, TimeUnit.SECONDS)) {
          log.debug(
              "gave up forwarding {} requests to {}",
              forwarding.getQueue().size(),
              forwardDestination());
          forwarding.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        forwarding.shutdownNow();
      }
      forwarder.close();
    }
  }

  private void traces(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"POST".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
      if (contentType != null && !contentType.startsWith("application/x-protobuf")) {
        // OTLP/HTTP JSON is legal, but no exporter this project uses sends it.
        exchange.sendResponseHeaders(415, -1);
        return;
      }
      byte[] bytes;
      ExportTraceServiceRequest request;
      try (InputStream body = body(exchange)) {
        bytes = body.readAllBytes();
        request = ExportTraceServiceRequest.parseFrom(bytes);
      } catch (IOException e) {
        exchange.sendResponseHeaders(400, -1);
        return;
      }
      accept(request);
      forward(bytes);
      byte[] response = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
      exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
      exchange.sendResponseHeaders(200, response.length == 0 ? -1 : response.length);
      if (response.length > 0) {
        exchange.getResponseBody().write(response);
      }
    }
  }

  private void forward(byte[] request) {
    if (forwarding == null) {
      return;
    }
    try {
      forwarding.execute(
          () -> {
            try {
              forwarder.forward(request);
            } catch (IOException | RuntimeException e) {
              forwardFailed(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            }
          });
    } catch (RejectedExecutionException e) {
      forwardFailed(
          forwarding.isShutdown() ? "the receiver is closing" : "too many requests waiting");
    }
  }

  private void forwardFailed(String reason) {
    forwardFailures.incrementAndGet();
    if (forwardFailureLogged.compareAndSet(false, true)) {
      log.warn(
          "could not forward spans to {}: {}; further forwarding failures are not logged",
          forwarder.destination(),
          reason);
    }
  }

  private static InputStream body(HttpExchange exchange) throws IOException {
    String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
    InputStream body = exchange.getRequestBody();
    return "gzip".equalsIgnoreCase(encoding) ? new GZIPInputStream(body) : body;
  }

  private static void ignore(HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
      exchange.sendResponseHeaders("POST".equals(exchange.getRequestMethod()) ? 200 : 404, -1);
    }
  }

  private void accept(ExportTraceServiceRequest request) {
    List<ReceivedSpan> received = new ArrayList<>();
    for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
      Map<String, Object> resource = attributes(resourceSpans.getResource().getAttributesList());
      String serviceName = String.valueOf(resource.getOrDefault("service.name", ""));
      for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
        for (Span span : scopeSpans.getSpansList()) {
          received.add(
              new ReceivedSpan(
                  serviceName,
                  hex(span.getTraceId()),
                  hex(span.getSpanId()),
                  parentHex(span.getParentSpanId()),
                  span.getName(),
                  kind(span.getKind()),
                  span.getStartTimeUnixNano(),
                  span.getEndTimeUnixNano(),
                  span.getStatus().getCode().name().replace("STATUS_CODE_", ""),
                  attributes(span.getAttributesList())));
        }
      }
    }
    synchronized (this) {
      requests++;
      if (retainSpans) {
        spans.addAll(received);
      }
    }
  }

  private static String kind(Span.SpanKind kind) {
    return kind == Span.SpanKind.UNRECOGNIZED
        ? "UNSPECIFIED"
        : kind.name().replace("SPAN_KIND_", "");
  }

  private static String parentHex(ByteString bytes) {
    // Exporters send no parent for a root span; an all-zero id means the same.
    return allZero(bytes) ? "" : hex(bytes);
  }

  private static boolean allZero(ByteString bytes) {
    for (int i = 0; i < bytes.size(); i++) {
      if (bytes.byteAt(i) != 0) {
        return false;
      }
    }
    return true;
  }

  private static String hex(ByteString bytes) {
    return HEX.formatHex(bytes.toByteArray());
  }

  private static Map<String, Object> attributes(List<KeyValue> keyValues) {
    Map<String, Object> attributes = new LinkedHashMap<>();
    for (KeyValue keyValue : keyValues) {
      attributes.put(keyValue.getKey(), value(keyValue.getValue()));
    }
    return attributes;
  }

  private static Object value(AnyValue value) {
    return switch (value.getValueCase()) {
      case STRING_VALUE -> value.getStringValue();
      case BOOL_VALUE -> value.getBoolValue();
      case INT_VALUE -> value.getIntValue();
      case DOUBLE_VALUE -> value.getDoubleValue();
      case BYTES_VALUE -> HEX.formatHex(value.getBytesValue().toByteArray());
      case ARRAY_VALUE ->
          value.getArrayValue().getValuesList().stream().map(OtlpHttpReceiver::value).toList();
      case KVLIST_VALUE -> attributes(value.getKvlistValue().getValuesList());
      case VALUE_NOT_SET -> "";
    };
  }
}
