package dev.flightcluster.server.registration;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Turns a coordinator's host name into the addresses it stands for. A name with several addresses
 * (a Kubernetes headless Service, docker compose's service name) stands for one coordinator per
 * address, so a data server registers with each of them. Tests inject their own to make one name
 * resolve to several addresses.
 */
@FunctionalInterface
public interface HostResolver {
  /**
   * Every address of {@code host}; a literal address resolves to itself.
   *
   * @throws UnknownHostException when the name has no address (now)
   */
  List<InetAddress> resolve(String host) throws UnknownHostException;

  /**
   * The JVM's resolver ({@link InetAddress#getAllByName}). The JVM caches answers for 30 s unless
   * {@code networkaddress.cache.ttl} says otherwise, which bounds how soon a change is seen.
   */
  static HostResolver system() {
    return host -> List.of(InetAddress.getAllByName(host));
  }
}
