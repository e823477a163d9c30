package dev.flightcluster.cli.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.apache.arrow.flight.FlightRuntimeException;
import org.junit.jupiter.api.Test;

class ServerAddressesTest {
  @Test
  void explicitAdvertiseWins() throws Exception {
    assertThat(
            ServerAddresses.advertised("0.0.0.0", 8889, "grpc://flight-2:9000", List.of()).getUri())
        .hasToString("grpc://flight-2:9000");
    assertThatThrownBy(
            () -> ServerAddresses.advertised("0.0.0.0", 8889, "flight-2:9000", List.of()))
        .isInstanceOf(FlightRuntimeException.class)
        .hasMessageContaining("scheme");
  }

  @Test
  void specificBindHostIsAdvertised() {
    assertThat(ServerAddresses.advertised("127.0.0.1", 8889, "", List.of()).getUri())
        .hasToString("grpc://127.0.0.1:8889");
    assertThat(ServerAddresses.advertised("::1", 8889, null, List.of()).getUri())
        .hasToString("grpc://[::1]:8889");
  }

  @Test
  void wildcardBindAdvertisesTheBestMachineAddress() throws Exception {
    List<InetAddress> addresses =
        List.of(
            InetAddress.getByName("127.0.0.1"),
            InetAddress.getByName("fe80::1"),
            InetAddress.getByName("2001:db8::7"),
            InetAddress.getByName("203.0.113.9"),
            InetAddress.getByName("10.0.0.7"));
    assertThat(ServerAddresses.advertised("0.0.0.0", 8889, "", addresses).getUri())
        .hasToString("grpc://10.0.0.7:8889");
    assertThat(ServerAddresses.bestAddress(addresses.subList(0, 3)))
        .contains(InetAddress.getByName("2001:db8::7"));
    assertThat(
            ServerAddresses.advertised("::", 8889, "", List.of(InetAddress.getByName("127.0.0.1")))
                .getUri())
        .hasToString("grpc://127.0.0.1:8889");
  }

  @Test
  void serverIdIsHostAndPort() {
    assertThat(ServerAddresses.defaultServerId(8889, "flight-2")).isEqualTo("flight-2-8889");
    assertThat(ServerAddresses.defaultServerId(8889, null)).endsWith("-8889").hasSizeGreaterThan(5);
    assertThat(ServerAddresses.isWildcard("0.0.0.0")).isTrue();
    assertThat(ServerAddresses.isWildcard("[::]")).isTrue();
    assertThat(ServerAddresses.isWildcard("10.1.2.3")).isFalse();
  }
}
