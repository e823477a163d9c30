package dev.flightcluster.cli.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcluster.cli.FailureHandler;
import dev.flightcluster.security.TlsSettings;
import dev.flightcluster.testing.TestKeys;
import io.opentelemetry.api.OpenTelemetry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class HealthCommandTest {
  @Test
  void servingUntilTheHealthIsClosed() throws Exception {
    try (BufferAllocator allocator = new RootAllocator();
        ServingHealth health = new ServingHealth()) {
      FlightServer server =
          health
              .flightTelemetry(OpenTelemetry.noop())
              .instrument(
                  FlightServer.builder(
                      allocator,
                      Location.forGrpcInsecure("127.0.0.1", 0),
                      new NoOpFlightProducer()))
              .build()
              .start();
      try (server) {
        String target = "grpc://127.0.0.1:" + server.getPort();
        Result serving = run("--target", target);
        assertThat(serving.exitCode()).isEqualTo(0);
        assertThat(serving.out().strip()).isEqualTo("SERVING");
        assertThat(run("--target", target, "--service", ServingHealth.FLIGHT_SERVICE).exitCode())
            .isEqualTo(0);

        Result unknown = run("--target", target, "--service", "no.such.Service");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).startsWith("error: NOT_FOUND");

        health.close();
        Result stopping = run("--target", target);
        assertThat(stopping.exitCode()).isEqualTo(1);
        assertThat(stopping.out().strip()).isEqualTo("NOT_SERVING");
      }
    }
  }

  @Test
  void overTlsWithTheCaTrustedAndNotTrusted(@TempDir Path keysDir) throws Exception {
    TestKeys keys = TestKeys.create(keysDir);
    TlsSettings tls = keys.server();
    try (BufferAllocator allocator = new RootAllocator();
        ServingHealth health = new ServingHealth()) {
      FlightServer server =
          health
              .flightTelemetry(OpenTelemetry.noop())
              .instrument(
                  tls.serve(
                      FlightServer.builder(
                          allocator, tls.location("127.0.0.1", 0), new NoOpFlightProducer())))
              .build()
              .start();
      try (server) {
        String target = "grpc+tls://127.0.0.1:" + server.getPort();
        // A generous timeout: the first TLS handshake of a JVM is slow on a busy machine.
        Result trusted =
            run("--target", target, "--tls-ca", keys.file("ca.pem").toString(), "--timeout", "60s");
        assertThat(trusted.exitCode()).as(trusted.err()).isEqualTo(0);
        assertThat(trusted.out().strip()).isEqualTo("SERVING");

        Result untrusted = run("--target", target, "--timeout", "60s");
        assertThat(untrusted.exitCode()).isEqualTo(1);
        assertThat(untrusted.err())
            .startsWith("error: UNAVAILABLE")
            .contains("not trusted")
            .contains("--tls-ca");

        Result plaintext =
            run("--target", "grpc://127.0.0.1:" + server.getPort(), "--timeout", "60s");
        assertThat(plaintext.exitCode()).isEqualTo(1);
        assertThat(plaintext.err()).startsWith("error: UNAVAILABLE").contains("grpc+tls://");
      }
    }
  }

  @Test
  void nothingListeningIsUnavailable() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Result result = run("--target", "grpc://127.0.0.1:" + port, "--timeout", "2s");
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).startsWith("error: UNAVAILABLE").doesNotContain("\tat ");
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(run().exitCode()).isEqualTo(2);
    assertThat(run("--target", "http://x:1").err()).contains("the scheme must be grpc");
    assertThat(run("--target", "grpc://127.0.0.1:1", "--timeout", "0s").exitCode()).isEqualTo(2);
  }

  @Test
  void helpShowsDefaults() {
    Result help = run("--help");
    assertThat(help.exitCode()).isEqualTo(0);
    assertThat(help.out()).contains("--timeout=DURATION").contains("Default: 5s");
  }

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        new CommandLine(new HealthCommand())
            .setExecutionExceptionHandler(new FailureHandler())
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  private record Result(int exitCode, String out, String err) {}
}
