package dev.flightcluster.cli.server;

import dev.flightcluster.protocol.Locations;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.arrow.flight.Location;

/**
 * The defaults of a data server's identity: the location it advertises to the coordinator and its
 * server id.
 */
public final class ServerAddresses {
  private ServerAddresses() {}

  /** True for a bind host that listens on every interface. */
  public static boolean isWildcard(String host) {
    String h = host.strip();
    return h.isEmpty()
        || h.equals("0.0.0.0")
        || h.equals("::")
        || h.equals("[::]")
        || h.equals("*");
  }

  /**
   * The location to advertise: {@code advertise} when given, else the bind host when it is a
   * specific one, else the best address of this machine (see {@link #bestAddress}), so that each
   * replica of a scaled-out container advertises its own IP.
   */
  public static Location advertised(
      String bindHost, int port, String advertise, List<InetAddress> machineAddresses) {
    if (advertise != null && !advertise.isBlank()) {
      return Locations.parse(advertise.strip());
    }
    if (!isWildcard(bindHost)) {
      return location(bindHost.strip(), port);
    }
    return location(
        bestAddress(machineAddresses).map(InetAddress::getHostAddress).orElse("127.0.0.1"), port);
  }

  /**
   * The address others most likely reach this machine at: a non-loopback IPv4 address (site-local
   * first), else a global IPv6 address; empty when there is only loopback.
   */
  public static Optional<InetAddress> bestAddress(List<InetAddress> addresses) {
    return addresses.stream()
        .filter(address -> !address.isLoopbackAddress() && !address.isAnyLocalAddress())
        .filter(address -> !(address instanceof Inet6Address) || !address.isLinkLocalAddress())
        .min(
            Comparator.comparingInt(
                (InetAddress address) ->
                    address instanceof Inet4Address ? (address.isSiteLocalAddress() ? 0 : 1) : 2));
  }

  /** The up, non-loopback addresses of this machine's interfaces, in interface order. */
  public static List<InetAddress> machineAddresses() {
    List<InetAddress> addresses = new ArrayList<>();
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (nic.isUp() && !nic.isLoopback()) {
          addresses.addAll(Collections.list(nic.getInetAddresses()));
        }
      }
    } catch (SocketException e) {
      // No interfaces to ask: the caller falls back to loopback.
    }
    return addresses;
  }

  /** {@code <hostname>-<port>}: unique per server on a machine, and readable in traces. */
  public static String defaultServerId(int port, String environmentHostname) {
    String host = environmentHostname;
    if (host == null || host.isBlank()) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        host = "localhost";
      }
    }
    return host.strip() + "-" + port;
  }

  /** A {@code grpc://host:port} location, bracketing IPv6 literals. */
  public static Location location(String host, int port) {
    try {
      String bare =
          host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
      return new Location(new URI("grpc", null, bare, port, null, null, null));
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("invalid host '" + host + "': " + e.getReason(), e);
    }
  }
}
