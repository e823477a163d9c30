package dev.flightcluster.coordinator;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.auth.ProtectedMode;
import dev.flightcluster.auth.ServerAuth;
import dev.flightcluster.coordinator.http.HttpAuth;
import dev.flightcluster.protocol.ClusterActions;
import java.net.InetSocketAddress;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;

/**
 * The status page's login with the coordinator's own users and tokens: HTTP {@code Basic}
 * credentials of the users file or a {@code Bearer} token, allowed when the user may call {@code
 * cluster_status}, which returns the same data (read, write or admin; decisions D72). A refusal
 * says why in the authenticator's words, which never repeat the credentials. In protected mode the
 * page, like the Flight port, answers only callers on this machine.
 */
final class StatusPageAuth implements HttpAuth {
  private final ServerAuth auth;

  private StatusPageAuth(ServerAuth auth) {
    this.auth = auth;
  }

  /**
   * The page's login for a coordinator let in by {@code auth}: its users; in protected mode, the
   * callers on this machine; with {@code --insecure}, everyone.
   */
  static HttpAuth of(ServerAuth auth) {
    requireNonNull(auth, "auth is null");
    if (auth.authenticates()) {
      return new StatusPageAuth(auth);
    }
    if (auth.answersOnlyThisMachine()) {
      return (authorization, remote) ->
          ProtectedMode.admits(remote, null)
              ? Decision.ALLOW
              : Decision.forbidden(
                  "this coordinator runs without authentication and shows its status only on its"
                      + " own machine (protected mode)");
    }
    return HttpAuth.allowAll();
  }

  @Override
  public Decision check(String authorization, InetSocketAddress remote) {
    if (authorization == null || authorization.isBlank()) {
      return Decision.unauthenticated(
          "log in with a user of the cluster (HTTP Basic) or send a token (Authorization: Bearer"
              + " TOKEN)");
    }
    try {
      auth.authorize(authorization, ClusterActions.CLUSTER_STATUS);
      return Decision.ALLOW;
    } catch (FlightRuntimeException e) {
      String reason = e.status().description();
      return e.status().code() == FlightStatusCode.UNAUTHENTICATED
          ? Decision.unauthenticated(reason)
          : Decision.forbidden(reason);
    }
  }
}
