package dev.flightcluster.otel;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ConnectivityState;
import io.opentelemetry.api.OpenTelemetry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;

/**
 * {@link TracedFlightClient#awaitConnection} against a live server, a closed port and a silent one.
 */
class AwaitConnectionTest {
  private final FlightTelemetry telemetry = FlightTelemetry.create(OpenTelemetry.noop());

  @Test
  void aLiveServerIsReadyAndTheCustomizerRuns() throws Exception {
    AtomicBoolean customized = new AtomicBoolean();
    try (BufferAllocator allocator = new RootAllocator();
        FlightServer server =
            telemetry
                .instrument(
                    FlightServer.builder(
                        allocator,
                        Location.forGrpcInsecure("127.0.0.1", 0),
                        new NoOpFlightProducer()))
                .build()
                .start();
        TracedFlightClient client =
            telemetry.connect(
                allocator,
                Location.forGrpcInsecure("127.0.0.1", server.getPort()),
                channel -> customized.set(true))) {
      assertThat(client.awaitConnection(Duration.ofSeconds(30))).isEqualTo(ConnectivityState.READY);
      assertThat(customized).isTrue();
    }
  }

  @Test
  void aClosedPortFailsAtOnce() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    try (BufferAllocator allocator = new RootAllocator();
        TracedFlightClient client =
            telemetry.connect(allocator, Location.forGrpcInsecure("127.0.0.1", port))) {
      assertThat(client.awaitConnection(Duration.ofSeconds(30)))
          .isEqualTo(ConnectivityState.TRANSIENT_FAILURE);
    }
  }

  @Test
  void aSocketThatNeverAnswersIsStillConnectingWhenTheTimeoutRunsOut() throws Exception {
    // The kernel completes the TCP handshake from the backlog; nobody ever speaks HTTP/2.
    try (ServerSocket silent = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        BufferAllocator allocator = new RootAllocator();
        TracedFlightClient client =
            telemetry.connect(
                allocator, Location.forGrpcInsecure("127.0.0.1", silent.getLocalPort()))) {
      assertThat(client.awaitConnection(Duration.ofMillis(500)))
          .isEqualTo(ConnectivityState.CONNECTING);
    }
  }

  @Test
  void closingTheClientShutsItsChannelDown() throws Exception {
    try (BufferAllocator allocator = new RootAllocator();
        FlightServer server =
            telemetry
                .instrument(
                    FlightServer.builder(
                        allocator,
                        Location.forGrpcInsecure("127.0.0.1", 0),
                        new NoOpFlightProducer()))
                .build()
                .start()) {
      TracedFlightClient client =
          telemetry.connect(allocator, Location.forGrpcInsecure("127.0.0.1", server.getPort()));
      assertThat(client.awaitConnection(Duration.ofSeconds(30))).isEqualTo(ConnectivityState.READY);

      client.close();

      assertThat(client.awaitConnection(Duration.ofSeconds(1)))
          .isEqualTo(ConnectivityState.SHUTDOWN);
    }
  }
}
