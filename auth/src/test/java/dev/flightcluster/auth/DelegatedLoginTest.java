package dev.flightcluster.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.flightcluster.testing.FakeClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.ErrorFlightMetadata;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.auth2.Auth2Constants;
import org.junit.jupiter.api.Test;

/** A data server's basic logins passed on to a coordinator (D92), against a fake coordinator. */
class DelegatedLoginTest {
  private static final String ISSUER = "flight-cluster";
  private static final String PASSWORD = "alice-pw-4411";

  private final ECKey clusterKey = generate();
  private final FakeClock clock = new FakeClock();
  private final FakeCoordinator coordinator =
      new FakeCoordinator(new TokenIssuer(clusterKey, ISSUER, Duration.ofHours(1), clock));
  private final ClusterAuthenticator dataServer = dataServer(coordinator);

  @Test
  void basicCredentialsAreAnsweredWithTheCoordinatorsTokenWhichWorksHere() {
    ClusterAuthenticator.Authenticated login = dataServer.authenticate(basic("alice", PASSWORD));

    assertThat(login.principal()).isEqualTo(new Principal("alice", Role.READ));
    assertThat(coordinator.received).containsExactly(encoded("alice", PASSWORD));
    ErrorFlightMetadata response = new ErrorFlightMetadata();
    login.appendToOutgoingHeaders(response);
    String header = response.get(Auth2Constants.AUTHORIZATION_HEADER);
    assertThat(header).isEqualTo(Auth2Constants.BEARER_PREFIX + coordinator.issued.getLast());
    assertThat(dataServer.authenticate(bearer(coordinator.issued.getLast())).principal())
        .isEqualTo(new Principal("alice", Role.READ));
  }

  @Test
  void aWrongPasswordAndAnUnknownUserGetTheCoordinatorsSameUnauthenticated() {
    FlightRuntimeException wrongPassword =
        refused(() -> dataServer.authenticate(basic("alice", "not-it-9931")));
    FlightRuntimeException unknownUser =
        refused(() -> dataServer.authenticate(basic("mallory", PASSWORD)));

    assertThat(wrongPassword.status().code()).isEqualTo(FlightStatusCode.UNAUTHENTICATED);
    assertThat(unknownUser.status().code()).isEqualTo(FlightStatusCode.UNAUTHENTICATED);
    assertThat(wrongPassword.status().description())
        .isEqualTo(unknownUser.status().description())
        .isEqualTo(ClusterAuthenticator.BAD_CREDENTIALS)
        .doesNotContain("not-it-9931");
  }

  @Test
  void aRefusedLoginIsNotRememberedSoTheNextAttemptAsksAgain() {
    refused(() -> dataServer.authenticate(basic("alice", "not-it-9931")));
    refused(() -> dataServer.authenticate(basic("alice", "not-it-9931")));
    assertThat(coordinator.received).hasSize(2);
  }

  @Test
  void noCoordinatorIsUnavailableAndTheMessageSaysWhatToDo() {
    coordinator.down = true;
    FlightRuntimeException e = refused(() -> dataServer.authenticate(basic("alice", PASSWORD)));
    assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAVAILABLE);
    assertThat(e.status().description()).contains("Bearer").doesNotContain(PASSWORD);

    coordinator.down = false;
    assertThat(dataServer.authenticate(basic("alice", PASSWORD)).principal().user())
        .isEqualTo("alice");
  }

  @Test
  void aRememberedLoginDoesNotCallTheCoordinatorAgainUntilItsTokenNearsExpiry() {
    String first = token(dataServer.authenticate(basic("alice", PASSWORD)));
    clock.advance(Duration.ofMinutes(54));
    String second = token(dataServer.authenticate(basic("alice", PASSWORD)));

    assertThat(second).isEqualTo(first);
    assertThat(coordinator.received).hasSize(1);

    // Less than DelegatedLogin.RENEW_BEFORE of the token's hour is left: a fresh login.
    clock.advance(Duration.ofMinutes(2));
    String renewed = token(dataServer.authenticate(basic("alice", PASSWORD)));
    assertThat(coordinator.received).hasSize(2);
    assertThat(renewed).isNotEqualTo(first);
  }

  @Test
  void otherCredentialsAreNotAnsweredFromAnotherUsersRememberedLogin() {
    dataServer.authenticate(basic("alice", PASSWORD));
    refused(() -> dataServer.authenticate(basic("alice", "not-it-9931")));
    assertThat(coordinator.received).hasSize(2);
  }

  @Test
  void aTokenNotSignedByTheClusterKeyIsRefusedAndNeverHandedOn() {
    FakeCoordinator impostor =
        new FakeCoordinator(new TokenIssuer(generate(), ISSUER, Duration.ofHours(1), clock));
    ClusterAuthenticator fooled = dataServer(impostor);

    FlightRuntimeException e = refused(() -> fooled.authenticate(basic("alice", PASSWORD)));
    assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHENTICATED);
    assertThat(e.status().description())
        .contains("not valid at this data server")
        .doesNotContain(impostor.issued.getLast());
    // Not remembered either: the next attempt asks again, and is refused again.
    refused(() -> fooled.authenticate(basic("alice", PASSWORD)));
    assertThat(impostor.received).hasSize(2);
  }

  @Test
  void withoutCoordinatorsADataServerStillRefusesBasicCredentials() {
    ClusterAuthenticator alone =
        ClusterAuthenticator.dataServer(new TokenVerifier(clusterKey.toPublicJWK(), ISSUER, clock));
    FlightRuntimeException e = refused(() -> alone.authenticate(basic("alice", PASSWORD)));
    assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHENTICATED);
    assertThat(e.status().description()).contains("no coordinator");
  }

  private ClusterAuthenticator dataServer(DelegatedLogin.Coordinator coordinator) {
    TokenVerifier verifier = new TokenVerifier(clusterKey.toPublicJWK(), ISSUER, clock);
    return ClusterAuthenticator.dataServer(
        verifier, new DelegatedLogin(coordinator, verifier, clock));
  }

  private static String token(ClusterAuthenticator.Authenticated login) {
    return login.issued().orElseThrow().value();
  }

  private static FlightRuntimeException refused(Runnable call) {
    List<FlightRuntimeException> thrown = new ArrayList<>();
    assertThatThrownBy(call::run).isInstanceOfSatisfying(FlightRuntimeException.class, thrown::add);
    return thrown.getFirst();
  }

  private static ErrorFlightMetadata basic(String user, String password) {
    ErrorFlightMetadata headers = new ErrorFlightMetadata();
    headers.insert(
        Auth2Constants.AUTHORIZATION_HEADER, Auth2Constants.BASIC_PREFIX + encoded(user, password));
    return headers;
  }

  private static ErrorFlightMetadata bearer(String token) {
    ErrorFlightMetadata headers = new ErrorFlightMetadata();
    headers.insert(Auth2Constants.AUTHORIZATION_HEADER, Auth2Constants.BEARER_PREFIX + token);
    return headers;
  }

  private static String encoded(String user, String password) {
    return Base64.getEncoder()
        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A coordinator's handshake without the network: alice with {@link #PASSWORD}, tokens from its
   * issuer, every call recorded; {@link #down} answers UNAVAILABLE, as no reachable coordinator.
   */
  private static final class FakeCoordinator implements DelegatedLogin.Coordinator {
    private final Map<String, Principal> users =
        Map.of(encoded("alice", PASSWORD), new Principal("alice", Role.READ));
    private final TokenIssuer issuer;
    final List<String> received = new ArrayList<>();
    final List<String> issued = new ArrayList<>();
    volatile boolean down;

    FakeCoordinator(TokenIssuer issuer) {
      this.issuer = issuer;
    }

    @Override
    public synchronized String login(String credentials) {
      if (down) {
        throw CallStatus.UNAVAILABLE
            .withDescription("no coordinator answered: try again, or send a Bearer token")
            .toRuntimeException();
      }
      received.add(credentials);
      Principal principal =
          Optional.ofNullable(users.get(credentials))
              .orElseThrow(
                  () ->
                      CallStatus.UNAUTHENTICATED
                          .withDescription(ClusterAuthenticator.BAD_CREDENTIALS)
                          .toRuntimeException());
      String token = issuer.issue(principal).value();
      issued.add(token);
      return token;
    }
  }

  private static ECKey generate() {
    try {
      return new ECKeyGenerator(Curve.P_256).generate();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
