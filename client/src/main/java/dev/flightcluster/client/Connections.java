package dev.flightcluster.client;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.auth.ClientCredentials;
import dev.flightcluster.otel.FlightTelemetry;
import dev.flightcluster.otel.TracedFlightClient;
import dev.flightcluster.security.TlsSettings;
import io.grpc.ConnectivityState;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.ChannelOption;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;

/**
 * One traced Flight client per location, opened on first use and kept until {@link #close}. gRPC
 * channels multiplex concurrent calls and reconnect by themselves, so one per server is enough and
 * saves a TCP and HTTP/2 handshake per read.
 *
 * <p>Every channel sends keepalive pings after {@link #KEEPALIVE_TIME} without a frame from the
 * server while a call is open, and gives the connection up, failing its calls UNAVAILABLE, when a
 * ping is not answered within {@link #KEEPALIVE_TIMEOUT}: that is how an upload to a stopped server
 * ends. Idle channels do not ping (servers would take it for abuse).
 *
 * <p>Thread-safe. Opening a client only builds a channel (gRPC connects lazily), so holding the
 * lock while doing it is cheap, and it is what keeps {@link #close} from missing a client opened
 * concurrently.
 */
final class Connections implements AutoCloseable {
  /** Silence on a connection with open calls before a keepalive ping; gRPC's minimum. */
  static final Duration KEEPALIVE_TIME = Duration.ofSeconds(10);

  /** How long a keepalive ping may go unanswered before the connection is given up. */
  static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(5);

  /** A client and whether it was already open. */
  record Lease(TracedFlightClient client, boolean reused) {}

  private final BufferAllocator allocator;
  private final FlightTelemetry telemetry;
  private final Duration connectTimeout;
  private final Optional<ClientCredentials> credentials;
  private final TlsSettings tls;
  private final Map<URI, TracedFlightClient> clients = new LinkedHashMap<>(); // guarded by this
  private boolean closed; // guarded by this

  /**
   * {@code credentials}: the bearer token every call carries, when the cluster authenticates;
   * {@code tls}: how {@code grpc+tls} peers are called.
   */
  Connections(
      BufferAllocator allocator,
      FlightTelemetry telemetry,
      Duration connectTimeout,
      Optional<ClientCredentials> credentials,
      TlsSettings tls) {
    this.credentials = requireNonNull(credentials, "credentials is null");
    this.tls = requireNonNull(tls, "tls is null");
    this.allocator = requireNonNull(allocator, "allocator is null");
    this.telemetry = requireNonNull(telemetry, "telemetry is null");
    this.connectTimeout = requireNonNull(connectTimeout, "connectTimeout is null");
  }

  /**
   * The client for {@code location}, opened if needed and connected: waits up to the connect
   * timeout for the TCP and HTTP/2 handshakes. A connection refused returns at once; the call made
   * next then fails with gRPC's own UNAVAILABLE, which says why.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException UNAVAILABLE when the server did not
   *     answer within the connect timeout; CANCELLED when the thread was interrupted
   * @throws IllegalStateException after {@link #close}
   */
  Lease connect(Location location) {
    Lease lease = acquire(location);
    ConnectivityState state;
    try {
      state = lease.client().awaitConnection(connectTimeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CallStatus.CANCELLED
          .withDescription("interrupted while connecting to " + location.getUri())
          .toRuntimeException();
    }
    if (state == ConnectivityState.IDLE || state == ConnectivityState.CONNECTING) {
      throw CallStatus.UNAVAILABLE
          .withDescription(
              "no connection to "
                  + location.getUri()
                  + " within the connect timeout of "
                  + Failures.format(connectTimeout)
                  + " (no answer: the server may be stopped, overloaded or unreachable)")
          .toRuntimeException();
    }
    return lease;
  }

  /**
   * The client for {@code location}, opened if needed.
   *
   * @throws IllegalStateException after {@link #close}
   */
  synchronized Lease acquire(Location location) {
    requireNonNull(location, "location is null");
    if (closed) {
      throw new IllegalStateException("the FlightClusterClient is closed");
    }
    TracedFlightClient client = clients.get(location.getUri());
    if (client != null) {
      return new Lease(client, true);
    }
    client = telemetry.connect(allocator, location, channel -> configure(channel, location));
    clients.put(location.getUri(), client);
    return new Lease(client, false);
  }

  private void configure(NettyChannelBuilder channel, Location location) {
    credentials.ifPresent(channel::intercept);
    tls.configureClient(channel, location)
        .keepAliveTime(KEEPALIVE_TIME.toNanos(), TimeUnit.NANOSECONDS)
        .keepAliveTimeout(KEEPALIVE_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)
        .keepAliveWithoutCalls(false)
        // The TCP handshake; connect() bounds the HTTP/2 one as well.
        .withOption(
            ChannelOption.CONNECT_TIMEOUT_MILLIS,
            (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
  }

  /**
   * Closes every client, even when some fail to close; the first failure is thrown at the end with
   * the others suppressed. Idempotent.
   */
  @Override
  public void close() {
    List<TracedFlightClient> toClose;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      toClose = new ArrayList<>(clients.values());
      clients.clear();
    }
    RuntimeException failure = null;
    boolean interrupted = false;
    for (TracedFlightClient client : toClose) {
      try {
        client.close();
      } catch (InterruptedException e) {
        // Keep closing the others; the caller learns of the interrupt from the flag.
        interrupted = true;
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (failure != null) {
      throw failure;
    }
  }
}
