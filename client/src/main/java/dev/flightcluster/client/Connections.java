package dev.flightcluster.client;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.otel.FlightTelemetry;
import dev.flightcluster.otel.TracedFlightClient;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;

/**
 * One traced Flight client per location, opened on first use and kept until {@link #close}. gRPC
 * channels multiplex concurrent calls and reconnect by themselves, so one per server is enough
 * and saves a TCP and HTTP/2 handshake per read.
 *
 * <p>Thread-safe. Opening a client only builds a channel (gRPC connects lazily), so holding the
 * lock while doing it is cheap, and it is what keeps {@link #close} from missing a client opened
 * concurrently.
 */
final class Connections implements AutoCloseable {
  /** A client and whether it was already open. */
  record Lease(TracedFlightClient client, boolean reused) {}

  private final BufferAllocator allocator;
  private final FlightTelemetry telemetry;
  private final Map<URI, TracedFlightClient> clients = new LinkedHashMap<>(); // guarded by this
  private boolean closed; // guarded by this

  Connections(BufferAllocator allocator, FlightTelemetry telemetry) {
    this.allocator = requireNonNull(allocator, "allocator is null");
    this.telemetry = requireNonNull(telemetry, "telemetry is null");
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
    client = telemetry.connect(allocator, location);
    clients.put(location.getUri(), client);
    return new Lease(client, false);
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
