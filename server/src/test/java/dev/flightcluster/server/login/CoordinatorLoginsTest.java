package dev.flightcluster.server.login;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.flightcluster.auth.Principal;
import dev.flightcluster.auth.Role;
import dev.flightcluster.auth.ServerAuth;
import dev.flightcluster.auth.TokenVerifier;
import dev.flightcluster.auth.Users;
import dev.flightcluster.auth.UsersFile;
import dev.flightcluster.security.TlsSettings;
import dev.flightcluster.testing.InMemoryTelemetry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Logins passed on to a coordinator over the network (D92): a Flight server with a coordinator's
 * authentication stands in for the coordinator.
 */
class CoordinatorLoginsTest {
  private static final String ISSUER = "flight-cluster";
  private static final String PASSWORD = "alice-pw-8802";

  private final ECKey clusterKey = generate();
  private final InMemoryTelemetry telemetry = InMemoryTelemetry.forService("server");
  private BufferAllocator allocator;
  private FlightServer coordinator;

  @BeforeEach
  void start(@TempDir Path dir) throws Exception {
    Path users = dir.resolve("users");
    UsersFile.put(users, "alice", Role.READ, PASSWORD.toCharArray());
    allocator = new RootAllocator();
    coordinator =
        ServerAuth.coordinator(
                Users.load(users), clusterKey, ISSUER, Duration.ofHours(1), InstantSource.system())
            .install(
                FlightServer.builder(
                    allocator, Location.forGrpcInsecure("127.0.0.1", 0), new NoOpFlightProducer()))
            .build()
            .start();
  }

  @AfterEach
  void stop() throws Exception {
    try {
      coordinator.close();
    } finally {
      allocator.close();
      telemetry.close();
    }
  }

  @Test
  void theCoordinatorsTokenForTheCallersCredentialsComesBackAndVerifiesHere() {
    String token = logins(at(coordinator.getPort())).login(encoded("alice", PASSWORD));

    TokenVerifier verifier =
        new TokenVerifier(clusterKey.toPublicJWK(), ISSUER, InstantSource.system());
    assertThat(verifier.verify(token)).isEqualTo(new Principal("alice", Role.READ));
  }

  @Test
  void aWrongPasswordAndAnUnknownUserAreTheCoordinatorsSameUnauthenticated() {
    CoordinatorLogins logins = logins(at(coordinator.getPort()));
    FlightRuntimeException wrongPassword = refused(() -> logins.login(encoded("alice", "x-7731")));
    FlightRuntimeException unknownUser = refused(() -> logins.login(encoded("bob", PASSWORD)));

    assertThat(wrongPassword.status().code()).isEqualTo(FlightStatusCode.UNAUTHENTICATED);
    assertThat(unknownUser.status().code()).isEqualTo(FlightStatusCode.UNAUTHENTICATED);
    assertThat(wrongPassword.status().description())
        .isEqualTo(unknownUser.status().description())
        .doesNotContain("x-7731");
  }

  @Test
  void aCoordinatorThatIsDownIsSkippedForTheNextOne() throws Exception {
    CoordinatorLogins logins = logins(at(closedPort()), at(coordinator.getPort()));
    // Logins start at a different coordinator each time: both orders reach the live one.
    assertThat(logins.login(encoded("alice", PASSWORD))).isNotEmpty();
    assertThat(logins.login(encoded("alice", PASSWORD))).isNotEmpty();
  }

  @Test
  void noReachableCoordinatorIsUnavailableSayingWhatToDo() throws Exception {
    CoordinatorLogins logins = logins(at(closedPort()));
    FlightRuntimeException e = refused(() -> logins.login(encoded("alice", PASSWORD)));

    assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAVAILABLE);
    assertThat(e.status().description())
        .contains("none answered", "authorization: Bearer")
        .doesNotContain(PASSWORD, encoded("alice", PASSWORD));
  }

  @Test
  void thePasswordIsInNoSpan() {
    logins(at(coordinator.getPort())).login(encoded("alice", PASSWORD));
    refused(() -> logins(at(coordinator.getPort())).login(encoded("alice", "x-7731")));

    assertThat(telemetry.spans()).isNotEmpty();
    assertThat(telemetry.spans().toString())
        .doesNotContain(PASSWORD, "x-7731", encoded("alice", PASSWORD));
  }

  private CoordinatorLogins logins(Location... coordinators) {
    return new CoordinatorLogins(
        telemetry.flightTelemetry(),
        allocator,
        List.of(coordinators),
        TlsSettings.plaintext(),
        CoordinatorLogins.DEFAULT_DEADLINE,
        InstantSource.system());
  }

  private static Location at(int port) {
    return Location.forGrpcInsecure("127.0.0.1", port);
  }

  /** A port nothing listens on: bound by the system, then released. */
  private static int closedPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static String encoded(String user, String password) {
    return Base64.getEncoder()
        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static FlightRuntimeException refused(Runnable call) {
    List<FlightRuntimeException> thrown = new ArrayList<>();
    assertThatThrownBy(call::run).isInstanceOfSatisfying(FlightRuntimeException.class, thrown::add);
    return thrown.getFirst();
  }

  private static ECKey generate() {
    try {
      return new ECKeyGenerator(Curve.P_256).generate();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
