package dev.flightcluster.auth;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallInfo;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightProducer.CallContext;
import org.apache.arrow.flight.FlightServerMiddleware;
import org.apache.arrow.flight.RequestContext;
import org.apache.arrow.flight.auth2.Auth2Constants;

/**
 * Authenticates every Flight call when it starts, with a {@link ClusterAuthenticator}, and checks
 * the RPC against the {@link AccessPolicy}: a call without valid credentials ends with
 * UNAUTHENTICATED, a call the caller's role may not make with PERMISSION_DENIED, before the
 * producer sees it. The producer finds the caller with {@link #caller(CallContext)}. gRPC's health
 * service is not a Flight service and stays open.
 */
public final class AuthMiddleware implements FlightServerMiddleware {
  /** The key the middleware is registered under, on every server. */
  public static final Key<AuthMiddleware> KEY = Key.of("flight-cluster-auth");

  private final ClusterAuthenticator.Authenticated authenticated;

  private AuthMiddleware(ClusterAuthenticator.Authenticated authenticated) {
    this.authenticated = authenticated;
  }

  /**
   * The authenticated caller of {@code context}; empty when the server runs without this
   * middleware, that is without authentication.
   */
  public static Optional<Principal> caller(CallContext context) {
    requireNonNull(context, "context is null");
    AuthMiddleware middleware = context.getMiddleware(KEY);
    return middleware == null
        ? Optional.empty()
        : Optional.of(middleware.authenticated.principal());
  }

  @Override
  public void onBeforeSendingHeaders(CallHeaders outgoingHeaders) {
    authenticated.appendToOutgoingHeaders(outgoingHeaders);
  }

  @Override
  public void onCallCompleted(CallStatus status) {}

  @Override
  public void onCallErrored(Throwable err) {}

  /** Install with {@code FlightServer.Builder.middleware(AuthMiddleware.KEY, factory)}. */
  public static final class Factory implements FlightServerMiddleware.Factory<AuthMiddleware> {
    private final ClusterAuthenticator authenticator;
    private final AccessPolicy policy;

    /**
     * @param authenticator who the caller is
     * @param policy which RPC the caller's role may make
     */
    public Factory(ClusterAuthenticator authenticator, AccessPolicy policy) {
      this.authenticator = requireNonNull(authenticator, "authenticator is null");
      this.policy = requireNonNull(policy, "policy is null");
    }

    /**
     * The caller of a request with these headers, if its role may run {@code action}: for requests
     * that are not Flight calls, such as the coordinator's status page.
     *
     * @throws org.apache.arrow.flight.FlightRuntimeException UNAUTHENTICATED or PERMISSION_DENIED
     */
    Principal authorize(CallHeaders headers, String action) {
      Principal caller = authenticator.authenticate(headers).principal();
      policy.checkAction(action, caller);
      return caller;
    }

    /**
     * @throws org.apache.arrow.flight.FlightRuntimeException UNAUTHENTICATED or PERMISSION_DENIED,
     *     which Flight ends the call with
     */
    @Override
    public AuthMiddleware onCallStarted(
        CallInfo info, CallHeaders incomingHeaders, RequestContext context) {
      ClusterAuthenticator.Authenticated authenticated =
          authenticator.authenticate(incomingHeaders);
      policy.checkCall(info.method(), authenticated.principal());
      context.put(Auth2Constants.PEER_IDENTITY_KEY, authenticated.getPeerIdentity());
      return new AuthMiddleware(authenticated);
    }
  }
}
