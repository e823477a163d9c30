package dev.flightcluster.server;

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

/** The bind and advertised locations' schemes and the TLS settings must agree. */
class DataServerTlsBuilderTest {
  private final BufferAllocator allocator = new RootAllocator();
  private final InMemoryTelemetry telemetry = InMemoryTelemetry.forService("server");

  @TempDir Path dir;

  @AfterEach
  void tearDown() {
    telemetry.close();
    allocator.close();
  }

  @Test
  void aPlaintextAdvertisedLocationIsRefusedWhenServingTls() {
    TestKeys keys = TestKeys.create(dir.resolve("keys"));

    assertThatThrownBy(
            () ->
                DataServer.builder(allocator, telemetry.flightTelemetry())
                    .location(Location.forGrpcTls("127.0.0.1", 0))
                    .advertisedLocation(Location.forGrpcInsecure("127.0.0.1", 0))
                    .dataDir(dir.resolve("data"))
                    .tls(keys.server())
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "advertisedLocation grpc+tcp://127.0.0.1:0 is not grpc+tls but a TLS certificate is set");
  }

  @Test
  void aTlsLocationWithoutCertificateIsRefused() {
    assertThatThrownBy(
            () ->
                DataServer.builder(allocator, telemetry.flightTelemetry())
                    .location(Location.forGrpcTls("127.0.0.1", 0))
                    .dataDir(dir.resolve("data"))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("location grpc+tls://127.0.0.1:0 is grpc+tls but no TLS certificate is set");
  }
}
