package dev.flightcluster.auth;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A data server's answer to basic credentials (decisions D92): it holds no users, so it passes the
 * login on to a coordinator ({@link Coordinator}), verifies the token the coordinator issued with
 * its own {@link TokenVerifier}, so that only a token the cluster's key signed is ever handed on,
 * and answers the caller with it, as a coordinator's handshake does. Thread-safe.
 *
 * <p>The Flight SQL JDBC driver logs in again at every endpoint it reads, so a query costs one
 * login per data server. A delegated login is therefore remembered until its token is about to
 * expire, keyed by an HMAC-SHA256 of the {@code Basic} value under a key drawn at random per
 * process: the map never holds the credentials, and its keys reveal nothing outside this process.
 * It is bounded by {@link #MAX_REMEMBERED} and emptied when full, as {@link TokenVerifier}'s.
 */
public final class DelegatedLogin {
  /** At most this many logins are remembered (a token and a principal each). */
  static final int MAX_REMEMBERED = 10_000;

  /**
   * A remembered login is handed out until less than a quarter of its token's lifetime, or this, is
   * left, so that every caller receives a token it can use for a while.
   */
  static final Duration RENEW_BEFORE = Duration.ofMinutes(5);

  private static final String HMAC = "HmacSHA256";
  private static final Logger log = LoggerFactory.getLogger(DelegatedLogin.class);

  /** Performs the basic-token handshake at a coordinator. */
  @FunctionalInterface
  public interface Coordinator {
    /**
     * Sends {@code authorization: Basic CREDENTIALS} on a Flight handshake to a coordinator, with a
     * deadline, and returns the bearer token it answered with. The credentials are a secret: never
     * logged, put in a span or in a message.
     *
     * @param credentials the base64 {@code USER:PASSWORD} of the caller's header, unchanged
     * @return the token of the coordinator's {@code authorization: Bearer} response header
     * @throws FlightRuntimeException UNAUTHENTICATED as a coordinator refused the credentials,
     *     UNAVAILABLE when no coordinator answered
     */
    String login(String credentials);
  }

  private final Map<String, Remembered> remembered = new ConcurrentHashMap<>();
  private final Coordinator coordinator;
  private final TokenVerifier verifier;
  private final InstantSource clock;
  private final SecretKeySpec fingerprintKey;

  /**
   * @param coordinator where logins are passed on to
   * @param verifier checks the tokens coordinators answer with: this data server's
   * @param clock the time remembered logins expire at
   */
  public DelegatedLogin(Coordinator coordinator, TokenVerifier verifier, InstantSource clock) {
    this.coordinator = requireNonNull(coordinator, "coordinator is null");
    this.verifier = requireNonNull(verifier, "verifier is null");
    this.clock = requireNonNull(clock, "clock is null");
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    this.fingerprintKey = new SecretKeySpec(key, HMAC);
  }

  /**
   * The caller with these basic credentials, and the token to answer with.
   *
   * @param credentials the base64 of {@code USER:PASSWORD}, after {@code Basic }
   * @throws FlightRuntimeException UNAUTHENTICATED when a coordinator refused the credentials or
   *     answered with a token this data server cannot verify; UNAVAILABLE when no coordinator
   *     answered
   */
  ClusterAuthenticator.Authenticated login(String credentials) {
    requireNonNull(credentials, "credentials is null");
    String fingerprint = fingerprint(credentials);
    Remembered known = remembered.get(fingerprint);
    if (known != null && clock.instant().isBefore(known.until())) {
      return known.authenticated();
    }
    String token = coordinator.login(credentials);
    TokenVerifier.Verified verified;
    try {
      verified = verifier.verified(token);
    } catch (FlightRuntimeException e) {
      log.warn(
          "A coordinator answered a login with a token this data server cannot verify ({}): is"
              + " --token-verify-key the public half of the coordinators' --token-key, with the"
              + " same --token-issuer?",
          e.status().description());
      throw CallStatus.UNAUTHENTICATED
          .withDescription(
              "the coordinator's token for this login is not valid at this data server (its token"
                  + " keys differ): log in at a coordinator and send its token here as"
                  + " authorization: Bearer TOKEN")
          .toRuntimeException();
    }
    Token issued = new Token(token, verified.expiry());
    Remembered fresh =
        new Remembered(
            new ClusterAuthenticator.Authenticated(verified.principal(), Optional.of(issued)),
            renewAt(verified.expiry()));
    if (remembered.size() >= MAX_REMEMBERED) {
      remembered.clear();
    }
    remembered.put(fingerprint, fresh);
    return fresh.authenticated();
  }

  private Instant renewAt(Instant expiry) {
    Duration lifetime = Duration.between(clock.instant(), expiry);
    Duration quarter = lifetime.dividedBy(4);
    return expiry.minus(quarter.compareTo(RENEW_BEFORE) < 0 ? quarter : RENEW_BEFORE);
  }

  private String fingerprint(String credentials) {
    try {
      // A Mac is not thread-safe, and one is cheap next to the handshake it saves.
      Mac mac = Mac.getInstance(HMAC);
      mac.init(fingerprintKey);
      return Base64.getEncoder()
          .encodeToString(mac.doFinal(credentials.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no " + HMAC, e);
    }
  }

  private record Remembered(ClusterAuthenticator.Authenticated authenticated, Instant until) {}
}
