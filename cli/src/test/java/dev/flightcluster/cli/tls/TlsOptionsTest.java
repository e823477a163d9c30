package dev.flightcluster.cli.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcluster.cli.Main;
import dev.flightcluster.testing.TestKeys;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The TLS options fail before anything starts, naming the option or file. */
class TlsOptionsTest {
  @TempDir Path root;

  @Test
  void aCertificateWithoutKeyIsAUsageError() {
    TestKeys keys = TestKeys.create(root);

    Result result =
        run("coordinator", "--port", "0", "--tls-cert", keys.file("node.pem").toString());

    assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
    assertThat(result.err()).contains("set --tls-key too");
  }

  @Test
  void aMissingFileIsNamed() {
    TestKeys keys = TestKeys.create(root);
    Path missing = root.resolve("missing-ca.pem");

    Result result =
        run(
            "server",
            "--port",
            "0",
            "--coordinator",
            "standalone",
            "--data-dir",
            root.resolve("data").toString(),
            "--tls-cert",
            keys.file("node.pem").toString(),
            "--tls-key",
            keys.file("node-key.pem").toString(),
            "--tls-client-ca",
            missing.toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .contains("Cannot use the TLS client CA certificate " + missing + ": no such file");
  }

  @Test
  void aKeyFileGivenAsCertificateIsRefusedWithoutQuotingIt() throws Exception {
    TestKeys keys = TestKeys.create(root);
    String secret = Files.readAllLines(keys.file("node-key.pem")).get(1);

    Result result =
        run(
            "coordinator",
            "--port",
            "0",
            "--tls-cert",
            keys.file("node-key.pem").toString(),
            "--tls-key",
            keys.file("node-key.pem").toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("found a private key").doesNotContain(secret);
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
