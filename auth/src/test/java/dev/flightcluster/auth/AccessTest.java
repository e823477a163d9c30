package dev.flightcluster.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcluster.protocol.ClusterActions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.apache.arrow.flight.FlightMethod;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.junit.jupiter.api.Test;

/** The role policy, and protected mode's decision on who may call. */
class AccessTest {
  private static final String LIST = "arrow.flight.protocol.FlightService/ListFlights";

  @Test
  void rolesAtTheCoordinator() {
    AccessPolicy policy = AccessPolicy.coordinator();
    assertDenied(
        () -> policy.checkAction(ClusterActions.SAY_HELLO, new Principal("w", Role.WRITE)));
    assertDenied(
        () -> policy.checkAction(ClusterActions.CHOOSE_SERVER, new Principal("r", Role.READ)));
    assertDenied(() -> policy.checkCall(FlightMethod.LIST_FLIGHTS, new Principal("n", Role.NODE)));
    assertThatCode(
            () -> policy.checkAction(ClusterActions.SAY_HELLO, new Principal("n", Role.NODE)))
        .doesNotThrowAnyException();
    assertThatCode(
            () -> policy.checkAction(ClusterActions.SAY_HELLO, new Principal("a", Role.ADMIN)))
        .doesNotThrowAnyException();
    assertThatCode(
            () -> policy.checkCall(FlightMethod.GET_FLIGHT_INFO, new Principal("r", Role.READ)))
        .doesNotThrowAnyException();
  }

  @Test
  void rolesAtADataServer() {
    AccessPolicy policy = AccessPolicy.dataServer();
    assertDenied(() -> policy.checkCall(FlightMethod.DO_PUT, new Principal("r", Role.READ)));
    assertDenied(() -> policy.checkCall(FlightMethod.DO_GET, new Principal("n", Role.NODE)));
    assertThatCode(() -> policy.checkCall(FlightMethod.LIST_FLIGHTS, new Principal("n", Role.NODE)))
        .doesNotThrowAnyException();
    assertThatCode(() -> policy.checkCall(FlightMethod.DO_PUT, new Principal("w", Role.WRITE)))
        .doesNotThrowAnyException();
  }

  @Test
  void protectedModeAdmitsLoopbackAndHealthOnly() throws Exception {
    InetSocketAddress remote = new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 40000);
    assertThat(ProtectedMode.admits(remote, LIST)).isFalse();
    assertThat(ProtectedMode.admits(remote, "grpc.health.v1.Health/Check")).isTrue();
    assertThat(
            ProtectedMode.admits(
                new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 1), LIST))
        .isTrue();
    assertThat(ProtectedMode.admits(new InetSocketAddress(InetAddress.getByName("::1"), 1), LIST))
        .isTrue();
    assertThat(ProtectedMode.admits(null, LIST)).isFalse();
    assertThat(new ProtectedMode("coordinator", "--users FILE").refusal())
        .contains("--users FILE", "--insecure");
  }

  private static void assertDenied(Runnable check) {
    assertThatThrownBy(check::run)
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHORIZED));
  }
}
