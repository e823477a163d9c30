package dev.flightcluster.auth;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.UUID;

/**
 * Signs bearer tokens at a coordinator: ES256 JWTs with the user as subject, its role in the {@code
 * role} claim, the issuer, the issue time, an expiry and a unique id. Any node holding the public
 * key verifies them offline ({@link TokenVerifier}). Immutable and thread-safe.
 */
public final class TokenIssuer {
  /** The token lifetime when none is set. */
  public static final Duration DEFAULT_TTL = Duration.ofHours(1);

  /** The issuer claim when none is set. */
  public static final String DEFAULT_ISSUER = "flight-cluster";

  /** The claim holding the role's wire name. */
  public static final String ROLE_CLAIM = "role";

  private final ECDSASigner signer;
  private final JWSHeader header;
  private final String issuer;
  private final Duration ttl;
  private final InstantSource clock;

  /**
   * @param signingKey a P-256 private key ({@link TokenKeys#signingKey})
   * @param issuer the {@code iss} claim, which verifiers require
   * @param ttl how long a token is valid; positive
   * @param clock the time tokens are issued at
   */
  public TokenIssuer(ECKey signingKey, String issuer, Duration ttl, InstantSource clock) {
    requireNonNull(signingKey, "signingKey is null");
    this.issuer = requireNonNull(issuer, "issuer is null");
    this.ttl = requireNonNull(ttl, "ttl is null");
    this.clock = requireNonNull(clock, "clock is null");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("the token ttl must be positive, got " + ttl);
    }
    if (issuer.isBlank()) {
      throw new IllegalArgumentException("the token issuer is blank");
    }
    try {
      this.signer = new ECDSASigner(signingKey);
      this.header =
          new JWSHeader.Builder(JWSAlgorithm.ES256)
              .type(JOSEObjectType.JWT)
              .keyID(signingKey.computeThumbprint().toString())
              .build();
    } catch (JOSEException e) {
      throw new IllegalArgumentException(
          "the token signing key cannot sign ES256: " + e.getMessage(), e);
    }
  }

  /** A token for {@code principal}, valid from now for the ttl. */
  public Token issue(Principal principal) {
    requireNonNull(principal, "principal is null");
    // JWT times are whole seconds; truncating keeps expiresAt equal to the exp claim.
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Instant expiry = now.plus(ttl);
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .subject(principal.user())
            .claim(ROLE_CLAIM, principal.role().wireName())
            .issuer(issuer)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(expiry))
            .jwtID(UUID.randomUUID().toString())
            .build();
    SignedJWT jwt = new SignedJWT(header, claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("signing a token failed", e);
    }
    return new Token(jwt.serialize(), expiry);
  }

  /** How long the tokens issued are valid. */
  public Duration ttl() {
    return ttl;
  }
}
