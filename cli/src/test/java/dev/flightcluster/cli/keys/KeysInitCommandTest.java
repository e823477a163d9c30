package dev.flightcluster.cli.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcluster.cli.Main;
import dev.flightcluster.security.PemFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class KeysInitCommandTest {
  private static final List<String> FILES =
      List.of(
          "ca.pem",
          "ca-key.pem",
          "node.pem",
          "node-key.pem",
          "token-signing-key.pem",
          "token-verify-key.pem");

  @TempDir Path root;

  @Test
  void writesTheSixFilesForTheHostsGiven() throws Exception {
    Path dir = root.resolve("keys");

    Result result =
        run("keys", "init", dir.toString(), "--host", "coordinator", "--host", "10.1.2.3");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out().lines())
        .containsExactlyElementsOf(FILES.stream().map(f -> "wrote " + dir.resolve(f)).toList());
    X509Certificate node = PemFiles.readCertificates("node", dir.resolve("node.pem")).getFirst();
    assertThat(node.getSubjectAlternativeNames())
        .extracting(name -> (Object) name.get(1))
        .containsExactly("coordinator", "10.1.2.3", "localhost", "127.0.0.1");
  }

  @Test
  void anExistingFileFailsNamingItAndNothingIsWritten() throws Exception {
    Path dir = root.resolve("keys");
    assertThat(run("keys", "init", dir.toString()).exitCode()).isZero();
    Map<String, byte[]> before = new HashMap<>();
    for (String file : FILES) {
      before.put(file, Files.readAllBytes(dir.resolve(file)));
    }
    Files.delete(dir.resolve("node.pem"));

    Result again = run("keys", "init", dir.toString());

    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err())
        .contains(dir.resolve("ca.pem").toString())
        .contains("never overwrites a file, and wrote nothing");
    assertThat(dir.resolve("node.pem")).doesNotExist();
    for (String file : FILES) {
      if (!file.equals("node.pem")) {
        assertThat(Files.readAllBytes(dir.resolve(file))).as(file).isEqualTo(before.get(file));
      }
    }
  }

  @Test
  void aBadHostIsAUsageError() {
    Result result = run("keys", "init", root.resolve("keys").toString(), "--host", "a b");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--host: Not a host name or IP address: 'a b'");
    assertThat(root.resolve("keys")).doesNotExist();
  }

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = Main.commandLine();
    commandLine.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
    int code = commandLine.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  private record Result(int exitCode, String out, String err) {}
}
