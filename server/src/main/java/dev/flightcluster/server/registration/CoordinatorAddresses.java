package dev.flightcluster.server.registration;

import static java.util.Objects.requireNonNull;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.flight.Location;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinators a server registers with: every address of every configured coordinator URI. Not
 * thread-safe: the registrar's resolver thread owns it.
 *
 * <ul>
 *   <li>A name with several addresses stands for one coordinator per address. When a name has IPv4
 *       addresses only those count: a dual-stack name (or {@code localhost}) gives one address of
 *       each family for the same coordinator, and registering twice with it would double its
 *       heartbeats.
 *   <li>A name that cannot be resolved keeps the addresses it last had: a DNS hiccup must not end
 *       registrations that work.
 *   <li>{@code grpc+tls} names are resolved too; TLS checks the certificate against the name, so
 *       each address keeps the authority it was configured with ({@link #authority}), which its
 *       registration sends instead of the address.
 * </ul>
 */
final class CoordinatorAddresses {
  private static final Logger log = LoggerFactory.getLogger(CoordinatorAddresses.class);

  /** More addresses than this are a misconfiguration: each one costs a thread and a connection. */
  static final int MAX_ADDRESSES = 64;

  private final HostResolver resolver;
  private final Map<URI, List<URI>> lastResolved = new LinkedHashMap<>();
  private final Set<URI> warnedUnresolved = new java.util.HashSet<>();
  private final Map<URI, String> authorities = new HashMap<>();

  CoordinatorAddresses(List<Location> configured, HostResolver resolver) {
    requireNonNull(configured, "configured is null");
    this.resolver = requireNonNull(resolver, "resolver is null");
    for (Location location : configured) {
      lastResolved.put(requireNonNull(location, "a coordinator is null").getUri(), null);
    }
  }

  /** Resolves every configured coordinator again; the addresses to register with, in order. */
  Set<URI> resolve() {
    Set<URI> all = new LinkedHashSet<>();
    for (Map.Entry<URI, List<URI>> entry : lastResolved.entrySet()) {
      List<URI> addresses = resolve(entry.getKey(), entry.getValue());
      if (addresses != null && !addresses.equals(entry.getValue())) {
        if (addresses.equals(List.of(entry.getKey()))) {
          log.debug("coordinator {} is one address", entry.getKey());
        } else {
          log.info("coordinator {} is {}", entry.getKey(), addresses);
        }
        entry.setValue(addresses);
      }
      if (addresses != null) {
        all.addAll(addresses);
      }
    }
    if (all.size() > MAX_ADDRESSES) {
      log.warn(
          "coordinators resolve to {} addresses; registering with the first {}",
          all.size(),
          MAX_ADDRESSES);
      return new LinkedHashSet<>(new ArrayList<>(all).subList(0, MAX_ADDRESSES));
    }
    return all;
  }

  /** True when every configured name has resolved at least once. */
  boolean complete() {
    return lastResolved.values().stream().allMatch(addresses -> addresses != null);
  }

  /**
   * The authority ({@code HOST:PORT}) that {@code address} was configured as: what a TLS connection
   * to it must verify the certificate against.
   */
  String authority(URI address) {
    return authorities.getOrDefault(address, address.getAuthority());
  }

  /**
   * The addresses of one coordinator URI; the previous ones (null: never resolved) when it has none
   * now.
   */
  private List<URI> resolve(URI configured, List<URI> previous) {
    List<InetAddress> found;
    try {
      found = resolver.resolve(configured.getHost());
    } catch (UnknownHostException | RuntimeException e) {
      found = List.of();
    }
    boolean anyV4 = found.stream().anyMatch(address -> address instanceof Inet4Address);
    Set<URI> addresses = new LinkedHashSet<>();
    for (InetAddress address : found) {
      if (!anyV4 || address instanceof Inet4Address) {
        URI resolved = withHost(configured, address.getHostAddress());
        addresses.add(resolved);
        authorities.put(resolved, configured.getAuthority());
      }
    }
    if (addresses.isEmpty()) {
      if (previous == null) {
        if (warnedUnresolved.add(configured)) {
          log.warn(
              "coordinator {} does not resolve (yet); trying again every heartbeat", configured);
        }
        return null;
      }
      log.debug("coordinator {} does not resolve now; keeping {}", configured, previous);
      return previous;
    }
    return List.copyOf(addresses);
  }

  private static URI withHost(URI uri, String host) {
    try {
      // The multi-argument constructor brackets an IPv6 literal.
      return new URI(uri.getScheme(), null, host, uri.getPort(), null, null, null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("cannot address " + uri + " at " + host, e);
    }
  }
}
