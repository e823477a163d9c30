package dev.flightcluster.e2e.inprocess;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.client.FlightClusterClient;
import dev.flightcluster.coordinator.Coordinator;
import dev.flightcluster.server.DataServer;
import dev.flightcluster.testing.InMemoryTelemetry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * A coordinator, data servers and a client in one JVM, each with its own allocator and its own
 * OpenTelemetry SDK (service.name coordinator, server, client), as if they were processes.
 * Closing it closes everything and fails if any allocator still holds memory.
 */
final class InProcessCluster implements AutoCloseable {
  static final Duration LEASE = Duration.ofSeconds(10);
  static final Duration HEARTBEAT = Duration.ofMillis(200);

  final MutableClock coordinatorClock = new MutableClock();
  final InMemoryTelemetry coordinatorTelemetry = InMemoryTelemetry.forService("coordinator");
  final InMemoryTelemetry serverTelemetry = InMemoryTelemetry.forService("server");
  final InMemoryTelemetry clientTelemetry = InMemoryTelemetry.forService("client");
  private final BufferAllocator coordinatorAllocator = new RootAllocator();
  private final List<BufferAllocator> serverAllocators = new ArrayList<>();
  private final BufferAllocator clientAllocator = new RootAllocator();
  final List<DataServer> servers = new ArrayList<>();
  Coordinator coordinator;
  FlightClusterClient client;

  InProcessCluster(List<Path> dataDirs) throws Exception {
    requireNonNull(dataDirs, "dataDirs is null");
    coordinator = startCoordinator(0);
    for (int i = 0; i < dataDirs.size(); i++) {
      servers.add(startServer("server-" + (i + 1), dataDirs.get(i)));
    }
    client =
        FlightClusterClient.builder(clientAllocator, clientTelemetry.flightTelemetry(), coordinatorLocation())
            .build();
  }

  Location coordinatorLocation() {
    return Location.forGrpcInsecure("127.0.0.1", coordinator.port());
  }

  Coordinator startCoordinator(int port) throws Exception {
    return Coordinator.builder(coordinatorAllocator, coordinatorTelemetry.flightTelemetry())
        .location(Location.forGrpcInsecure("127.0.0.1", port))
        .lease(LEASE)
        .heartbeatInterval(HEARTBEAT)
        .clock(coordinatorClock)
        .build()
        .start();
  }

  private DataServer startServer(String id, Path dataDir) throws Exception {
    BufferAllocator allocator = new RootAllocator();
    serverAllocators.add(allocator);
    // Port 0 in the advertised location stands for the port the server binds.
    return DataServer.builder(allocator, serverTelemetry.flightTelemetry())
        .location(Location.forGrpcInsecure("127.0.0.1", 0))
        .advertisedLocation(Location.forGrpcInsecure("127.0.0.1", 0))
        .dataDir(dataDir)
        .serverId(id)
        .coordinator(coordinatorLocation())
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
      if (coordinator != null) {
        coordinator.close();
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
