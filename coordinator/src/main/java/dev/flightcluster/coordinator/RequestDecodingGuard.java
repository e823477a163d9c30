package dev.flightcluster.coordinator;

import dev.flightcluster.otel.grpc.RawRequestHook;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
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
 * failure is a method definition whose request stays raw bytes ({@link RawRequestHook}). This class
 * decodes each protobuf request itself and hands the message on, or refuses the call.
 */
final class RequestDecodingGuard extends RawRequestHook {
  private static final Logger log = LoggerFactory.getLogger(RequestDecodingGuard.class);

  @Override
  protected boolean guards(MethodDescriptor<?, ?> method) {
    // DoPut and DoExchange use Flight's own marshaller, which reports its failures itself.
    return method.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<?>;
  }

  @Override
  protected <ReqT, RespT> ServerCall.Listener<InputStream> startCall(
      ServerCall<InputStream, RespT> raw,
      ServerCall<ReqT, RespT> typed,
      Metadata headers,
      ServerCallHandler<ReqT, RespT> handler,
      MethodDescriptor<ReqT, RespT> method) {
    return new DecodingListener<>(raw, method, handler.startCall(typed, headers), problem(method));
  }

  private static String problem(MethodDescriptor<?, ?> method) {
    Object prototype =
        ((MethodDescriptor.PrototypeMarshaller<?>) method.getRequestMarshaller())
            .getMessagePrototype();
    return method.getBareMethodName()
        + " request is not a valid "
        + prototype.getClass().getSimpleName()
        + " message: a string in it (such as a descriptor path or an action type) is not"
        + " valid UTF-8, or the bytes are not a protocol buffer at all";
  }

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
}
