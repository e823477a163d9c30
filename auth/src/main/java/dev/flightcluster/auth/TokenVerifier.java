package dev.flightcluster.auth;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies bearer tokens offline, with the public key only: the signature (ES256 and no other
 * algorithm), the issuer, the expiry (with {@link #CLOCK_SKEW} of leeway between nodes' clocks),
 * the subject and the role. Thread-safe.
 *
 * <p>An ECDSA verification costs most of a millisecond on the JDK's provider, and a client sends
 * the same token with every call until it renews it: a verified token is therefore remembered, with
 * its principal and expiry, and a later call with it only checks the expiry. Only tokens that
 * passed every check are remembered, so the cache cannot admit a forged one; it is bounded by
 * {@link #MAX_REMEMBERED} and emptied when full.
 */
public final class TokenVerifier {
  /** How far nodes' clocks may differ: a token is accepted this long after its expiry. */
  public static final Duration CLOCK_SKEW = Duration.ofSeconds(30);

  /** At most this many verified tokens are remembered (a few hundred bytes each). */
  static final int MAX_REMEMBERED = 10_000;

  private static final Logger log = LoggerFactory.getLogger(TokenVerifier.class);

  private final Map<String, Verified> verified = new ConcurrentHashMap<>();

  private final ECDSAVerifier verifier;
  private final String issuer;
  private final InstantSource clock;

  /**
   * @param verifyKey a P-256 public key ({@link TokenKeys#verifyKey}); of a private key only the
   *     public half is used
   * @param issuer the {@code iss} claim tokens must carry
   * @param clock the time expiry is checked against
   */
  public TokenVerifier(ECKey verifyKey, String issuer, InstantSource clock) {
    requireNonNull(verifyKey, "verifyKey is null");
    this.issuer = requireNonNull(issuer, "issuer is null");
    this.clock = requireNonNull(clock, "clock is null");
    try {
      this.verifier = new ECDSAVerifier(verifyKey.toPublicJWK());
    } catch (JOSEException e) {
      throw new IllegalArgumentException(
          "the token verify key cannot verify ES256: " + e.getMessage(), e);
    }
  }

  /**
   * The principal {@code token} was issued to.
   *
   * @throws FlightRuntimeException UNAUTHENTICATED when the token is malformed, not signed by the
   *     cluster's key, from another issuer, or expired; the message never quotes the token
   */
  public Principal verify(String token) {
    return verified(token).principal();
  }

  /** Like {@link #verify}, with the token's expiry: a delegated login remembers it that long. */
  Verified verified(String token) {
    requireNonNull(token, "token is null");
    Verified known = verified.get(token);
    if (known != null) {
      checkExpiry(known.expiry());
      return known;
    }
    Verified checked = verifySignatureAndClaims(token);
    if (verified.size() >= MAX_REMEMBERED) {
      verified.clear();
    }
    verified.put(token, checked);
    return checked;
  }

  private Verified verifySignatureAndClaims(String token) {
    SignedJWT jwt;
    JWTClaimsSet claims;
    try {
      jwt = SignedJWT.parse(token);
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      throw rejected("is not a signed JWT");
    }
    if (!JWSAlgorithm.ES256.equals(jwt.getHeader().getAlgorithm())) {
      throw rejected("is not signed with ES256");
    }
    try {
      if (!jwt.verify(verifier)) {
        throw rejected("is not signed by this cluster's token key");
      }
    } catch (JOSEException e) {
      throw rejected("cannot be verified");
    }
    if (!issuer.equals(claims.getIssuer())) {
      throw rejected("is from another issuer");
    }
    Date expiry = claims.getExpirationTime();
    if (expiry == null) {
      throw rejected("has no expiry");
    }
    checkExpiry(expiry.toInstant());
    String subject = claims.getSubject();
    Object role = claims.getClaim(TokenIssuer.ROLE_CLAIM);
    if (subject == null || subject.isBlank() || !(role instanceof String roleName)) {
      throw rejected("has no subject or role");
    }
    try {
      return new Verified(new Principal(subject, Role.parse(roleName)), expiry.toInstant());
    } catch (IllegalArgumentException e) {
      throw rejected("names an unknown role");
    }
  }

  private void checkExpiry(Instant expiry) {
    if (!clock.instant().isBefore(expiry.plus(CLOCK_SKEW))) {
      throw unauthenticated(
          "the bearer token expired at " + expiry + ": log in again at a coordinator");
    }
  }

  /** A token that passed every check: whose it is and when it expires. */
  record Verified(Principal principal, Instant expiry) {}

  private static FlightRuntimeException rejected(String why) {
    log.debug("Refused a bearer token that {}", why);
    return unauthenticated(
        "the bearer token "
            + why
            + ": log in at a coordinator with basic credentials for a new one");
  }

  private static FlightRuntimeException unauthenticated(String message) {
    return CallStatus.UNAUTHENTICATED.withDescription(message).toRuntimeException();
  }
}
