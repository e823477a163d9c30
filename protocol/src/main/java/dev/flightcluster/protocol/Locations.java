package dev.flightcluster.protocol;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.Location;

/** Parses the Flight locations that servers advertise. */
public final class Locations {
  private Locations() {}

  /**
   * Parses {@code grpc://host:port}, {@code grpc+tcp://host:port} or {@code grpc+tls://host:port}.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException INVALID_ARGUMENT for anything else
   */
  public static Location parse(String uri) {
    requireNonNull(uri, "uri is null");
    URI parsed;
    try {
      parsed = new URI(uri);
    } catch (URISyntaxException e) {
      throw invalid(uri, e.getReason());
    }
    String scheme = parsed.getScheme();
    if (scheme == null
        || !(scheme.equals("grpc") || scheme.equals("grpc+tcp") || scheme.equals("grpc+tls"))) {
      throw invalid(uri, "the scheme must be grpc, grpc+tcp or grpc+tls");
    }
    if (parsed.getHost() == null || parsed.getPort() <= 0) {
      throw invalid(uri, "it must name a host and a port, e.g. grpc://10.0.0.7:8889");
    }
    return new Location(parsed);
  }

  private static RuntimeException invalid(String uri, String reason) {
    return CallStatus.INVALID_ARGUMENT
        .withDescription("invalid location '" + uri + "': " + reason)
        .toRuntimeException();
  }
}
