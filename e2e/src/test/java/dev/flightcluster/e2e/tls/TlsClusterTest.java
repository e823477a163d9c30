package dev.flightcluster.e2e.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flightcluster.client.BatchConsumer;
import dev.flightcluster.client.FlightClusterClient;
import dev.flightcluster.coordinator.Coordinator;
import dev.flightcluster.security.TlsSettings;
import dev.flightcluster.server.DataServer;
import dev.flightcluster.server.parquet.ParquetFiles;
import dev.flightcluster.testing.InMemoryTelemetry;
import dev.flightcluster.testing.SampleTable;
import dev.flightcluster.testing.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A coordinator and a data server serving TLS only, on 127.0.0.1 with keys made by {@code keys
 * init}'s code: every hop (client to coordinator and server, server registering, coordinator
 * calling the server back) over TLS, then with client certificates required (mTLS).
 */
class TlsClusterTest {
  private static final SampleTable TABLE = new SampleTable(3_000, 5);
  private static final Duration HEARTBEAT = Duration.ofMillis(200);

  @TempDir Path root;
  private final InMemoryTelemetry telemetry = InMemoryTelemetry.forService("tls-cluster");
  private final BufferAllocator coordinatorAllocator = new RootAllocator();
  private final BufferAllocator serverAllocator = new RootAllocator();
  private final BufferAllocator clientAllocator = new RootAllocator();
  private Coordinator coordinator;
  private DataServer server;

  @AfterEach
  void stop() throws Exception {
    try {
      if (server != null) {
        server.close();
      }
      if (coordinator != null) {
        coordinator.close();
      }
    } finally {
      clientAllocator.close();
      serverAllocator.close();
      coordinatorAllocator.close();
      telemetry.close();
    }
  }

  @Test
  void aClusterServingTlsListsAndServesItsDatasetsAtTlsLocations() throws Exception {
    TestKeys keys = TestKeys.create(root.resolve("keys"));
    start(keys.server());

    try (FlightClusterClient client = client(coordinatorTls(), keys.client())) {
      FlightInfo info = awaitListed(client);
      assertThat(info.getEndpoints())
          .flatExtracting(FlightEndpoint::getLocations)
          .extracting(location -> location.getUri().getScheme())
          .containsOnly("grpc+tls");
      assertThat(client.get(info, BatchConsumer.of(batch -> {})).rows()).isEqualTo(TABLE.rows());
    }
    assertThat(server.advertisedLocation().getUri().getScheme()).isEqualTo("grpc+tls");
  }

  @Test
  void aPlaintextClientAtTheTlsPortIsToldToUseTls() throws Exception {
    TestKeys keys = TestKeys.create(root.resolve("keys"));
    start(keys.server());

    try (FlightClusterClient client =
        client(
            Location.forGrpcInsecure("127.0.0.1", coordinator.port()), TlsSettings.plaintext())) {
      assertThatThrownBy(() -> client.list(""))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAVAILABLE))
          .hasMessageContaining("grpc+tls");
    }
  }

  @Test
  void aClientTrustingAnotherCaRefusesTheServersCertificate() throws Exception {
    TestKeys keys = TestKeys.create(root.resolve("keys"));
    TestKeys other = TestKeys.create(root.resolve("other"));
    start(keys.server());

    try (FlightClusterClient client = client(coordinatorTls(), other.client())) {
      assertThatThrownBy(() -> client.list(""))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAVAILABLE))
          .hasMessageContaining("certificate")
          .hasMessageContaining("--tls-ca");
    }
  }

  @Test
  void withClientCertificatesRequiredNodesRegisterAndACallerWithoutOneIsRefused() throws Exception {
    TestKeys keys = TestKeys.create(root.resolve("keys"));
    // The server registers and the coordinator calls it back, each presenting the node certificate.
    start(keys.mutualServer());

    try (FlightClusterClient client = client(coordinatorTls(), keys.clientWithCertificate())) {
      FlightInfo info = awaitListed(client);
      assertThat(client.get(info, BatchConsumer.of(batch -> {})).rows()).isEqualTo(TABLE.rows());
    }
    try (FlightClusterClient client = client(coordinatorTls(), keys.client())) {
      assertThatThrownBy(() -> client.list(""))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAVAILABLE))
          .hasMessageContaining("client certificate");
    }
  }

  private void start(TlsSettings tls) throws Exception {
    coordinator =
        Coordinator.builder(coordinatorAllocator, telemetry.flightTelemetry())
            .location(tls.location("127.0.0.1", 0))
            .heartbeatInterval(HEARTBEAT)
            .tls(tls)
            .build()
            .start();
    Path data = Files.createDirectories(root.resolve("data"));
    try (BufferAllocator allocator = new RootAllocator();
        ArrowReader reader = TABLE.reader(allocator, 1_000)) {
      ParquetFiles.write(allocator, reader, data.resolve("orders.parquet"));
    }
    server =
        DataServer.builder(serverAllocator, telemetry.flightTelemetry())
            .location(tls.location("127.0.0.1", 0))
            .dataDir(data)
            .serverId("server-1")
            .coordinator(coordinatorTls())
            .heartbeatInterval(HEARTBEAT)
            .tls(tls)
            .build()
            .start();
  }

  private Location coordinatorTls() {
    return Location.forGrpcTls("127.0.0.1", coordinator.port());
  }

  private FlightClusterClient client(Location coordinator, TlsSettings tls) {
    return FlightClusterClient.builder(clientAllocator, telemetry.flightTelemetry(), coordinator)
        .connectTimeout(Duration.ofSeconds(5))
        .tls(tls)
        .build();
  }

  private static FlightInfo awaitListed(FlightClusterClient client) {
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(() -> assertThat(client.list("")).hasSize(1));
    return client.info("orders.parquet");
  }
}
