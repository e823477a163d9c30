package dev.flightcluster.client;

import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;

/** Turns Flight failures into messages a person can act on, keeping their status code. */
final class Failures {
  private Failures() {}

  /**
   * The same failure with {@code context} in front of its description, for failures that say
   * nothing about where they happened (gRPC's "io exception"). Any other status is returned as it
   * is: a server's NOT_FOUND or ALREADY_EXISTS already names the dataset.
   */
  static FlightRuntimeException withContext(FlightRuntimeException failure, String context) {
    FlightStatusCode code = failure.status().code();
    if (code != FlightStatusCode.UNAVAILABLE && code != FlightStatusCode.TIMED_OUT) {
      return failure;
    }
    return failure
        .status()
        .withDescription(context + ": " + describe(failure))
        .withCause(failure)
        .toRuntimeException();
  }

  /** {@code CODE: description (root cause)}, e.g. {@code UNAVAILABLE: io exception (Connection refused)}. */
  static String describe(FlightRuntimeException failure) {
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
    return out.toString();
  }
}
