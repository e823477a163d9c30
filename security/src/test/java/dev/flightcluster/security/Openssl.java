package dev.flightcluster.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the machine's {@code openssl}; tests that need it are skipped where there is none. */
final class Openssl {
  private Openssl() {}

  /** Skips the calling test when no {@code openssl} is on the PATH. */
  static void assumeInstalled() {
    String path = System.getenv().getOrDefault("PATH", "");
    boolean found =
        path.isEmpty()
            ? false
            : java.util.Arrays.stream(path.split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "openssl")));
    assumeTrue(found, "openssl is not installed");
  }

  /** Runs {@code openssl args...} in {@code directory}, asserts it succeeds, returns its output. */
  static String run(Path directory, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("openssl finished").isTrue();
    assertThat(process.exitValue()).as("openssl %s: %s", String.join(" ", args), output).isZero();
    return output;
  }
}
