package dev.flightcluster.client;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.auth.ClientCredentials;
import dev.flightcluster.otel.FlightTelemetry;
import dev.flightcluster.security.TlsSettings;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;

/** Builds a {@link FlightClusterClient}; see {@link FlightClusterClient#builder}. */
public final class FlightClusterClientBuilder {
  /** Default deadline of a metadata call. */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);

  /** Default time to wait for a connection to a coordinator or data server. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** Default time a read may wait for its next message before the server counts as stalled. */
  public static final Duration DEFAULT_PROGRESS_TIMEOUT = Duration.ofSeconds(15);

  /** Default time a coordinator or data server that failed is tried only after the others. */
  public static final Duration DEFAULT_FAILED_PEER_SKIP = Duration.ofSeconds(30);

  /**
   * Default of {@link #parallelism}: a read uses one stream per distinct server of its endpoints,
   * up to this many.
   */
  public static final int DEFAULT_PARALLELISM = 8;

  private final BufferAllocator allocator;
  private final FlightTelemetry telemetry;
  private final List<Location> coordinators;
  private Duration callTimeout = DEFAULT_CALL_TIMEOUT;
  private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
  private Duration progressTimeout = DEFAULT_PROGRESS_TIMEOUT;
  private Duration failedPeerSkip = DEFAULT_FAILED_PEER_SKIP;
  private InstantSource clock = InstantSource.system();
  private int parallelism = DEFAULT_PARALLELISM;
  private String user;
  private char[] password;
  private ClientCredentials credentials;
  private TlsSettings tls = TlsSettings.plaintext();

  FlightClusterClientBuilder(
      BufferAllocator allocator, FlightTelemetry telemetry, List<Location> coordinators) {
    this.allocator = requireNonNull(allocator, "allocator is null");
    this.telemetry = requireNonNull(telemetry, "telemetry is null");
    this.coordinators = distinct(requireNonNull(coordinators, "coordinators is null"));
  }

  /**
   * The deadline of each metadata call: list, info, schema and the choose_server of a put. DoGet
   * and DoPut streams have no deadline, as a large dataset may rightly take long; cancel a read
   * from its {@link BatchConsumer} instead. Default {@link #DEFAULT_CALL_TIMEOUT}.
   *
   * @throws IllegalArgumentException unless positive
   */
  public FlightClusterClientBuilder callTimeout(Duration callTimeout) {
    this.callTimeout = positive(callTimeout, "callTimeout");
    return this;
  }

  /**
   * How long to wait for a connection (TCP and HTTP/2 handshakes) to a coordinator or a data server
   * before trying the next one. A refused connection fails at once. Default {@link
   * #DEFAULT_CONNECT_TIMEOUT}.
   *
   * @throws IllegalArgumentException unless positive
   */
  public FlightClusterClientBuilder connectTimeout(Duration connectTimeout) {
    this.connectTimeout = positive(connectTimeout, "connectTimeout");
    return this;
  }

  /**
   * How long a read may wait for the next message of a stream before the server counts as stalled:
   * the stream is cancelled and the read fails over to the next location as if the server were
   * UNAVAILABLE (only before the endpoint's first batch; later the get fails UNAVAILABLE). Time the
   * consumer takes does not count. Set it above the time a server may rightly take to start a
   * stream, such as a data server's scan queue wait when its memory is taken. Default {@link
   * #DEFAULT_PROGRESS_TIMEOUT}.
   *
   * @throws IllegalArgumentException unless positive
   */
  public FlightClusterClientBuilder progressTimeout(Duration progressTimeout) {
    this.progressTimeout = positive(progressTimeout, "progressTimeout");
    return this;
  }

  /**
   * How long a coordinator or data server that could not be reached (or stalled) is tried only
   * after the others; then it takes its place again. Default {@link #DEFAULT_FAILED_PEER_SKIP}.
   *
   * @throws IllegalArgumentException unless positive
   */
  public FlightClusterClientBuilder failedPeerSkip(Duration failedPeerSkip) {
    this.failedPeerSkip = positive(failedPeerSkip, "failedPeerSkip");
    return this;
  }

  /**
   * The clock {@link #failedPeerSkip} is measured by. Default the system clock; tests pass a fake.
   */
  public FlightClusterClientBuilder clock(InstantSource clock) {
    this.clock = requireNonNull(clock, "clock is null");
    return this;
  }

  /**
   * How many endpoints of a FlightInfo a {@link FlightClusterClient#get} reads at once, each on a
   * thread of its own; never more than the endpoints' distinct servers. 1 reads them one after the
   * other on the caller's thread. Default {@link #DEFAULT_PARALLELISM}.
   *
   * @throws IllegalArgumentException unless positive
   */
  public FlightClusterClientBuilder parallelism(int parallelism) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1: " + parallelism);
    }
    this.parallelism = parallelism;
    return this;
  }

  /**
   * Log in as {@code user} at a coordinator that authenticates (basic credentials, once, then
   * renewed before the token expires), and send the token to coordinators and data servers. Null
   * (the default) to call without credentials.
   */
  public FlightClusterClientBuilder user(String user, char[] password) {
    if ((user == null) != (password == null)) {
      throw new IllegalArgumentException("a user needs a password, and a password a user");
    }
    this.user = user;
    this.password = password == null ? null : password.clone();
    return this;
  }

  /**
   * Send tokens from {@code credentials} instead of logging in as a {@link #user}: for a process
   * that signs tokens itself, such as a coordinator writing a Flight SQL bulk ingest for its
   * caller. Null (the default) for none.
   */
  public FlightClusterClientBuilder credentials(ClientCredentials credentials) {
    this.credentials = credentials;
    return this;
  }

  /**
   * How to reach {@code grpc+tls} coordinators and data servers: the CA to trust (without one, the
   * JDK's default CAs) and, for servers that require client certificates, the certificate and key
   * to present. {@code grpc://} locations stay plaintext. Default {@link TlsSettings#plaintext()}.
   */
  public FlightClusterClientBuilder tls(TlsSettings tls) {
    this.tls = requireNonNull(tls, "tls is null");
    return this;
  }

  /** A new client. Opening it makes no call yet: connections are made on first use. */
  public FlightClusterClient build() {
    return new FlightClusterClient(
        allocator,
        telemetry,
        coordinators,
        callTimeout,
        connectTimeout,
        progressTimeout,
        new FailedPeers(clock, failedPeerSkip),
        parallelism,
        credentials != null
            ? Optional.of(credentials)
            : user == null
                ? Optional.empty()
                : Optional.of(ClientCredentials.login(user, password, clock)),
        tls);
  }

  private static Duration positive(Duration value, String name) {
    requireNonNull(value, name + " is null");
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
    return value;
  }

  /** The coordinators in the order given, each once. */
  private static List<Location> distinct(List<Location> coordinators) {
    if (coordinators.isEmpty()) {
      throw new IllegalArgumentException("at least one coordinator is needed");
    }
    Set<URI> seen = new LinkedHashSet<>();
    List<Location> distinct = new ArrayList<>();
    for (Location coordinator : coordinators) {
      requireNonNull(coordinator, "a coordinator is null");
      if (seen.add(coordinator.getUri())) {
        distinct.add(coordinator);
      }
    }
    return List.copyOf(distinct);
  }
}
