package dev.flightcluster.server.upload;

import dev.flightcluster.testing.RawBytes;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * DoPut at the gRPC level, with messages as raw bytes, so a test can send what no Flight client
 * would: any FlightData, or no FlightData at all.
 */
final class RawDoPut {
  static final MethodDescriptor<byte[], byte[]> DO_PUT =
      MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
          .setFullMethodName(MessageGuard.DO_PUT)
          .setRequestMarshaller(RawBytes.MARSHALLER)
          .setResponseMarshaller(RawBytes.MARSHALLER)
          .build();

  private final ClientCall<byte[], byte[]> call;
  private final CompletableFuture<Status> closed = new CompletableFuture<>();

  private RawDoPut(ManagedChannel channel) {
    call = channel.newCall(DO_PUT, CallOptions.DEFAULT);
    call.start(
        new ClientCall.Listener<>() {
          @Override
          public void onClose(Status status, Metadata trailers) {
            closed.complete(status);
          }
        },
        new Metadata());
    call.request(Integer.MAX_VALUE);
  }

  /** Opens a DoPut and sends nothing yet. */
  static RawDoPut open(ManagedChannel channel) {
    return new RawDoPut(channel);
  }

  /** Sends {@code messages}, half-closes, and returns the call's end. */
  static CompletableFuture<Status> send(ManagedChannel channel, List<byte[]> messages) {
    RawDoPut put = open(channel);
    for (byte[] message : messages) {
      put.call.sendMessage(message);
    }
    put.call.halfClose();
    return put.closed;
  }

  void sendMessage(byte[] message) {
    call.sendMessage(message);
  }

  void cancel() {
    call.cancel("the test client went away", null);
  }

  CompletableFuture<Status> closed() {
    return closed;
  }
}
