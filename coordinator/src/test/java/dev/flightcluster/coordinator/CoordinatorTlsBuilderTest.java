package dev.flightcluster.coordinator;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flightcluster.testing.InMemoryTelemetry;
import dev.flightcluster.testing.TestKeys;
import java.nio.file.Path;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The location's scheme and the TLS settings must agree; nothing is started to find out. */
class CoordinatorTlsBuilderTest {
  private final BufferAllocator allocator = new RootAllocator();
  private final InMemoryTelemetry telemetry = InMemoryTelemetry.forService("coordinator");

  @TempDir Path keysDir;

  @AfterEach
  void tearDown() {
    telemetry.close();
    allocator.close();
  }

  @Test
  void aTlsLocationNeedsACertificate() {
    assertThatThrownBy(
            () ->
                Coordinator.builder(allocator, telemetry.flightTelemetry())
                    .location(Location.forGrpcTls("127.0.0.1", 0))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("location grpc+tls://127.0.0.1:0 is grpc+tls but no TLS certificate is set");
  }

  @Test
  void aCertificateNeedsATlsLocation() {
    TestKeys keys = TestKeys.create(keysDir);

    assertThatThrownBy(
            () ->
                Coordinator.builder(allocator, telemetry.flightTelemetry())
                    .location(Location.forGrpcInsecure("127.0.0.1", 0))
                    .tls(keys.server())
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("location grpc+tcp://127.0.0.1:0 is not grpc+tls but a TLS certificate is set");
  }
}
