package dev.flightcluster.server.upload;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.flightcluster.otel.grpc.RawRequestHook;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.memory.OutOfMemoryException;

/**
 * Turns a DoPut message that Flight cannot even decode into INVALID_ARGUMENT, delivered through the
 * upload itself ({@link UploadWait}), instead of gRPC's UNKNOWN "Application error processing RPC".
 *
 * <p>gRPC decodes each request message with the method's marshaller before any interceptor sees it,
 * and a marshaller or listener that throws ends the call as UNKNOWN, while the upload's thread
 * keeps waiting for a descriptor that never comes. The one public hook that wraps a method's
 * marshallers is the server's {@code BinaryLog} (it is how gRPC's own binary log sees raw bytes),
 * so this is one: it logs nothing, and for DoPut alone it takes the raw bytes, checks the protobuf
 * framing (a length that claims more bytes than the message holds would otherwise be allocated
 * before it is read), then decodes with Flight's marshaller. A failure there, or in Flight's
 * handling of the message (a schema it cannot decode), cancels the call's context with {@link
 * Malformed}; the upload's wait ends the call with that status. Later messages are dropped.
 */
public final class MessageGuard extends RawRequestHook {
  static final String DO_PUT = "arrow.flight.protocol.FlightService/DoPut";

  @Override
  protected boolean guards(MethodDescriptor<?, ?> method) {
    return method.getFullMethodName().equals(DO_PUT);
  }

  @Override
  protected <ReqT, RespT> ServerCall.Listener<InputStream> startCall(
      ServerCall<InputStream, RespT> raw,
      ServerCall<ReqT, RespT> typed,
      Metadata headers,
      ServerCallHandler<ReqT, RespT> handler,
      MethodDescriptor<ReqT, RespT> method) {
    Context.CancellableContext context = Context.current().withCancellation();
    ServerCall.Listener<ReqT> inner = Contexts.interceptCall(context, typed, headers, handler);
    return new Guarded<>(method, inner, context);
  }

  /** The cancellation cause that carries a malformed message's status to the upload. */
  static final class Malformed extends RuntimeException {
    private final transient FlightRuntimeException status;

    Malformed(FlightRuntimeException status) {
      super(status.status().description(), null, false, false);
      this.status = status;
    }

    FlightRuntimeException status() {
      return status;
    }
  }

  private static final class Guarded<ReqT> extends ServerCall.Listener<InputStream> {
    private final MethodDescriptor<ReqT, ?> method;
    private final ServerCall.Listener<ReqT> inner;
    private final Context.CancellableContext context;
    private final MessageOrder order = new MessageOrder();
    private long messages;
    private boolean failed;

    Guarded(
        MethodDescriptor<ReqT, ?> method,
        ServerCall.Listener<ReqT> inner,
        Context.CancellableContext context) {
      this.method = method;
      this.inner = inner;
      this.context = context;
    }

    @Override
    public void onMessage(InputStream raw) {
      if (failed) {
        return; // gRPC closes the stream after this returns
      }
      messages++;
      ReqT message;
      try {
        FlightDataFraming.Frame frame = FlightDataFraming.check(raw);
        String wrong = frame == null ? null : order.accept(frame);
        if (wrong != null) {
          fail(invalid(wrong));
          return;
        }
        message = method.parseRequest(raw);
      } catch (FlightDataFraming.BadFraming e) {
        fail(invalid(e.getMessage()));
        return;
      } catch (RuntimeException e) {
        fail(parseFailure(e));
        return;
      }
      try {
        inner.onMessage(message);
      } catch (RuntimeException e) {
        // Flight decodes a schema as it arrives; a broken one throws here, the message unconsumed.
        closeQuietly(message);
        fail(
            invalid(
                "it is not a schema Flight can decode (a broken flatbuffer or a field of an unknown type)"));
      }
    }

    private FlightRuntimeException parseFailure(RuntimeException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof OutOfMemoryException) {
          return CallStatus.RESOURCE_EXHAUSTED
              .withDescription(
                  "message "
                      + messages
                      + " of the upload claims more memory than the server can give it;"
                      + " nothing was stored")
              .toRuntimeException();
        }
        if (t instanceof InvalidProtocolBufferException) {
          return invalid("its flight_descriptor is not a valid FlightDescriptor");
        }
        if (t instanceof EOFException) {
          return invalid("it ends inside one of its fields");
        }
        if (t instanceof UnsupportedOperationException) {
          return invalid("its data_header names an Arrow IPC message type that does not exist");
        }
        if (t instanceof IOException) {
          return invalid("its protobuf encoding cannot be read");
        }
      }
      return invalid(
          "its data_header is not a valid Arrow IPC message (a flatbuffer that points outside itself)");
    }

    private FlightRuntimeException invalid(String what) {
      return CallStatus.INVALID_ARGUMENT
          .withDescription(
              "message "
                  + messages
                  + " of the upload is malformed: "
                  + what
                  + "; nothing was stored")
          .toRuntimeException();
    }

    private void fail(FlightRuntimeException status) {
      failed = true;
      context.cancel(new Malformed(status));
    }

    @Override
    public void onHalfClose() {
      // After a failure the upload must not look complete.
      if (!failed) {
        inner.onHalfClose();
      }
    }

    @Override
    public void onCancel() {
      inner.onCancel();
    }

    @Override
    public void onComplete() {
      inner.onComplete();
    }

    @Override
    public void onReady() {
      inner.onReady();
    }

    private static void closeQuietly(Object message) {
      if (message instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception e) {
          // Flight may already have released part of it.
        }
      }
    }
  }
}
