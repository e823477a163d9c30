package dev.flightcluster.auth;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jwt.SignedJWT;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Date;
import java.util.Optional;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.auth2.Auth2Constants;

/**
 * The caller's side of authentication, as a gRPC client interceptor for every channel of a client:
 * it sends {@code authorization: Bearer TOKEN} with every call. The token comes either from a
 * basic-auth login at a coordinator ({@link #login}: the Flight handshake with {@code
 * authorization: Basic}, answered with the token in the response headers) or from the process's own
 * {@link TokenIssuer} ({@link #issuedBy}, the coordinator calling data servers back). Tokens are
 * renewed before they expire. Thread-safe.
 */
public final class ClientCredentials implements ClientInterceptor {
  /** A token is renewed once less than this part of its lifetime, or 5 minutes, is left. */
  private static final Duration RENEW_BEFORE = Duration.ofMinutes(5);

  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of(Auth2Constants.AUTHORIZATION_HEADER, Metadata.ASCII_STRING_MARSHALLER);
  private static final String HANDSHAKE = "arrow.flight.protocol.FlightService/Handshake";

  private final String basic;
  private final TokenIssuer issuer;
  private final Principal self;
  private final InstantSource clock;
  private volatile Token token;
  private volatile Instant renewAt = Instant.MIN;

  private ClientCredentials(String basic, TokenIssuer issuer, Principal self, InstantSource clock) {
    this.basic = basic;
    this.issuer = issuer;
    this.self = self;
    this.clock = requireNonNull(clock, "clock is null");
  }

  /** Credentials that log in as {@code user} with {@code password} at a coordinator. */
  public static ClientCredentials login(String user, char[] password, InstantSource clock) {
    requireNonNull(user, "user is null");
    requireNonNull(password, "password is null");
    if (user.isEmpty() || user.indexOf(':') >= 0) {
      throw new IllegalArgumentException("a user name is not empty and has no ':'");
    }
    String basic =
        Base64.getEncoder()
            .encodeToString((user + ":" + new String(password)).getBytes(StandardCharsets.UTF_8));
    return new ClientCredentials(basic, null, null, clock);
  }

  /**
   * Credentials that log in with {@code credentials}, the base64 {@code USER:PASSWORD} of a
   * caller's {@code Basic} header, sent unchanged: a data server passing its caller's login on to a
   * coordinator (decisions D92).
   */
  public static ClientCredentials forwarding(String credentials, InstantSource clock) {
    requireNonNull(credentials, "credentials is null");
    if (credentials.isEmpty()) {
      throw new IllegalArgumentException("the basic credentials are empty");
    }
    return new ClientCredentials(credentials, null, null, clock);
  }

  /** Credentials whose tokens the process signs itself, for {@code self}. */
  public static ClientCredentials issuedBy(
      TokenIssuer issuer, Principal self, InstantSource clock) {
    return new ClientCredentials(
        null,
        requireNonNull(issuer, "issuer is null"),
        requireNonNull(self, "self is null"),
        clock);
  }

  /**
   * Makes sure there is a token that does not expire soon, logging in at {@code coordinator} (a
   * client built with this interceptor) when there is none. Does nothing for self-issued tokens.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException UNAUTHENTICATED when the login is
   *     refused, or answered without a token
   */
  public void ensureToken(FlightClient coordinator, CallOption... options) {
    requireNonNull(coordinator, "coordinator is null");
    if (issuer != null || clock.instant().isBefore(renewAt)) {
      return;
    }
    synchronized (this) {
      if (clock.instant().isBefore(renewAt)) {
        return;
      }
      coordinator.handshake(options);
      if (!clock.instant().isBefore(renewAt)) {
        throw CallStatus.UNAUTHENTICATED
            .withDescription(
                "the coordinator answered the login without a token: it runs without --users, so"
                    + " there is no user to log in as")
            .toRuntimeException();
      }
    }
  }

  /** The token of the last login (or self-issued), if there is one. */
  public Optional<Token> token() {
    return Optional.ofNullable(token);
  }

  /** Forgets the token, so that the next {@link #ensureToken} logs in again. */
  public void forgetToken() {
    token = null;
    renewAt = Instant.MIN;
  }

  private String bearer() {
    if (issuer != null && !clock.instant().isBefore(renewAt)) {
      synchronized (this) {
        if (!clock.instant().isBefore(renewAt)) {
          accept(issuer.issue(self));
        }
      }
    }
    Token current = token;
    return current == null ? null : current.value();
  }

  private void accept(Token fresh) {
    Instant now = clock.instant();
    Duration lifetime = Duration.between(now, fresh.expiresAt());
    Duration margin =
        lifetime.dividedBy(4).compareTo(RENEW_BEFORE) < 0 ? lifetime.dividedBy(4) : RENEW_BEFORE;
    token = fresh;
    renewAt = fresh.expiresAt().minus(margin);
  }

  private void received(String header) {
    if (header == null || !header.startsWith(Auth2Constants.BEARER_PREFIX)) {
      return;
    }
    String value = header.substring(Auth2Constants.BEARER_PREFIX.length()).strip();
    Instant expiry;
    try {
      // Read, not verified: the coordinator it came from is trusted, and every node verifies it.
      Date exp = SignedJWT.parse(value).getJWTClaimsSet().getExpirationTime();
      expiry = exp == null ? clock.instant().plus(RENEW_BEFORE) : exp.toInstant();
    } catch (ParseException e) {
      expiry = clock.instant().plus(RENEW_BEFORE);
    }
    accept(new Token(value, expiry));
  }

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(
      MethodDescriptor<Q, R> method, CallOptions callOptions, Channel next) {
    boolean login = basic != null && HANDSHAKE.equals(method.getFullMethodName());
    return new ForwardingClientCall.SimpleForwardingClientCall<>(
        next.newCall(method, callOptions)) {
      @Override
      public void start(Listener<R> responseListener, Metadata headers) {
        if (login) {
          headers.put(AUTHORIZATION, Auth2Constants.BASIC_PREFIX + basic);
          super.start(
              new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(
                  responseListener) {
                @Override
                public void onHeaders(Metadata responseHeaders) {
                  received(responseHeaders.get(AUTHORIZATION));
                  super.onHeaders(responseHeaders);
                }

                @Override
                public void onClose(io.grpc.Status status, Metadata trailers) {
                  // A reply without messages may carry its headers in the trailers.
                  if (status.isOk()) {
                    received(trailers.get(AUTHORIZATION));
                  }
                  super.onClose(status, trailers);
                }
              },
              headers);
          return;
        }
        String bearer = bearer();
        if (bearer != null) {
          headers.put(AUTHORIZATION, Auth2Constants.BEARER_PREFIX + bearer);
        }
        super.start(responseListener, headers);
      }
    };
  }

  @Override
  public String toString() {
    return issuer != null
        ? "ClientCredentials[self-issued for " + self.user() + "]"
        : "ClientCredentials[login]";
  }
}
