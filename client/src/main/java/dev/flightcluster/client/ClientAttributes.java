package dev.flightcluster.client;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.semconv.ServerAttributes;
import java.net.URI;
import org.apache.arrow.flight.Location;

/**
 * Span attributes of the client's own spans, beyond {@link
 * dev.flightcluster.otel.FlightAttributes}.
 */
final class ClientAttributes {
  /** The Flight location URI a span talked to, e.g. {@code grpc+tcp://10.0.0.7:8889}. */
  static final AttributeKey<String> LOCATION = AttributeKey.stringKey("flight.location");

  /**
   * Whether {@code connect} found a client already open. {@code connect} waits for the connection
   * (at most the connect timeout); a refused connection shows on the {@code do_get} after it.
   */
  static final AttributeKey<Boolean> CONNECTION_REUSED =
      AttributeKey.booleanKey("flight.connection.reused");

  /** Set on a read the consumer ended before the data did. */
  static final AttributeKey<Boolean> STOPPED_EARLY =
      AttributeKey.booleanKey("flight.stopped_early");

  /** Which endpoint of a FlightInfo a span read, counting from 0. */
  static final AttributeKey<Long> ENDPOINT_INDEX = AttributeKey.longKey("flight.endpoint.index");

  /** On a {@code do_get} that resumed a broken stream: the file it resumed in. */
  static final AttributeKey<String> RESUME_FILE = AttributeKey.stringKey("flight.resume.file");

  /** On a {@code do_get} that resumed a broken stream: the rows of that file already delivered. */
  static final AttributeKey<Long> RESUME_ROW = AttributeKey.longKey("flight.resume.row");

  private ClientAttributes() {}

  /** {@code server.address}, {@code server.port} and {@link #LOCATION} of a location. */
  static Attributes of(Location location) {
    URI uri = location.getUri();
    AttributesBuilder attributes = Attributes.builder().put(LOCATION, uri.toString());
    if (uri.getHost() != null) {
      attributes.put(ServerAttributes.SERVER_ADDRESS, uri.getHost());
    }
    if (uri.getPort() > 0) {
      attributes.put(ServerAttributes.SERVER_PORT, (long) uri.getPort());
    }
    return attributes.build();
  }
}
