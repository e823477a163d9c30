package dev.flightcluster.otel.grpc;

import io.grpc.BinaryLog;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import java.io.InputStream;

/**
 * Lets a server see the raw bytes of chosen methods' requests before they are decoded. gRPC decodes
 * a request before any interceptor runs, so a request it cannot decode never reaches one, and one
 * it decodes wrongly is acted on as it is. The one public hook that wraps every method definition
 * of a server, the ones Flight registers included, is its {@link BinaryLog} (how gRPC's own binary
 * log sees raw bytes); this is one that logs nothing. For each method it {@link #guards guards},
 * the server receives the request as an {@link InputStream} and {@link #startCall} decides what
 * reaches the method's own handler. A server takes one {@code BinaryLog}, so one hook per server.
 */
public abstract class RawRequestHook extends BinaryLog {
  /** Leaves the request as the stream gRPC read. */
  private static final MethodDescriptor.Marshaller<InputStream> RAW =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(InputStream value) {
          return value;
        }

        @Override
        public InputStream parse(InputStream stream) {
          return stream;
        }
      };

  /** Whether the requests of {@code method} are handed to {@link #startCall} raw. */
  protected abstract boolean guards(MethodDescriptor<?, ?> method);

  /**
   * Starts a call of a guarded method.
   *
   * @param raw the call as the server runs it, with raw requests; close it to refuse the call
   * @param typed the same call with the method's own request type, for {@code handler}
   * @param handler the method's own handler: hand it {@code typed} and decoded requests
   * @param method the method's own descriptor, whose {@code parseRequest} decodes a request
   * @return the listener that receives the raw requests
   */
  protected abstract <ReqT, RespT> ServerCall.Listener<InputStream> startCall(
      ServerCall<InputStream, RespT> raw,
      ServerCall<ReqT, RespT> typed,
      Metadata headers,
      ServerCallHandler<ReqT, RespT> handler,
      MethodDescriptor<ReqT, RespT> method);

  @Override
  public final <ReqT, RespT> ServerMethodDefinition<?, ?> wrapMethodDefinition(
      ServerMethodDefinition<ReqT, RespT> definition) {
    MethodDescriptor<ReqT, RespT> method = definition.getMethodDescriptor();
    if (!guards(method)) {
      return definition;
    }
    MethodDescriptor<InputStream, RespT> raw =
        method.toBuilder(RAW, method.getResponseMarshaller()).build();
    ServerCallHandler<ReqT, RespT> handler = definition.getServerCallHandler();
    return ServerMethodDefinition.create(
        raw,
        (call, headers) ->
            startCall(call, new TypedCall<>(call, method), headers, handler, method));
  }

  @Override
  public final Channel wrapChannel(Channel channel) {
    return channel;
  }

  @Override
  public void close() {}
}
