package dev.flightcluster.coordinator;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.auth.ClientCredentials;
import dev.flightcluster.otel.FlightTelemetry;
import dev.flightcluster.security.TlsSettings;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightGrpcUtils;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.grpc.NettyClientBuilder;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One traced Flight client per data server, for the ListFlights callbacks. A channel is kept per
 * server rather than opened per call because heartbeats may trigger a callback every few seconds.
 * Thread-safe; clients are closed outside the lock because closing waits for in-flight calls.
 */
final class CallbackClients implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CallbackClients.class);

  private final BufferAllocator allocator;
  private final FlightTelemetry telemetry;
  private final Optional<ClientCredentials> credentials;
  private final TlsSettings tls;
  private final Map<String, CallbackClient> clients = new HashMap<>();
  private boolean closed;

  /**
   * @param credentials the token every callback carries, when data servers authenticate
   * @param tls how to call a server at a {@code grpc+tls} location: the CA to trust and the
   *     coordinator's own certificate, presented to servers that require one
   */
  CallbackClients(
      BufferAllocator allocator,
      FlightTelemetry telemetry,
      Optional<ClientCredentials> credentials,
      TlsSettings tls) {
    this.allocator = requireNonNull(allocator, "allocator is null");
    this.telemetry = requireNonNull(telemetry, "telemetry is null");
    this.credentials = requireNonNull(credentials, "credentials is null");
    this.tls = requireNonNull(tls, "tls is null");
  }

  /**
   * The client for a server at {@code location}; a cached client for another location (the server
   * came back elsewhere) is closed and replaced.
   */
  CallbackClient clientFor(String serverId, Location location) {
    requireNonNull(serverId, "serverId is null");
    requireNonNull(location, "location is null");
    CallbackClient stale;
    CallbackClient client;
    synchronized (this) {
      if (closed) {
        throw CallStatus.UNAVAILABLE
            .withDescription(
                "the coordinator is shutting down; say hello to it again once it is back")
            .toRuntimeException();
      }
      CallbackClient cached = clients.get(serverId);
      if (cached != null && cached.location().equals(location)) {
        return cached;
      }
      stale = cached;
      client = connect(location);
      clients.put(serverId, client);
    }
    closeQuietly(serverId, stale);
    return client;
  }

  /** Closes and forgets the client of a server, if there is one. */
  void close(String serverId) {
    requireNonNull(serverId, "serverId is null");
    CallbackClient removed;
    synchronized (this) {
      removed = clients.remove(serverId);
    }
    closeQuietly(serverId, removed);
  }

  @Override
  public void close() {
    List<Map.Entry<String, CallbackClient>> all;
    synchronized (this) {
      closed = true;
      all = new ArrayList<>(clients.entrySet());
      clients.clear();
    }
    all.forEach(entry -> closeQuietly(entry.getKey(), entry.getValue()));
  }

  private CallbackClient connect(Location location) {
    // Built like FlightTelemetry#connect, but keeping the channel: see CallbackClient.
    NettyChannelBuilder builder =
        tls.configureClient(new NettyClientBuilder(allocator, location).build(), location)
            .intercept(telemetry.clientInterceptor());
    credentials.ifPresent(builder::intercept);
    ManagedChannel channel = builder.build();
    return new CallbackClient(
        location, channel, FlightGrpcUtils.createFlightClient(allocator, channel));
  }

  private static void closeQuietly(String serverId, CallbackClient client) {
    if (client == null) {
      return;
    }
    try {
      client.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // A failing close must not stop the goodbye or eviction that triggered it.
      log.warn(
          "Could not close the callback client of server {} at {}", serverId, client.location(), e);
    }
  }
}
