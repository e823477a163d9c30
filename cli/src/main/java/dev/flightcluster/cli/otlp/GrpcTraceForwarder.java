package dev.flightcluster.cli.otlp;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * OTLP/gRPC: a unary {@code TraceService/Export} call whose request is the bytes as received, so
 * nothing is parsed or serialized again on the way through.
 */
final class GrpcTraceForwarder implements TraceForwarder {
  static final MethodDescriptor<byte[], byte[]> EXPORT =
      MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("opentelemetry.proto.collector.trace.v1.TraceService/Export")
          .setRequestMarshaller(new BytesMarshaller())
          .setResponseMarshaller(new BytesMarshaller())
          .build();
  private static final long TIMEOUT_SECONDS = 10;

  private final String endpoint;
  private final ManagedChannel channel;

  GrpcTraceForwarder(String endpoint, Map<String, String> headers) {
    this.endpoint = endpoint;
    URI uri = URI.create(endpoint);
    if (uri.getScheme() == null || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "OTLP gRPC endpoint must be an http(s) URL, not '" + endpoint + "'");
    }
    boolean tls = uri.getScheme().toLowerCase(Locale.ROOT).equals("https");
    int port = uri.getPort() != -1 ? uri.getPort() : (tls ? 443 : 4317);
    NettyChannelBuilder builder = NettyChannelBuilder.forAddress(uri.getHost(), port);
    if (tls) {
      builder.useTransportSecurity();
    } else {
      builder.usePlaintext();
    }
    if (!headers.isEmpty()) {
      Metadata metadata = new Metadata();
      headers.forEach(
          (key, value) ->
              metadata.put(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER), value));
      builder.intercept(MetadataUtils.newAttachHeadersInterceptor(metadata));
    }
    this.channel = builder.build();
  }

  @Override
  public void forward(byte[] exportTraceServiceRequest) throws IOException {
    try {
      ClientCalls.blockingUnaryCall(
          channel,
          EXPORT,
          CallOptions.DEFAULT.withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS),
          exportTraceServiceRequest);
    } catch (StatusRuntimeException e) {
      String description = e.getStatus().getDescription();
      throw new IOException(
          e.getStatus().getCode() + (description == null ? "" : ": " + description), e);
    }
  }

  @Override
  public String destination() {
    return endpoint + " over grpc";
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Messages as plain bytes: the request is forwarded as it came, the response is ignored. */
  private static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try (stream) {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
