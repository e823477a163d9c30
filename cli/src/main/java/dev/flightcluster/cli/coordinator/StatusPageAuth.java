package dev.flightcluster.cli.coordinator;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.auth.AccessPolicy;
import dev.flightcluster.auth.ClusterAuthenticator;
import dev.flightcluster.coordinator.http.HttpAuth;
import dev.flightcluster.protocol.ClusterActions;
import org.apache.arrow.flight.ErrorFlightMetadata;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.auth2.Auth2Constants;

/**
 * The status page's login with the cluster's users: HTTP {@code Basic} credentials of the users
 * file or a {@code Bearer} token, checked by the coordinator's own {@link ClusterAuthenticator}, and
 * allowed when the user may call {@code cluster_status} (read, write or admin; decisions D72). A
 * refusal says why in the authenticator's words, which never repeat the credentials.
 */
final class StatusPageAuth implements HttpAuth {
  private final ClusterAuthenticator authenticator;
  private final AccessPolicy policy;

  StatusPageAuth(ClusterAuthenticator authenticator, AccessPolicy policy) {
    this.authenticator = requireNonNull(authenticator, "authenticator is null");
    this.policy = requireNonNull(policy, "policy is null");
  }

  @Override
  public Decision check(String authorization) {
    if (authorization == null || authorization.isBlank()) {
      return Decision.unauthenticated(
          "log in with a user of the cluster (HTTP Basic) or send a token (Authorization: Bearer"
              + " TOKEN)");
    }
    ErrorFlightMetadata headers = new ErrorFlightMetadata();
    headers.insert(Auth2Constants.AUTHORIZATION_HEADER, authorization);
    try {
      ClusterAuthenticator.Authenticated caller = authenticator.authenticate(headers);
      policy.checkAction(ClusterActions.CLUSTER_STATUS, caller.principal());
      return Decision.ALLOW;
    } catch (FlightRuntimeException e) {
      String reason = e.status().description();
      return e.status().code() == FlightStatusCode.UNAUTHENTICATED
          ? Decision.unauthenticated(reason)
          : Decision.forbidden(reason);
    }
  }
}
