package dev.flightcluster.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcluster.cli.demo.JavaCommand;
import dev.flightcluster.coordinator.Coordinator;
import dev.flightcluster.coordinator.CoordinatorBuilder;
import dev.flightcluster.otel.FlightTelemetry;
import dev.flightcluster.testing.FakeClock;
import io.opentelemetry.api.OpenTelemetry;
import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client command whose OTLP collector is not running says so once, as a warning, and prints no
 * ERROR line. It runs as a child process, as a user runs it: the endpoint comes from the real
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT} variable and the lines are the process's real stderr.
 */
class QuietWithoutCollectorTest {
  @TempDir Path dir;

  @Test
  void aClientCommandWithoutACollectorWarnsOnceAndLogsNoError() throws Exception {
    int closedPort;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = free.getLocalPort();
    }
    String endpoint = "http://127.0.0.1:" + closedPort;
    FakeClock clock = new FakeClock();
    try (BufferAllocator allocator = new RootAllocator();
        Coordinator coordinator =
            Coordinator.builder(allocator, FlightTelemetry.create(OpenTelemetry.noop()))
                .location(Location.forGrpcInsecure("127.0.0.1", 0))
                .clock(clock)
                .build()
                .start()) {
      // Warm without waiting: no server will report, so only its first lease can pass.
      clock.advance(CoordinatorBuilder.DEFAULT_LEASE.plusSeconds(1));
      assertThat(coordinator.isWarm()).isTrue();
      File stdout = dir.resolve("stdout").toFile();
      File stderr = dir.resolve("stderr").toFile();
      ProcessBuilder builder =
          new ProcessBuilder(
                  JavaCommand.of(
                      "dev.flightcluster.cli.Main",
                      List.of(
                          "client",
                          "--coordinator",
                          coordinator.location().getUri().toString(),
                          "list")))
              .redirectOutput(stdout)
              .redirectError(stderr);
      Map<String, String> environment = builder.environment();
      environment.keySet().removeIf(name -> name.startsWith("OTEL_"));
      environment.put("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint);
      // Without retries the export fails while the command still runs, which is when the exporter
      // logged its ERROR; with them a short command exits first and only the exit report is left.
      environment.put("OTEL_JAVA_EXPORTER_OTLP_RETRY_DISABLED", "true");
      Process client = builder.start();
      // A guard against a hang, not a measure of speed.
      assertThat(client.waitFor(2, TimeUnit.MINUTES)).isTrue();

      String errors = Files.readString(stderr.toPath(), StandardCharsets.UTF_8);
      assertThat(client.exitValue()).as("stderr: %s", errors).isZero();
      List<String> lines = errors.lines().filter(line -> !line.isBlank()).toList();
      assertThat(lines).noneMatch(line -> line.contains(" ERROR "));
      // The spans were really sent and failed: the one line is the exporter's, saying where a
      // collector was expected.
      assertThat(lines)
          .filteredOn(line -> line.contains("is a collector listening at " + endpoint))
          .singleElement()
          .asString()
          .contains(" WARN ", "Failed to export");
    }
  }
}
