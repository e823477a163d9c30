package dev.flightcluster.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.flightcluster.auth.Passwords;
import dev.flightcluster.auth.Principal;
import dev.flightcluster.auth.Role;
import dev.flightcluster.auth.ServerAuth;
import dev.flightcluster.auth.TokenIssuer;
import dev.flightcluster.auth.Users;
import dev.flightcluster.auth.UsersFile;
import dev.flightcluster.coordinator.http.HttpAuth;
import dev.flightcluster.coordinator.http.HttpAuth.Decision;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The status page's login: the coordinator's users over HTTP Basic, its tokens over Bearer. */
class StatusPageAuthTest {
  private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 50_000);
  private static final InetSocketAddress REMOTE = new InetSocketAddress("192.0.2.7", 50_000);

  private static TokenIssuer issuer;
  private static HttpAuth auth;

  @BeforeAll
  static void users() throws Exception {
    ECKey key = new ECKeyGenerator(Curve.P_256).generate();
    issuer =
        new TokenIssuer(
            key, TokenIssuer.DEFAULT_ISSUER, TokenIssuer.DEFAULT_TTL, InstantSource.system());
    Users users =
        Users.of(
            List.of(
                new UsersFile.Entry("ann", Role.READ, Passwords.hash("ann-secret".toCharArray())),
                new UsersFile.Entry(
                    "node", Role.NODE, Passwords.hash("node-secret".toCharArray()))));
    auth =
        StatusPageAuth.of(
            ServerAuth.coordinator(
                users,
                key,
                TokenIssuer.DEFAULT_ISSUER,
                TokenIssuer.DEFAULT_TTL,
                InstantSource.system()));
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aReaderMayLookWithItsPasswordOrItsToken() {
    assertThat(auth.check(basic("ann", "ann-secret"), REMOTE)).isEqualTo(Decision.ALLOW);
    String token = issuer.issue(new Principal("ann", Role.READ)).value();
    assertThat(auth.check("Bearer " + token, REMOTE)).isEqualTo(Decision.ALLOW);
  }

  @Test
  void noOrWrongCredentialsAre401WithoutRepeatingThem() {
    assertThat(auth.check(null, REMOTE).status()).isEqualTo(401);
    Decision wrong = auth.check(basic("ann", "guess-123"), REMOTE);
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.reason()).doesNotContain("guess-123");
    assertThat(auth.check("Bearer not.a.token", REMOTE).status()).isEqualTo(401);
  }

  @Test
  void aNodeUserMayNotLook() {
    Decision node = auth.check(basic("node", "node-secret"), REMOTE);
    assertThat(node.status()).isEqualTo(403);
    assertThat(node.reason()).contains("node");
  }

  @Test
  void insecureLetsEveryoneLookAndProtectedModeOnlyThisMachine() {
    HttpAuth open = StatusPageAuth.of(ServerAuth.insecure());
    assertThat(open.check(null, REMOTE)).isEqualTo(Decision.ALLOW);
    HttpAuth protectedMode = StatusPageAuth.of(ServerAuth.protectedMode("coordinator", "--users"));
    assertThat(protectedMode.check(null, LOCAL)).isEqualTo(Decision.ALLOW);
    assertThat(protectedMode.check(null, REMOTE).status()).isEqualTo(403);
  }
}
