package dev.flightcluster.coordinator;

import io.grpc.Attributes;
import io.grpc.BinaryLog;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.SecurityLevel;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a request message that does not decode (a descriptor path or action type that is not
 * UTF-8, or bytes that are no protocol buffer) with INVALID_ARGUMENT, where gRPC would answer
 * UNKNOWN "Application error processing RPC" and log an ERROR with a stack trace.
 *
 * <p>gRPC decodes a request before any interceptor sees it, so the only place to catch a decoding
 * failure is a method definition whose request stays raw bytes; gRPC's {@link BinaryLog} hook is
 * the one public way to wrap every method definition of a server, including the ones Flight
 * registers itself. This class logs nothing: it decodes each protobuf request itself and hands the
 * message on, or refuses the call.
 */
final class RequestDecodingGuard extends BinaryLog {
  private static final Logger log = LoggerFactory.getLogger(RequestDecodingGuard.class);

  /** Leaves the request as the stream gRPC read, to be decoded by the guard. */
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

  @Override
  public <ReqT, RespT> ServerMethodDefinition<?, ?> wrapMethodDefinition(
      ServerMethodDefinition<ReqT, RespT> definition) {
    MethodDescriptor<ReqT, RespT> method = definition.getMethodDescriptor();
    if (!(method.getRequestMarshaller()
        instanceof MethodDescriptor.PrototypeMarshaller<ReqT> proto)) {
      // DoPut and DoExchange: Flight's own marshaller, which reports its failures itself.
      return definition;
    }
    String problem =
        method.getBareMethodName()
            + " request is not a valid "
            + proto.getMessagePrototype().getClass().getSimpleName()
            + " message: a string in it (such as a descriptor path or an action type) is not"
            + " valid UTF-8, or the bytes are not a protocol buffer at all";
    MethodDescriptor<InputStream, RespT> raw =
        method.toBuilder(RAW, method.getResponseMarshaller()).build();
    ServerCallHandler<InputStream, RespT> handler =
        (call, headers) -> {
          ServerCall.Listener<ReqT> delegate =
              definition.getServerCallHandler().startCall(new TypedCall<>(call, method), headers);
          return new DecodingListener<>(call, method, delegate, problem);
        };
    return ServerMethodDefinition.create(raw, handler);
  }

  @Override
  public Channel wrapChannel(Channel channel) {
    return channel;
  }

  @Override
  public void close() {}

  /** Decodes each message for the delegate, or closes the call INVALID_ARGUMENT. */
  private static final class DecodingListener<ReqT, RespT>
      extends ServerCall.Listener<InputStream> {
    private final ServerCall<InputStream, RespT> call;
    private final MethodDescriptor<ReqT, RespT> method;
    private final ServerCall.Listener<ReqT> delegate;
    private final String problem;
    private boolean refused;

    DecodingListener(
        ServerCall<InputStream, RespT> call,
        MethodDescriptor<ReqT, RespT> method,
        ServerCall.Listener<ReqT> delegate,
        String problem) {
      this.call = call;
      this.method = method;
      this.delegate = delegate;
      this.problem = problem;
    }

    @Override
    public void onMessage(InputStream message) {
      if (refused) {
        return;
      }
      ReqT request;
      try {
        request = method.parseRequest(message);
      } catch (StatusRuntimeException e) {
        refused = true;
        log.debug("Refused an undecodable {} request", method.getBareMethodName(), e);
        call.close(Status.INVALID_ARGUMENT.withDescription(problem), new Metadata());
        return;
      }
      delegate.onMessage(request);
    }

    @Override
    public void onHalfClose() {
      if (!refused) {
        delegate.onHalfClose();
      }
    }

    @Override
    public void onCancel() {
      delegate.onCancel();
    }

    @Override
    public void onComplete() {
      delegate.onComplete();
    }

    @Override
    public void onReady() {
      delegate.onReady();
    }
  }

  /** The raw call seen with its original request type, for the handlers Flight registered. */
  private static final class TypedCall<ReqT, RespT> extends ServerCall<ReqT, RespT> {
    private final ServerCall<InputStream, RespT> raw;
    private final MethodDescriptor<ReqT, RespT> method;

    TypedCall(ServerCall<InputStream, RespT> raw, MethodDescriptor<ReqT, RespT> method) {
      this.raw = raw;
      this.method = method;
    }

    @Override
    public void request(int numMessages) {
      raw.request(numMessages);
    }

    @Override
    public void sendHeaders(Metadata headers) {
      raw.sendHeaders(headers);
    }

    @Override
    public void sendMessage(RespT message) {
      raw.sendMessage(message);
    }

    @Override
    public boolean isReady() {
      return raw.isReady();
    }

    @Override
    public void close(Status status, Metadata trailers) {
      raw.close(status, trailers);
    }

    @Override
    public boolean isCancelled() {
      return raw.isCancelled();
    }

    @Override
    public void setMessageCompression(boolean enabled) {
      raw.setMessageCompression(enabled);
    }

    @Override
    public void setCompression(String compressor) {
      raw.setCompression(compressor);
    }

    @Override
    public void setOnReadyThreshold(int numBytes) {
      raw.setOnReadyThreshold(numBytes);
    }

    @Override
    public SecurityLevel getSecurityLevel() {
      return raw.getSecurityLevel();
    }

    @Override
    public Attributes getAttributes() {
      return raw.getAttributes();
    }

    @Override
    public String getAuthority() {
      return raw.getAuthority();
    }

    @Override
    public MethodDescriptor<ReqT, RespT> getMethodDescriptor() {
      return method;
    }
  }
}
