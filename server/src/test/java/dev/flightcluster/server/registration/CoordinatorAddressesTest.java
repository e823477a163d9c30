package dev.flightcluster.server.registration;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.Location;
import org.junit.jupiter.api.Test;

class CoordinatorAddressesTest {
  private final Map<String, List<InetAddress>> dns = new HashMap<>();
  private final HostResolver resolver =
      host -> {
        List<InetAddress> found = dns.get(host);
        if (found == null) {
          throw new UnknownHostException(host);
        }
        return found;
      };

  @Test
  void aNameStandsForOneCoordinatorPerAddress() throws Exception {
    dns.put("coordinators", List.of(ip("10.0.0.1"), ip("10.0.0.2"), ip("10.0.0.3")));
    var addresses =
        new CoordinatorAddresses(List.of(Location.forGrpcInsecure("coordinators", 8888)), resolver);

    assertThat(addresses.resolve())
        .containsExactly(
            uri("grpc+tcp://10.0.0.1:8888"),
            uri("grpc+tcp://10.0.0.2:8888"),
            uri("grpc+tcp://10.0.0.3:8888"));
    assertThat(addresses.complete()).isTrue();
  }

  @Test
  void theSameAddressUnderTwoNamesIsOneCoordinator() throws Exception {
    dns.put("a", List.of(ip("10.0.0.1")));
    dns.put("b", List.of(ip("10.0.0.1"), ip("10.0.0.2")));
    var addresses =
        new CoordinatorAddresses(
            List.of(Location.forGrpcInsecure("a", 8888), Location.forGrpcInsecure("b", 8888)),
            resolver);

    assertThat(addresses.resolve())
        .containsExactly(uri("grpc+tcp://10.0.0.1:8888"), uri("grpc+tcp://10.0.0.2:8888"));
  }

  @Test
  void aDualStackNameCountsItsIpv4AddressesOnly() throws Exception {
    // localhost, or a dual-stack headless Service: one coordinator behind an address of each
    // family.
    dns.put("localhost", List.of(ip("::1"), ip("127.0.0.1")));
    dns.put("v6only", List.of(ip("fd00::7")));
    var addresses =
        new CoordinatorAddresses(
            List.of(
                Location.forGrpcInsecure("localhost", 8888),
                Location.forGrpcInsecure("v6only", 9999)),
            resolver);

    assertThat(addresses.resolve())
        .containsExactly(
            uri("grpc+tcp://127.0.0.1:8888"), uri("grpc+tcp://[fd00:0:0:0:0:0:0:7]:9999"));
  }

  @Test
  void aNameThatStopsResolvingKeepsItsLastAddresses() throws Exception {
    dns.put("coordinators", List.of(ip("10.0.0.1"), ip("10.0.0.2")));
    var addresses =
        new CoordinatorAddresses(List.of(Location.forGrpcInsecure("coordinators", 8888)), resolver);
    addresses.resolve();

    dns.remove("coordinators");
    assertThat(addresses.resolve())
        .containsExactly(uri("grpc+tcp://10.0.0.1:8888"), uri("grpc+tcp://10.0.0.2:8888"));

    dns.put("coordinators", List.of(ip("10.0.0.2"), ip("10.0.0.9")));
    assertThat(addresses.resolve())
        .containsExactly(uri("grpc+tcp://10.0.0.2:8888"), uri("grpc+tcp://10.0.0.9:8888"));
  }

  @Test
  void aNameThatNeverResolvedIsRetriedWithoutAddresses() throws Exception {
    dns.put("up", List.of(ip("10.0.0.1")));
    var addresses =
        new CoordinatorAddresses(
            List.of(
                Location.forGrpcInsecure("up", 8888), Location.forGrpcInsecure("not-yet", 8888)),
            resolver);

    assertThat(addresses.resolve()).containsExactly(uri("grpc+tcp://10.0.0.1:8888"));
    assertThat(addresses.complete()).isFalse();

    dns.put("not-yet", List.of(ip("10.0.0.2")));
    assertThat(addresses.resolve())
        .containsExactly(uri("grpc+tcp://10.0.0.1:8888"), uri("grpc+tcp://10.0.0.2:8888"));
    assertThat(addresses.complete()).isTrue();
  }

  @Test
  void aTlsCoordinatorIsEachOfItsAddressesUnderItsNameForTheCertificate() throws Exception {
    dns.put("coordinator.example", List.of(ip("10.0.0.1"), ip("10.0.0.2")));
    var addresses =
        new CoordinatorAddresses(
            List.of(Location.forGrpcTls("coordinator.example", 443)), resolver);

    assertThat(addresses.resolve())
        .containsExactly(uri("grpc+tls://10.0.0.1:443"), uri("grpc+tls://10.0.0.2:443"));
    assertThat(addresses.authority(uri("grpc+tls://10.0.0.2:443")))
        .isEqualTo("coordinator.example:443");
  }

  @Test
  void aResolverThatThrowsIsTreatedAsNoAnswer() {
    HostResolver broken =
        host -> {
          throw new IllegalStateException("resolver bug");
        };
    var addresses =
        new CoordinatorAddresses(List.of(Location.forGrpcInsecure("coordinators", 8888)), broken);

    assertThat(addresses.resolve()).isEmpty();
    assertThat(addresses.complete()).isFalse();
  }

  private static InetAddress ip(String literal) throws UnknownHostException {
    return InetAddress.getByName(literal);
  }

  private static URI uri(String uri) {
    return URI.create(uri);
  }
}
