package dev.flightcluster.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildProcessesTest {
  @TempDir Path dir;

  @Test
  void termThenKillInGroupOrder() throws Exception {
    ChildProcesses children = new ChildProcesses(Duration.ofMillis(500));
    try (children) {
      ChildProcesses.Child polite =
          children.start("polite", List.of("sleep", "60"), Map.of(), dir.resolve("polite.log"), 1);
      ChildProcesses.Child stubborn =
          children.start(
              "stubborn",
              List.of("sh", "-c", "trap '' TERM; echo ready; while true; do sleep 1; done"),
              Map.of(),
              dir.resolve("logs/stubborn.log"),
              2);
      await().until(() -> Files.readString(stubborn.logFile()).contains("ready"));
      children.checkAlive();
      children.close();
      assertThat(polite.process().isAlive()).isFalse();
      assertThat(stubborn.process().isAlive()).isFalse();
      assertThat(children.children()).hasSize(2);
    }
    assertThatThrownBy(() -> children.start("late", List.of("true"), Map.of(), dir.resolve("x"), 1))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void deadChildIsReportedWithItsLog() throws Exception {
    Map<String, String> environment = new HashMap<>();
    environment.put("GREETING", "boom");
    environment.put("HOME", null);
    try (ChildProcesses children = new ChildProcesses(Duration.ofSeconds(5))) {
      ChildProcesses.Child failing =
          children.start(
              "failing",
              List.of("sh", "-c", "echo \"$GREETING ${HOME:-no-home}\"; exit 3"),
              environment,
              dir.resolve("failing.log"),
              1);
      await().until(() -> !failing.process().isAlive());
      assertThatThrownBy(children::checkAlive)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("failing exited with code 3")
          .hasMessageContaining("failing.log")
          .hasMessageContaining("boom no-home");
    }
  }

  @Test
  void childJvmGetsOurOptionsButNoDebugger() {
    assertThat(
            JavaCommand.jvmOptions(
                List.of(
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "-agentlib:jdwp=transport=dt_socket,server=y,address=5005",
                    "-Xmx1g")))
        .containsExactly("--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx1g");
    List<String> command =
        JavaCommand.of("dev.flightcluster.cli.Main", List.of("server", "--port", "1"));
    assertThat(command.get(0)).endsWith("java");
    assertThat(command)
        .containsSubsequence(
            "-cp",
            System.getProperty("java.class.path"),
            "dev.flightcluster.cli.Main",
            "server",
            "--port",
            "1");
  }
}
