package dev.flightcluster.cli.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Tracer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Closing the telemetry ends whatever the collector does: the CLI exits when the OTLP endpoint
 * refuses connections and when it accepts them and never answers. How long it takes is measured in
 * bench/telemetry-exit.sh, not asserted here.
 */
class TelemetryExitTest {
  @Test
  void closeEndsWhenTheEndpointRefusesConnections() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    // Nothing listens on the port any more: every connection is refused.
    assertCloseEnds("http://127.0.0.1:" + port);
  }

  @Test
  void closeEndsWhenTheEndpointAcceptsAndNeverAnswers() throws Exception {
    try (Blackhole blackhole = new Blackhole()) {
      assertCloseEnds("http://127.0.0.1:" + blackhole.port());
    }
  }

  private static void assertCloseEnds(String endpoint) {
    for (String role : List.of("client", "server")) {
      Telemetry telemetry = Telemetry.start(role, Map.of("otel.exporter.otlp.endpoint", endpoint));
      assertThat(telemetry.enabled()).isTrue();
      Tracer tracer = telemetry.openTelemetry().getTracer("test");
      for (int i = 0; i < 10; i++) {
        tracer.spanBuilder("get_single_flight").startSpan().end();
      }
      telemetry.close();
    }
  }

  /** A collector that accepts connections and never reads or answers. */
  private static final class Blackhole implements AutoCloseable {
    private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final List<Socket> accepted = new ArrayList<>();
    private final Thread acceptor =
        Thread.ofPlatform().daemon().name("blackhole").start(this::accept);

    Blackhole() throws IOException {}

    int port() {
      return socket.getLocalPort();
    }

    private void accept() {
      try {
        while (true) {
          Socket connection = socket.accept();
          synchronized (accepted) {
            accepted.add(connection);
          }
        }
      } catch (IOException e) {
        // closed
      }
    }

    @Override
    public void close() throws Exception {
      socket.close();
      acceptor.join();
      synchronized (accepted) {
        for (Socket connection : accepted) {
          connection.close();
        }
      }
    }
  }
}
