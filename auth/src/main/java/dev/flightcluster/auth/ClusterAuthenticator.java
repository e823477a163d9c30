package dev.flightcluster.auth;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.auth2.Auth2Constants;
import org.apache.arrow.flight.auth2.AuthUtilities;
import org.apache.arrow.flight.auth2.CallHeaderAuthenticator;

/**
 * Authenticates a call from its {@code authorization} header. Everywhere it accepts a bearer token
 * its {@link TokenVerifier} vouches for. At a coordinator ({@link #coordinator}) it also accepts
 * {@code Basic} credentials of a user of the users file, and answers them with a fresh bearer token
 * in the response headers: Flight's basic-token handshake, as pyarrow's {@code
 * authenticate_basic_token} and the Flight SQL JDBC driver speak it. A data server that knows its
 * coordinators answers basic credentials too, by passing them on to one ({@link DelegatedLogin}).
 * Immutable and thread-safe.
 */
public final class ClusterAuthenticator implements CallHeaderAuthenticator {
  /** The same for an unknown user and a wrong password, so that callers cannot probe for users. */
  static final String BAD_CREDENTIALS = "wrong user name or password";

  private final Users users;
  private final TokenIssuer issuer;
  private final TokenVerifier verifier;

  /** A data server's logins passed on to a coordinator; null where there are none. */
  private final DelegatedLogin delegated;

  private ClusterAuthenticator(
      Users users, TokenIssuer issuer, TokenVerifier verifier, DelegatedLogin delegated) {
    this.users = users;
    this.issuer = issuer;
    this.verifier = requireNonNull(verifier, "verifier is null");
    this.delegated = delegated;
  }

  /** A coordinator's: basic credentials of {@code users} or a bearer token. */
  public static ClusterAuthenticator coordinator(
      Users users, TokenIssuer issuer, TokenVerifier verifier) {
    return new ClusterAuthenticator(
        requireNonNull(users, "users is null"),
        requireNonNull(issuer, "issuer is null"),
        verifier,
        null);
  }

  /** A data server's: bearer tokens only; it holds no users and no signing key. */
  public static ClusterAuthenticator dataServer(TokenVerifier verifier) {
    return new ClusterAuthenticator(null, null, verifier, null);
  }

  /**
   * A data server's that knows its coordinators: bearer tokens, and basic credentials passed on to
   * a coordinator by {@code logins}, whose verifier must be {@code verifier}.
   */
  public static ClusterAuthenticator dataServer(TokenVerifier verifier, DelegatedLogin logins) {
    return new ClusterAuthenticator(null, null, verifier, requireNonNull(logins, "logins is null"));
  }

  /**
   * The caller of a call with these headers.
   *
   * @return an {@link Authenticated} result; after basic credentials it adds the bearer token to
   *     the response headers
   * @throws FlightRuntimeException UNAUTHENTICATED when the credentials are missing or wrong
   */
  @Override
  public Authenticated authenticate(CallHeaders headers) {
    requireNonNull(headers, "headers is null");
    String bearer = AuthUtilities.getValueFromAuthHeader(headers, Auth2Constants.BEARER_PREFIX);
    if (bearer != null) {
      return new Authenticated(verifier.verify(bearer.strip()), Optional.empty());
    }
    String basic = AuthUtilities.getValueFromAuthHeader(headers, Auth2Constants.BASIC_PREFIX);
    if (basic != null && users != null) {
      Principal principal = checkBasic(basic.strip());
      return new Authenticated(principal, Optional.of(issuer.issue(principal)));
    }
    if (basic != null && delegated != null) {
      return delegated.login(basic.strip());
    }
    throw unauthenticated(
        users != null
            ? "no credentials: log in with basic credentials (authorization: Basic, e.g. pyarrow's"
                + " authenticate_basic_token) or send a bearer token (authorization: Bearer TOKEN)"
            : basic != null
                ? "this data server takes no basic credentials (it has no coordinator to pass them"
                    + " on to): log in at a coordinator and send its token here as authorization:"
                    + " Bearer TOKEN"
                : "no bearer token: log in at a coordinator (basic-auth handshake) and send its token"
                    + " as authorization: Bearer TOKEN");
  }

  private Principal checkBasic(String encoded) {
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw unauthenticated("the basic credentials are not base64 of USER:PASSWORD");
    }
    int colon = decoded.indexOf(':');
    if (colon < 0) {
      throw unauthenticated("the basic credentials are not base64 of USER:PASSWORD");
    }
    char[] password = decoded.substring(colon + 1).toCharArray();
    try {
      return users
          .authenticate(decoded.substring(0, colon), password)
          .orElseThrow(() -> unauthenticated(BAD_CREDENTIALS));
    } finally {
      java.util.Arrays.fill(password, '\0');
    }
  }

  private static FlightRuntimeException unauthenticated(String message) {
    return CallStatus.UNAUTHENTICATED.withDescription(message).toRuntimeException();
  }

  /**
   * An authenticated caller.
   *
   * @param principal who is calling
   * @param issued the token issued for basic credentials, sent back in the response headers
   */
  public record Authenticated(Principal principal, Optional<Token> issued) implements AuthResult {
    public Authenticated {
      requireNonNull(principal, "principal is null");
      requireNonNull(issued, "issued is null");
    }

    @Override
    public String getPeerIdentity() {
      return principal.user();
    }

    @Override
    public void appendToOutgoingHeaders(CallHeaders outgoingHeaders) {
      issued.ifPresent(
          token ->
              outgoingHeaders.insert(
                  Auth2Constants.AUTHORIZATION_HEADER,
                  Auth2Constants.BEARER_PREFIX + token.value()));
    }

    @Override
    public String toString() {
      return "Authenticated[" + principal + "]";
    }
  }
}
