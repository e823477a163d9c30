package dev.flightcluster.client;

import dev.flightcluster.testing.InMemoryTelemetry;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.util.AutoCloseables;

/**
 * A fake coordinator, two fake data servers and a client talking to them, each traced as its own
 * service. Closing closes everything, allocators last, so a leak anywhere fails the test.
 */
final class Cluster implements AutoCloseable {
  final InMemoryTelemetry clientTelemetry = InMemoryTelemetry.forService("client");
  final BufferAllocator allocator = new RootAllocator();
  final FakeCoordinator coordinator = FakeCoordinator.start();
  final FakeDataServer serverA = FakeDataServer.start("server-a");
  final FakeDataServer serverB = FakeDataServer.start("server-b");
  final FlightClusterClient client =
      FlightClusterClient.builder(
              allocator, clientTelemetry.flightTelemetry(), coordinator.location())
          .build();

  @Override
  public void close() throws Exception {
    AutoCloseables.close(client, serverA, serverB, coordinator, allocator, clientTelemetry);
  }
}
