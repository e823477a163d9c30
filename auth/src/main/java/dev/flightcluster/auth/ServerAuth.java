package dev.flightcluster.auth;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.jwk.ECKey;
import io.grpc.netty.NettyServerBuilder;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import org.apache.arrow.flight.ErrorFlightMetadata;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.auth2.Auth2Constants;
import org.slf4j.Logger;

/**
 * How a coordinator or data server lets callers in: with users and tokens ({@link #coordinator},
 * {@link #dataServer}), in protected mode, answering only its own machine ({@link #protectedMode},
 * the default of both builders), or open to everyone on purpose ({@link #insecure}). Immutable; one
 * per server.
 */
public final class ServerAuth {
  /** The principal a coordinator signs its own tokens for, to call data servers back. */
  public static final Principal COORDINATOR = new Principal("coordinator", Role.NODE);

  private final AuthMiddleware.Factory middleware;
  private final ProtectedMode protectedMode;
  private final ClientCredentials selfCredentials;
  private final String startMessage;

  /** Signs a coordinator's tokens; null on a data server and without authentication. */
  private final TokenIssuer tokens;

  private final InstantSource clock;

  /** A data server's token verifier, kept to build its delegated logins; null elsewhere. */
  private final TokenVerifier dataServerVerifier;

  private ServerAuth(
      AuthMiddleware.Factory middleware,
      ProtectedMode protectedMode,
      ClientCredentials selfCredentials,
      String startMessage) {
    this(middleware, protectedMode, selfCredentials, startMessage, null, null, null);
  }

  private ServerAuth(
      AuthMiddleware.Factory middleware,
      ProtectedMode protectedMode,
      ClientCredentials selfCredentials,
      String startMessage,
      TokenIssuer tokens,
      InstantSource clock,
      TokenVerifier dataServerVerifier) {
    this.middleware = middleware;
    this.protectedMode = protectedMode;
    this.selfCredentials = selfCredentials;
    this.startMessage = startMessage;
    this.tokens = tokens;
    this.clock = clock;
    this.dataServerVerifier = dataServerVerifier;
  }

  /**
   * A coordinator's: basic credentials of {@code users} answered with tokens signed by {@code
   * signingKey}, and bearer tokens of any coordinator sharing the key.
   *
   * @param issuer the issuer claim signed and required
   * @param ttl how long the tokens issued are valid
   * @param clock the time tokens are issued and checked at
   */
  public static ServerAuth coordinator(
      Users users, ECKey signingKey, String issuer, Duration ttl, InstantSource clock) {
    requireNonNull(users, "users is null");
    requireNonNull(signingKey, "signingKey is null");
    if (!signingKey.isPrivate()) {
      throw new IllegalArgumentException("the token signing key must be a private key");
    }
    TokenIssuer tokens = new TokenIssuer(signingKey, issuer, ttl, clock);
    TokenVerifier verifier = new TokenVerifier(signingKey, issuer, clock);
    return new ServerAuth(
        new AuthMiddleware.Factory(
            ClusterAuthenticator.coordinator(users, tokens, verifier), AccessPolicy.coordinator()),
        null,
        ClientCredentials.issuedBy(tokens, COORDINATOR, clock),
        "authentication on: " + users.size() + " users, tokens valid for " + ttl,
        tokens,
        clock,
        null);
  }

  /** A data server's: bearer tokens that {@code verifyKey} vouches for, nothing else. */
  public static ServerAuth dataServer(ECKey verifyKey, String issuer, InstantSource clock) {
    TokenVerifier verifier = new TokenVerifier(verifyKey, issuer, clock);
    return new ServerAuth(
        new AuthMiddleware.Factory(
            ClusterAuthenticator.dataServer(verifier), AccessPolicy.dataServer()),
        null,
        null,
        "authentication on: bearer tokens verified offline",
        null,
        clock,
        verifier);
  }

  /**
   * This data server's authentication, answering basic credentials too by passing them on to a
   * coordinator (decisions D92), so that clients which log in again at every endpoint, like the
   * Flight SQL JDBC driver, read from data servers with a user and password. Anything but a data
   * server's authentication is returned as it is.
   *
   * @param coordinator performs the handshake at a coordinator
   */
  public ServerAuth withLoginsAt(DelegatedLogin.Coordinator coordinator) {
    requireNonNull(coordinator, "coordinator is null");
    if (dataServerVerifier == null) {
      return this;
    }
    return new ServerAuth(
        new AuthMiddleware.Factory(
            ClusterAuthenticator.dataServer(
                dataServerVerifier, new DelegatedLogin(coordinator, dataServerVerifier, clock)),
            AccessPolicy.dataServer()),
        null,
        null,
        "authentication on: bearer tokens verified offline, basic logins passed on to a"
            + " coordinator",
        null,
        clock,
        dataServerVerifier);
  }

  /**
   * No authentication, and only callers on this machine (loopback) are answered.
   *
   * @param process "coordinator" or "data server", for the messages
   * @param howToAuthenticate the options that turn authentication on
   */
  public static ServerAuth protectedMode(String process, String howToAuthenticate) {
    ProtectedMode mode = new ProtectedMode(process, howToAuthenticate);
    return new ServerAuth(null, mode, null, mode.refusal());
  }

  /** No authentication, every address answered: {@code --insecure}. */
  public static ServerAuth insecure() {
    return new ServerAuth(
        null,
        null,
        null,
        "--insecure: no authentication, every caller that reaches the port may read, upload and"
            + " register data servers");
  }

  /** Installs the authentication middleware, if any, on a Flight server builder. */
  public FlightServer.Builder install(FlightServer.Builder builder) {
    requireNonNull(builder, "builder is null");
    return middleware == null ? builder : builder.middleware(AuthMiddleware.KEY, middleware);
  }

  /** Installs protected mode, if this is it, on the server's Netty builder. */
  public void install(NettyServerBuilder netty) {
    requireNonNull(netty, "netty is null");
    if (protectedMode != null) {
      netty.intercept(protectedMode);
    }
  }

  /**
   * Checks the {@code Authorization} header of a request that is not a Flight call (the
   * coordinator's status page) as a call's: its caller, if its role may run {@code action}; empty
   * when this server does not authenticate.
   *
   * @param authorization the header's value, e.g. {@code Basic ...} or {@code Bearer ...}
   * @throws org.apache.arrow.flight.FlightRuntimeException UNAUTHENTICATED or PERMISSION_DENIED
   */
  public Optional<Principal> authorize(String authorization, String action) {
    requireNonNull(authorization, "authorization is null");
    requireNonNull(action, "action is null");
    if (middleware == null) {
      return Optional.empty();
    }
    ErrorFlightMetadata headers = new ErrorFlightMetadata();
    headers.insert(Auth2Constants.AUTHORIZATION_HEADER, authorization);
    return Optional.of(middleware.authorize(headers, action));
  }

  /** Whether this is protected mode: no authentication, and only callers on this machine. */
  public boolean answersOnlyThisMachine() {
    return protectedMode != null;
  }

  /** Whether callers must authenticate. */
  public boolean authenticates() {
    return middleware != null;
  }

  /**
   * The credentials a coordinator calls data servers back with: tokens with the node role, signed
   * by itself; empty without authentication.
   */
  public Optional<ClientCredentials> selfCredentials() {
    return Optional.ofNullable(selfCredentials);
  }

  /**
   * The credentials a coordinator acts for an authenticated caller with, at the data servers (a
   * Flight SQL bulk ingest, D85): tokens for the caller's own user and role, signed by this
   * coordinator, so the data servers grant exactly what the caller may do. Empty on a data server
   * and without authentication.
   */
  public Optional<ClientCredentials> credentialsFor(Principal caller) {
    requireNonNull(caller, "caller is null");
    return tokens == null
        ? Optional.empty()
        : Optional.of(ClientCredentials.issuedBy(tokens, caller, clock));
  }

  /** Logs how callers are let in, once, when the server starts: a warning unless authenticated. */
  public void logStart(Logger log) {
    if (middleware != null) {
      log.info("{}", startMessage);
    } else {
      log.warn("{}", startMessage);
    }
  }
}
