package dev.flightcluster.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The built distribution ({@code cli/target/flight-cluster}) as the tests start it: its launcher
 * script, with this JVM's JDK and an environment that sends spans to a test receiver.
 */
final class Distribution {
  private final Path home;
  private final Map<String, String> environment;

  private Distribution(Path home, Map<String, String> environment) {
    this.home = home;
    this.environment = environment;
  }

  /**
   * The distribution named by the {@code flightcluster.dist} system property (set by the e2e POM),
   * exporting OTLP/HTTP spans to {@code otlpEndpoint} with a short batch delay.
   */
  static Distribution exportingTo(String otlpEndpoint) {
    Path home = Path.of(System.getProperty("flightcluster.dist", "../cli/target/flight-cluster"));
    assertThat(home.resolve("bin/flight-cluster"))
        .as("the distribution; build it with ./mvnw -pl cli -am package")
        .isExecutable();
    Map<String, String> environment = new HashMap<>();
    // The script's JDK discovery starts at JAVA_HOME: the JDK running this test.
    environment.put("JAVA_HOME", System.getProperty("java.home"));
    environment.put("JAVA_OPTS", "-Xmx512m -XX:MaxDirectMemorySize=512m");
    environment.put("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
    environment.put("OTEL_EXPORTER_OTLP_ENDPOINT", otlpEndpoint);
    environment.put("OTEL_BSP_SCHEDULE_DELAY", "100");
    environment.put("OTEL_METRICS_EXPORTER", "none");
    environment.put("OTEL_LOGS_EXPORTER", "none");
    // Nothing from the developer's shell may change what the processes do.
    for (String inherited : System.getenv().keySet()) {
      if (inherited.startsWith("FLIGHT_") || inherited.startsWith("OTEL_")) {
        environment.putIfAbsent(inherited, null);
      }
    }
    return new Distribution(home.toAbsolutePath().normalize(), environment);
  }

  /** The same distribution with more environment (a null value removes a variable). */
  Distribution with(String name, String value) {
    Map<String, String> more = new HashMap<>(environment);
    more.put(name, value);
    return new Distribution(home, more);
  }

  /** {@code bin/flight-cluster ARGS...} */
  List<String> command(String... arguments) {
    List<String> command = new ArrayList<>();
    command.add(home.resolve("bin/flight-cluster").toString());
    command.addAll(List.of(arguments));
    return command;
  }

  Map<String, String> environment() {
    return environment;
  }

  /** Runs a command to its end (at most {@code timeoutSeconds}), output to files in {@code dir}. */
  Run run(Path dir, String name, long timeoutSeconds, String... arguments)
      throws IOException, InterruptedException {
    Path out = dir.resolve(name + ".out");
    Path err = dir.resolve(name + ".err");
    ProcessBuilder builder = new ProcessBuilder(command(arguments));
    environment.forEach(
        (key, value) -> {
          if (value == null) {
            builder.environment().remove(key);
          } else {
            builder.environment().put(key, value);
          }
        });
    builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.redirectOutput(out.toFile());
    builder.redirectError(err.toFile());
    Process process = builder.start();
    try {
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        throw new AssertionError(
            name
                + " did not finish in "
                + timeoutSeconds
                + " s; stderr:\n"
                + Files.readString(err));
      }
      return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      process.destroyForcibly();
    }
  }

  /** A finished command. */
  record Run(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }
}
