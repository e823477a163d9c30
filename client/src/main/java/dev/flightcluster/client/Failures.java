package dev.flightcluster.client;

import dev.flightcluster.security.TlsFailures;
import java.time.Duration;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;

/** Turns Flight failures into messages a person can act on, keeping their status code. */
final class Failures {
  private Failures() {}

  /**
   * The same failure with {@code context} in front of its description, for failures that say
   * nothing about where they happened (gRPC's "io exception"). Any other status is returned as it
   * is: a server's NOT_FOUND or ALREADY_EXISTS already names the dataset.
   *
   * @param peer the coordinator or data server called
   */
  static FlightRuntimeException withContext(
      FlightRuntimeException failure, String context, Location peer) {
    FlightStatusCode code = failure.status().code();
    if (code != FlightStatusCode.UNAVAILABLE && code != FlightStatusCode.TIMED_OUT) {
      return failure;
    }
    return failure
        .status()
        .withDescription(context + ": " + describe(failure, peer))
        .withCause(failure)
        .toRuntimeException();
  }

  /**
   * {@code CODE: description (root cause)}, e.g. {@code UNAVAILABLE: io exception (Connection
   * refused)}, followed by what it means for TLS when it looks like a TLS problem (gRPC's own words
   * for those are the TLS stack's).
   *
   * @param peer the coordinator or data server called; null when unknown (no TLS hint then)
   */
  static String describe(FlightRuntimeException failure, Location peer) {
    StringBuilder out = new StringBuilder(failure.status().code().name());
    String description = failure.status().description();
    if (description != null && !description.isEmpty()) {
      out.append(": ").append(description);
    }
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String rootMessage = root.getMessage();
    if (root != failure
        && rootMessage != null
        && (description == null || !description.contains(rootMessage))) {
      out.append(" (").append(rootMessage).append(')');
    }
    if (peer != null) {
      TlsFailures.explain(failure, peer).ifPresent(hint -> out.append("; ").append(hint));
    }
    return out.toString();
  }

  /** {@code 500ms}, {@code 15s}, {@code 2m}: as the CLI's flags are written. */
  static String format(Duration duration) {
    if (duration.toMillisPart() != 0 || duration.isZero()) {
      return duration.toMillis() + "ms";
    }
    if (duration.toSecondsPart() != 0 || duration.toMinutes() == 0) {
      return duration.toSeconds() + "s";
    }
    return duration.toMinutes() + "m";
  }
}
