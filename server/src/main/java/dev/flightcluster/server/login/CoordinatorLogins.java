package dev.flightcluster.server.login;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.auth.ClientCredentials;
import dev.flightcluster.auth.DelegatedLogin;
import dev.flightcluster.otel.FlightTelemetry;
import dev.flightcluster.otel.TracedFlightClient;
import dev.flightcluster.security.TlsSettings;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.CallOptions;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes a caller's basic login on to a coordinator (decisions D92): the Flight handshake with the
 * caller's {@code authorization: Basic} value, unchanged, at the coordinators this data server
 * registers with, over the same TLS settings, each call with a deadline. A coordinator's refusal
 * (UNAUTHENTICATED) is the answer; a coordinator that does not answer is skipped for the next one,
 * and when none answers the login is UNAVAILABLE. Logins start at a different coordinator each
 * time, to spread their bcrypt cost. Immutable and thread-safe.
 *
 * <p>Each login opens its own connection and closes it: the caller's credentials never sit in a
 * shared channel, and a coordinator that restarted is dialled afresh. Logins are rare, since {@link
 * DelegatedLogin} remembers them for their token's lifetime.
 */
public final class CoordinatorLogins implements DelegatedLogin.Coordinator {
  /** The default deadline of one coordinator's handshake: a bcrypt under load takes a second. */
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(CoordinatorLogins.class);

  private final FlightTelemetry telemetry;
  private final BufferAllocator allocator;
  private final List<Location> coordinators;
  private final TlsSettings tls;
  private final Duration deadline;
  private final InstantSource clock;
  private final AtomicInteger next = new AtomicInteger();

  /**
   * @param allocator the handshake clients allocate from it; it must outlive this
   * @param coordinators at least one, as configured ({@code --coordinator})
   * @param tls how coordinators are called, as for registration
   * @param deadline of each coordinator's handshake
   * @param clock read tokens' expiry against it
   */
  public CoordinatorLogins(
      FlightTelemetry telemetry,
      BufferAllocator allocator,
      List<Location> coordinators,
      TlsSettings tls,
      Duration deadline,
      InstantSource clock) {
    this.telemetry = requireNonNull(telemetry, "telemetry is null");
    this.allocator = requireNonNull(allocator, "allocator is null");
    this.coordinators = List.copyOf(requireNonNull(coordinators, "coordinators is null"));
    this.tls = requireNonNull(tls, "tls is null");
    this.deadline = requireNonNull(deadline, "deadline is null");
    this.clock = requireNonNull(clock, "clock is null");
    if (this.coordinators.isEmpty()) {
      throw new IllegalArgumentException("no coordinator to pass logins on to");
    }
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("deadline must be positive, not " + deadline);
    }
  }

  /**
   * @throws FlightRuntimeException UNAUTHENTICATED as a coordinator refused the credentials,
   *     UNAVAILABLE when no coordinator answered in time
   */
  @Override
  public String login(String credentials) {
    requireNonNull(credentials, "credentials is null");
    int count = coordinators.size();
    int first = Math.floorMod(next.getAndIncrement(), count);
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Location coordinator = coordinators.get((first + i) % count);
      try {
        return loginAt(coordinator, credentials);
      } catch (FlightRuntimeException e) {
        if (e.status().code() == FlightStatusCode.UNAUTHENTICATED) {
          // The coordinator's own words: the same for an unknown user and a wrong password.
          throw CallStatus.UNAUTHENTICATED
              .withDescription(e.status().description())
              .toRuntimeException();
        }
        log.warn(
            "passing a login on to coordinator {} failed: {}",
            coordinator.getUri(),
            e.status().code());
        failures.add(coordinator.getUri() + " " + e.status().code());
      }
    }
    throw CallStatus.UNAVAILABLE
        .withDescription(
            "this data server passes basic logins on to its coordinators, and none answered ("
                + String.join(", ", failures)
                + "): try again when a coordinator is up, or log in at a coordinator and send its"
                + " token here as authorization: Bearer TOKEN")
        .toRuntimeException();
  }

  private String loginAt(Location coordinator, String credentials) {
    ClientCredentials forwarded = ClientCredentials.forwarding(credentials, clock);
    CallOption timeout = CallOptions.timeout(deadline.toMillis(), TimeUnit.MILLISECONDS);
    TracedFlightClient client =
        telemetry.connect(
            allocator,
            coordinator,
            channel -> {
              channel.intercept(forwarded);
              tls.configureClient(channel, coordinator);
            });
    try {
      forwarded.ensureToken(client.flightClient(), timeout);
      return forwarded
          .token()
          .orElseThrow(
              () ->
                  CallStatus.UNAUTHENTICATED
                      .withDescription("the coordinator answered the login without a token")
                      .toRuntimeException())
          .value();
    } finally {
      try {
        client.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return "CoordinatorLogins" + coordinators.stream().map(Location::getUri).toList();
  }
}
