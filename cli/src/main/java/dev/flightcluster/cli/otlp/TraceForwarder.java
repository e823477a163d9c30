package dev.flightcluster.cli.otlp;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;

/**
 * Sends serialized {@code ExportTraceServiceRequest}s on, unchanged, to an OTLP endpoint: what the
 * {@link OtlpHttpReceiver} does with each request it gets, so that the spans it shows also reach
 * the user's tracing backend.
 */
public interface TraceForwarder extends AutoCloseable {
  /**
   * Sends one request and waits for the answer.
   *
   * @param exportTraceServiceRequest a serialized {@code ExportTraceServiceRequest}
   * @throws IOException when the endpoint could not be reached or did not accept the request
   */
  void forward(byte[] exportTraceServiceRequest) throws IOException;

  /** Where requests go, for messages: {@code <URL> over <protocol>}. */
  String destination();

  /** Releases the connection. */
  @Override
  void close();

  /**
   * A forwarder speaking the OTLP exporter's protocol.
   *
   * @param protocol {@code grpc}, or {@code http/protobuf} ({@code http/json} is sent as protobuf,
   *     which every OTLP/HTTP receiver accepts as well)
   * @param tracesEndpoint for gRPC the base URL ({@code http://host:4317}, {@code https://} for
   *     TLS); for HTTP the full traces URL ({@code http://host:4318/v1/traces})
   * @param headers sent with every request ({@code OTEL_EXPORTER_OTLP_HEADERS})
   */
  static TraceForwarder create(
      String protocol, String tracesEndpoint, Map<String, String> headers) {
    requireNonNull(protocol, "protocol is null");
    requireNonNull(tracesEndpoint, "tracesEndpoint is null");
    requireNonNull(headers, "headers is null");
    String normalized = protocol.toLowerCase(Locale.ROOT);
    if (normalized.equals("grpc")) {
      return new GrpcTraceForwarder(tracesEndpoint, headers);
    }
    if (normalized.startsWith("http/")) {
      return new HttpTraceForwarder(tracesEndpoint, headers);
    }
    throw new IllegalArgumentException(
        "unknown OTLP protocol '" + protocol + "': expected grpc or http/protobuf");
  }
}
