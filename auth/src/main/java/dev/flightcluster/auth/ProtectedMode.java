package dev.flightcluster.auth;

import static java.util.Objects.requireNonNull;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Protected mode, as Redis has it: a process running without authentication answers only callers on
 * its own machine (loopback addresses), so that a cluster started without users is not open to the
 * network by accident. Other callers get UNAUTHENTICATED saying how to turn authentication on, or
 * to pass {@code --insecure} to serve every address on purpose. gRPC's health service stays open,
 * for probes. Install it as a gRPC server interceptor.
 */
public final class ProtectedMode implements ServerInterceptor {
  private static final String HEALTH_SERVICE = "grpc.health.v1.Health/";

  private final String refusal;

  /**
   * @param howToAuthenticate what the process needs for authentication, e.g. {@code "--users FILE
   *     and --token-signing-key FILE"}
   */
  public ProtectedMode(String process, String howToAuthenticate) {
    requireNonNull(process, "process is null");
    requireNonNull(howToAuthenticate, "howToAuthenticate is null");
    this.refusal =
        "this "
            + process
            + " runs without authentication and answers only callers on its own machine (protected"
            + " mode): start it with "
            + howToAuthenticate
            + " to let users in, or with --insecure to serve every address without authentication";
  }

  /** What callers from other machines are told, and what the process logs at start. */
  public String refusal() {
    return refusal;
  }

  /**
   * Whether a call to {@code fullMethodName} from {@code remote} is served: from a loopback address
   * or a local socket, or to the health service.
   */
  public static boolean admits(SocketAddress remote, String fullMethodName) {
    if (fullMethodName != null && fullMethodName.startsWith(HEALTH_SERVICE)) {
      return true;
    }
    if (remote instanceof InetSocketAddress inet) {
      return inet.getAddress() != null && inet.getAddress().isLoopbackAddress();
    }
    // In-process and Unix domain socket callers are on this machine by construction.
    return remote != null;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    if (admits(remote, call.getMethodDescriptor().getFullMethodName())) {
      return next.startCall(call, headers);
    }
    call.close(Status.UNAUTHENTICATED.withDescription(refusal), new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
