package dev.flightcluster.cli.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The receiver's forwarding, to a second receiver (OTLP/HTTP) and to a gRPC TraceService. */
class TraceForwardingTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void forwardsEveryRequestOverHttpToAnotherReceiver() throws Exception {
    try (OtlpHttpReceiver backend = OtlpHttpReceiver.start();
        OtlpHttpReceiver receiver =
            OtlpHttpReceiver.start(
                TraceForwarder.create(
                    "http/protobuf", backend.tracesEndpoint(), Map.of("x-tenant", "demo")))) {
      assertThat(receiver.forwardDestination())
          .isEqualTo(backend.tracesEndpoint() + " over http/protobuf");
      String traceId = exportTwoSpans(receiver, "gzip");

      assertThat(receiver.awaitForwarded(WAIT)).isTrue();
      assertThat(receiver.forwardFailures()).isZero();
      assertThat(receiver.trace(traceId)).hasSize(2);
      assertThat(backend.trace(traceId))
          .containsExactlyInAnyOrderElementsOf(receiver.trace(traceId));
      assertThat(backend.requests()).isEqualTo(receiver.requests());
    }
  }

  @Test
  void forwardsOverGrpcToATraceServiceWithTheHeaders() throws Exception {
    List<ExportTraceServiceRequest> exported = new CopyOnWriteArrayList<>();
    List<String> tenants = new CopyOnWriteArrayList<>();
    Server collector =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(
                new TraceServiceGrpc.TraceServiceImplBase() {
                  @Override
                  public void export(
                      ExportTraceServiceRequest request,
                      StreamObserver<ExportTraceServiceResponse> response) {
                    exported.add(request);
                    response.onNext(ExportTraceServiceResponse.getDefaultInstance());
                    response.onCompleted();
                  }
                })
            .intercept(headerRecorder("x-tenant", tenants))
            .build()
            .start();
    try (OtlpHttpReceiver receiver =
        OtlpHttpReceiver.start(
            TraceForwarder.create(
                "grpc", "http://127.0.0.1:" + collector.getPort(), Map.of("x-tenant", "demo")))) {
      String traceId = exportTwoSpans(receiver, "none");

      assertThat(receiver.awaitForwarded(WAIT)).isTrue();
      assertThat(receiver.forwardFailures()).isZero();
      assertThat(exported).hasSize(receiver.requests());
      assertThat(
              exported.stream()
                  .flatMap(request -> request.getResourceSpansList().stream())
                  .flatMap(resource -> resource.getScopeSpansList().stream())
                  .flatMap(scope -> scope.getSpansList().stream())
                  .map(span -> span.getName()))
          .containsExactlyInAnyOrder("list_and_get_all_flights", "do_get");
      assertThat(tenants).hasSize(exported.size()).containsOnly("demo");
      assertThat(receiver.trace(traceId)).hasSize(2);
    } finally {
      collector.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void anUnreachableDestinationIsLoggedOnceAndTheSpansStayHere() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Logger logger = (Logger) LoggerFactory.getLogger(OtlpHttpReceiver.class);
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    logger.addAppender(events);
    try (OtlpHttpReceiver receiver =
        OtlpHttpReceiver.start(
            TraceForwarder.create(
                "http/protobuf", "http://127.0.0.1:" + closedPort + "/v1/traces", Map.of()))) {
      String traceId = exportTwoSpans(receiver, "none");

      assertThat(receiver.awaitForwarded(WAIT)).isTrue();
      assertThat(receiver.forwardFailures()).isEqualTo(receiver.requests()).isEqualTo(2);
      assertThat(receiver.trace(traceId)).hasSize(2);
      assertThat(events.list)
          .singleElement()
          .satisfies(
              event -> {
                assertThat(event.getLevel()).isEqualTo(Level.WARN);
                assertThat(event.getFormattedMessage())
                    .startsWith("could not forward spans to http://127.0.0.1:" + closedPort)
                    .endsWith("further forwarding failures are not logged");
              });
    } finally {
      logger.detachAppender(events);
    }
  }

  @Test
  void unknownProtocolIsRefused() {
    assertThatThrownBy(
            () -> TraceForwarder.create("carrier-pigeon", "http://localhost:4317", Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected grpc or http/protobuf");
  }

  /** Exports a root and a child, each span as its own request; returns the trace id. */
  private static String exportTwoSpans(OtlpHttpReceiver receiver, String compression) {
    SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .setResource(
                Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "client")))
            .addSpanProcessor(
                SimpleSpanProcessor.create(
                    OtlpHttpSpanExporter.builder()
                        .setEndpoint(receiver.tracesEndpoint())
                        .setCompression(compression)
                        .build()))
            .build();
    try {
      Tracer tracer = provider.get("test");
      Span root = tracer.spanBuilder("list_and_get_all_flights").startSpan();
      try (Scope ignored = root.makeCurrent()) {
        tracer.spanBuilder("do_get").startSpan().end();
      } finally {
        root.end();
      }
      return root.getSpanContext().getTraceId();
    } finally {
      provider.shutdown().join(10, TimeUnit.SECONDS);
    }
  }

  private static ServerInterceptor headerRecorder(String name, List<String> values) {
    Metadata.Key<String> key = Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String value = headers.get(key);
        if (value != null) {
          values.add(value);
        }
        return next.startCall(call, headers);
      }
    };
  }
}
