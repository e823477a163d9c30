package dev.flightcluster.e2e.inprocess;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.client.FlightClusterClient;
import dev.flightcluster.coordinator.Coordinator;
import dev.flightcluster.server.DataServer;
import dev.flightcluster.testing.FakeClock;
import dev.flightcluster.testing.InMemoryTelemetry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Coordinators (one unless asked for more), data servers and a client in one JVM, each with its own
 * allocator and its own OpenTelemetry SDK (service.name coordinator, server, client), as if they
 * were processes. Every server registers with every coordinator; the client asks the first. Closing
 * it closes everything and fails if any allocator still holds memory.
 */
final class InProcessCluster implements AutoCloseable {
  static final Duration LEASE = Duration.ofSeconds(10);
  static final Duration HEARTBEAT = Duration.ofMillis(200);

  final FakeClock coordinatorClock = new FakeClock();
  final InMemoryTelemetry coordinatorTelemetry = InMemoryTelemetry.forService("coordinator");
  final InMemoryTelemetry serverTelemetry = InMemoryTelemetry.forService("server");
  final InMemoryTelemetry clientTelemetry = InMemoryTelemetry.forService("client");
  private final BufferAllocator coordinatorAllocator = new RootAllocator();
  private final List<BufferAllocator> serverAllocators = new ArrayList<>();
  private final BufferAllocator clientAllocator = new RootAllocator();
  final List<DataServer> servers = new ArrayList<>();
  Coordinator coordinator;

  /** The coordinators after the first; a test may close or replace them. */
  final List<Coordinator> moreCoordinators = new ArrayList<>();

  private final InstantSource clock;
  private final Duration lease;
  private final Duration serverDrainTimeout;
  FlightClusterClient client;

  InProcessCluster(List<Path> dataDirs) throws Exception {
    this(dataDirs, 1, null, LEASE);
  }

  /**
   * @param clock the coordinators' clock; null for {@link #coordinatorClock}, which moves only when
   *     a test advances it
   */
  InProcessCluster(List<Path> dataDirs, int coordinators, InstantSource clock, Duration lease)
      throws Exception {
    this(dataDirs, coordinators, clock, lease, null);
  }

  /**
   * @param serverDrainTimeout the servers' drain timeout; null for their default
   */
  InProcessCluster(
      List<Path> dataDirs,
      int coordinators,
      InstantSource clock,
      Duration lease,
      Duration serverDrainTimeout)
      throws Exception {
    requireNonNull(dataDirs, "dataDirs is null");
    this.serverDrainTimeout = serverDrainTimeout;
    this.clock = clock == null ? coordinatorClock : clock;
    this.lease = requireNonNull(lease, "lease is null");
    coordinator = startCoordinator(0);
    for (int i = 1; i < coordinators; i++) {
      moreCoordinators.add(startCoordinator(0));
    }
    for (int i = 0; i < dataDirs.size(); i++) {
      servers.add(startServer("server-" + (i + 1), dataDirs.get(i)));
    }
    client =
        FlightClusterClient.builder(
                clientAllocator, clientTelemetry.flightTelemetry(), coordinatorLocation())
            .build();
  }

  Location coordinatorLocation() {
    return Location.forGrpcInsecure("127.0.0.1", coordinator.port());
  }

  /** Every coordinator, the first first. */
  List<Coordinator> coordinators() {
    List<Coordinator> all = new ArrayList<>();
    all.add(coordinator);
    all.addAll(moreCoordinators);
    return all;
  }

  /** Where every coordinator listens, the first first. */
  List<Location> coordinatorLocations() {
    return coordinators().stream()
        .map(c -> Location.forGrpcInsecure("127.0.0.1", c.port()))
        .toList();
  }

  Coordinator startCoordinator(int port) throws Exception {
    return Coordinator.builder(coordinatorAllocator, coordinatorTelemetry.flightTelemetry())
        .location(Location.forGrpcInsecure("127.0.0.1", port))
        .lease(lease)
        .heartbeatInterval(HEARTBEAT)
        .clock(clock)
        .build()
        .start();
  }

  private DataServer startServer(String id, Path dataDir) throws Exception {
    BufferAllocator allocator = new RootAllocator();
    serverAllocators.add(allocator);
    // Port 0 in the advertised location stands for the port the server binds.
    DataServer.Builder builder = DataServer.builder(allocator, serverTelemetry.flightTelemetry());
    if (serverDrainTimeout != null) {
      builder.drainTimeout(serverDrainTimeout);
    }
    return builder
        .location(Location.forGrpcInsecure("127.0.0.1", 0))
        .advertisedLocation(Location.forGrpcInsecure("127.0.0.1", 0))
        .dataDir(dataDir)
        .serverId(id)
        .coordinators(coordinatorLocations())
        .heartbeatInterval(HEARTBEAT)
        .batchRows(4096)
        .build()
        .start();
  }

  @Override
  public void close() throws Exception {
    try (AutoCloseable telemetry = this::closeTelemetry) {
      if (client != null) {
        client.close();
      }
      for (DataServer server : servers) {
        server.close();
      }
      for (Coordinator each : coordinators()) {
        if (each != null) {
          each.close();
        }
      }
    } finally {
      clientAllocator.close();
      for (BufferAllocator allocator : serverAllocators) {
        allocator.close();
      }
      coordinatorAllocator.close();
    }
  }

  private void closeTelemetry() {
    clientTelemetry.close();
    serverTelemetry.close();
    coordinatorTelemetry.close();
  }
}
