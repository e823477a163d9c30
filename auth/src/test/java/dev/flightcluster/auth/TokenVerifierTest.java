package dev.flightcluster.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.flightcluster.testing.FakeClock;
import java.time.Duration;
import java.util.Date;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.junit.jupiter.api.Test;

class TokenVerifierTest {
  private static final Principal ALICE = new Principal("alice", Role.WRITE);

  private final ECKey key = generate();
  private final FakeClock clock = new FakeClock();
  private final TokenIssuer issuer =
      new TokenIssuer(key, "flight-cluster", Duration.ofHours(1), clock);
  private final TokenVerifier verifier =
      new TokenVerifier(key.toPublicJWK(), "flight-cluster", clock);

  @Test
  void acceptsItsOwnTokensWithUserAndRole() {
    Token token = issuer.issue(ALICE);
    assertThat(verifier.verify(token.value())).isEqualTo(ALICE);
    assertThat(token.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));
    assertThat(token.toString()).doesNotContain(token.value());
  }

  @Test
  void refusesAnExpiredTokenOnceTheClockSkewHasPassed() {
    Token token = issuer.issue(ALICE);
    clock.advance(Duration.ofHours(1).plus(TokenVerifier.CLOCK_SKEW).minusSeconds(1));
    assertThat(verifier.verify(token.value())).isEqualTo(ALICE);
    clock.advance(Duration.ofSeconds(1));
    assertUnauthenticated(token.value(), "expired");
  }

  @Test
  void refusesATokenSignedByAnotherKey() {
    TokenIssuer other = new TokenIssuer(generate(), "flight-cluster", Duration.ofHours(1), clock);
    assertUnauthenticated(other.issue(ALICE).value(), "not signed by this cluster's token key");
  }

  @Test
  void aRememberedTokenIsStillRefusedOnceExpiredAndARefusedOneIsNeverRemembered() {
    Token token = issuer.issue(ALICE);
    assertThat(verifier.verify(token.value())).isEqualTo(ALICE);
    assertThat(verifier.verify(token.value())).isEqualTo(ALICE);
    String forged =
        new TokenIssuer(generate(), "flight-cluster", Duration.ofHours(1), clock)
            .issue(ALICE)
            .value();
    assertUnauthenticated(forged, "not signed by this cluster's token key");
    assertUnauthenticated(forged, "not signed by this cluster's token key");
    clock.advance(Duration.ofHours(2));
    assertUnauthenticated(token.value(), "expired");
  }

  @Test
  void refusesAnotherIssuer() {
    TokenIssuer other = new TokenIssuer(key, "someone-else", Duration.ofHours(1), clock);
    assertUnauthenticated(other.issue(ALICE).value(), "another issuer");
  }

  @Test
  void refusesGarbledTokensAndOtherAlgorithms() throws Exception {
    String token = issuer.issue(ALICE).value();
    assertUnauthenticated("not-a-jwt", "is not a signed JWT");
    assertUnauthenticated(
        token.substring(0, token.length() - 4) + "AAAA", "not signed by this cluster");
    SignedJWT hmac =
        new SignedJWT(
            new JWSHeader(JWSAlgorithm.HS256),
            new JWTClaimsSet.Builder()
                .subject("mallory")
                .claim("role", "admin")
                .issuer("flight-cluster")
                .expirationTime(Date.from(clock.instant().plusSeconds(60)))
                .build());
    hmac.sign(new MACSigner(new byte[32]));
    assertUnauthenticated(hmac.serialize(), "is not signed with ES256");
  }

  private void assertUnauthenticated(String token, String why) {
    assertThatThrownBy(() -> verifier.verify(token))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHENTICATED))
        .hasMessageContaining(why)
        .hasMessageNotContaining(token);
  }

  static ECKey generate() {
    try {
      return new ECKeyGenerator(Curve.P_256).generate();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
