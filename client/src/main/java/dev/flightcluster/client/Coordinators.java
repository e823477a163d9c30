package dev.flightcluster.client;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.auth.ClientCredentials;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinators a client may ask, and the failover between them. Every coordinator holds the
 * same catalog (each data server registers with all of them), so any one that answers will do. A
 * call that finds one unreachable, stopped (connect timeout, deadline) or not ready (UNAVAILABLE)
 * is made again at the next; the one that failed is then tried last for a while ({@link
 * FailedPeers}).
 *
 * <p>Only calls that change nothing are made through here, so a call repeated at another
 * coordinator cannot take effect twice: list, info, schema, and choose_server (which only picks a
 * server). Thread-safe.
 */
final class Coordinators {
  private static final Logger log = LoggerFactory.getLogger(Coordinators.class);

  private final List<Location> locations;
  private final Connections connections;
  private final FailedPeers failedPeers;

  private final Optional<ClientCredentials> credentials;

  /** {@code credentials}: logs in at a coordinator before its first call, when set. */
  Coordinators(
      List<Location> locations,
      Connections connections,
      FailedPeers failedPeers,
      Optional<ClientCredentials> credentials) {
    this.credentials = requireNonNull(credentials, "credentials is null");
    this.locations = List.copyOf(requireNonNull(locations, "locations is null"));
    if (this.locations.isEmpty()) {
      throw new IllegalArgumentException("at least one coordinator is needed");
    }
    this.connections = requireNonNull(connections, "connections is null");
    this.failedPeers = requireNonNull(failedPeers, "failedPeers is null");
  }

  /** Every coordinator, in the order given. */
  List<Location> all() {
    return locations;
  }

  /** Every coordinator, in the order to try them now: recently failed ones last. */
  List<Location> inOrder() {
    return failedPeers.order(locations);
  }

  /**
   * Makes {@code call} at the first coordinator that answers it.
   *
   * @param call the call; must change nothing at the coordinator, as it may be made at several
   * @throws FlightRuntimeException the status of a coordinator that answered with an error (such as
   *     NOT_FOUND), or, when none could answer, UNAVAILABLE naming each one and why (with a single
   *     coordinator, its own failure with the coordinator named)
   */
  <T> T call(Function<FlightClient, T> call) {
    requireNonNull(call, "call is null");
    return call((client, coordinator) -> call.apply(client));
  }

  /** {@link #call(Function)} for a call that needs to know which coordinator it is made at. */
  <T> T call(BiFunction<FlightClient, Location, T> call) {
    requireNonNull(call, "call is null");
    List<Location> order = inOrder();
    List<String> failures = new ArrayList<>();
    List<FlightRuntimeException> causes = new ArrayList<>();
    for (int i = 0; i < order.size(); i++) {
      Location coordinator = order.get(i);
      T result;
      try {
        FlightClient flight = connections.connect(coordinator).client().flightClient();
        credentials.ifPresent(login -> login.ensureToken(flight));
        result = call.apply(flight, coordinator);
      } catch (FlightRuntimeException e) {
        if (!isUnreachable(e)) {
          // It answered: NOT_FOUND and the like are the cluster's answer, the same everywhere.
          failedPeers.succeeded(coordinator);
          throw Failures.withContext(e, "coordinator at " + coordinator.getUri(), coordinator);
        }
        failedPeers.failed(coordinator);
        failures.add(
            "coordinator at " + coordinator.getUri() + ": " + Failures.describe(e, coordinator));
        causes.add(e);
        if (i + 1 < order.size()) {
          log.warn(
              "Coordinator {} cannot answer ({}); asking {}",
              coordinator.getUri(),
              Failures.describe(e, coordinator),
              order.get(i + 1).getUri());
          Span.current()
              .addEvent(
                  "coordinator failover",
                  Attributes.of(ClientAttributes.LOCATION, coordinator.getUri().toString()));
        }
        continue;
      }
      failedPeers.succeeded(coordinator);
      return result;
    }
    throw allFailed(failures, causes);
  }

  /**
   * Whether a coordinator could not answer at all, as opposed to answering with an error: not
   * reachable, not ready yet (a restarted coordinator is UNAVAILABLE until it knows the cluster),
   * or stopped (the deadline passed).
   */
  private static boolean isUnreachable(FlightRuntimeException e) {
    FlightStatusCode code = e.status().code();
    return code == FlightStatusCode.UNAVAILABLE || code == FlightStatusCode.TIMED_OUT;
  }

  private FlightRuntimeException allFailed(
      List<String> failures, List<FlightRuntimeException> causes) {
    FlightRuntimeException last = causes.get(causes.size() - 1);
    if (locations.size() == 1) {
      return Failures.withContext(
          last, "coordinator at " + locations.get(0).getUri(), locations.get(0));
    }
    FlightRuntimeException failure =
        CallStatus.UNAVAILABLE
            .withDescription(
                "no coordinator could answer; tried "
                    + String.join("; ", failures)
                    + ". Check that at least one of them is running and reachable from here.")
            .withCause(last)
            .toRuntimeException();
    for (int i = 0; i < causes.size() - 1; i++) {
      failure.addSuppressed(causes.get(i));
    }
    return failure;
  }
}
