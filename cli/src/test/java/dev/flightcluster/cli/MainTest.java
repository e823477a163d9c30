package dev.flightcluster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command tree, help and usage errors; nothing here starts a server or opens a connection. */
class MainTest {
  @Test
  void everyCommandHasHelpWithDefaultsAndEnvironmentVariables() {
    Result root = run("--help");
    assertThat(root.exitCode()).isZero();
    assertThat(root.out())
        .contains("demo", "coordinator", "server", "client", "health", "--verbose");

    assertThat(run("coordinator", "--help").out())
        .contains(
            "--port=PORT", "Default: 8888", "FLIGHT_PORT", "--lease=DURATION", "Default: 10s");
    assertThat(run("server", "--help").out())
        .contains(
            "Default: 8889",
            "FLIGHT_DATASET_DIR",
            "Default: ./flight_datasets",
            "Default: grpc://localhost:8888",
            "FLIGHT_ADVERTISE",
            "<hostname>-<port>",
            "Default: 2s",
            "Default: 65536");
    assertThat(run("client", "--help").out())
        .contains(
            "list",
            "info",
            "get",
            "put",
            "list-and-get-all",
            "FLIGHT_COORDINATOR",
            "--progress-timeout=DURATION",
            "Default: 15s",
            "FLIGHT_PROGRESS_TIMEOUT",
            "--connect-timeout=DURATION",
            "Default: 5s",
            "FLIGHT_CONNECT_TIMEOUT");
    assertThat(run("client", "get", "--help").out())
        .contains(
            "--output=FILE",
            ".parquet, .arrow or .csv",
            "--columns=COLUMN",
            "--where=FILTER",
            "--limit=N");
    assertThat(run("client", "put", "--help").out()).contains("--name=NAME");
    assertThat(run("demo", "--help").out()).contains("--data-dir=DIR", "--keep-running");
    assertThat(run("health", "--help").out()).contains("--target=URI");
    assertThat(run("help", "server").out()).contains("--advertise=URI");
    assertThat(run("--version").out()).startsWith("flight-cluster ");
  }

  @Test
  void usageErrorsExitTwoWithAMessage() {
    assertThat(run().exitCode()).isEqualTo(2);
    assertThat(run("client").err()).contains("Missing command");
    assertThat(run("no-such-command").exitCode()).isEqualTo(2);

    Result lease = run("coordinator", "--lease", "2s", "--heartbeat-interval", "2s");
    assertThat(lease.exitCode()).isEqualTo(2);
    assertThat(lease.err()).contains("must be shorter than --lease");
    assertThat(run("coordinator", "--lease", "soon").err()).contains("e.g. 500ms, 2s");
    assertThat(run("coordinator", "--port", "70000").exitCode()).isEqualTo(2);

    assertThat(run("server", "--port", "-1").err()).contains("--port must be 0..65535");
    Result batchRows = run("server", "--batch-rows", "0");
    assertThat(batchRows.exitCode()).isEqualTo(2);
    assertThat(batchRows.err()).contains("--batch-rows: batchRows must be positive");
    assertThat(run("server", "--max-message-size", "3GiB").err()).contains("--max-message-size");
    assertThat(run("server", "--coordinator", "localhost:8888").err()).contains("--coordinator");
    assertThat(run("server", "--coordinator", "grpc://a:8888,,grpc://b:8888").err())
        .contains("empty entry");
    assertThat(run("server", "--coordinator", "grpc://a:8888,none").err())
        .contains("cannot be combined");
    assertThat(run("server", "--coordinator", "grpc://a:8888, b:8888").err())
        .contains("invalid location 'b:8888'");
    assertThat(run("server", "--advertise", "http://x:1").err()).contains("--advertise");
    assertThat(run("coordinator", "--token-signing-key", "k.pem").err())
        .contains("give --users FILE too");
    assertThat(run("coordinator", "--users", "u", "--insecure").err())
        .contains("--insecure turns authentication off");
    assertThat(run("server", "--coordinator", "none", "--node-user", "n").err())
        .contains("FLIGHT_NODE_PASSWORD");

    assertThat(run("client", "--coordinator", "nowhere", "list").err())
        .contains("invalid location");
    assertThat(run("client", "--coordinator", "grpc://a:1,nowhere", "list").err())
        .contains("invalid location");
    assertThat(run("client", "--progress-timeout", "0s", "list").err())
        .contains("not a positive duration");
    assertThat(run("client", "list", "--connect-timeout", "soon").err()).contains("e.g. 500ms, 2s");
    assertThat(run("client", "get", "x.parquet", "--output", "x.json").err())
        .contains("name it .parquet, .arrow or .csv");
    Result negativeLimit = run("client", "get", "x.parquet", "--limit", "-1");
    assertThat(negativeLimit.exitCode()).isEqualTo(2);
    assertThat(negativeLimit.err()).contains("limit must be 0 or more");
    assertThat(run("client", "get", "x.parquet", "--columns", "a,b,a").err())
        .contains("names column 'a' twice");
    assertThat(run("client", "info", "../etc/passwd").err())
        .contains("'..' segments are not allowed");
    assertThat(run("client", "put", "x.parquet", "--name", "a/b").err()).contains("has a '/'");
    assertThat(run("client", "put", "missing.parquet", "--name", "b").err())
        .contains("no such file");
    assertThat(run("client", "put", "missing.parquet").err()).contains("--name");
    assertThat(run("client", "put", "pom.xml", "--name", "a.parquet", "--replicas", "2").err())
        .contains("--replicas and --append write folder datasets");
    assertThat(run("client", "put", "pom.xml", "--name", "a", "--replicas", "0").err())
        .contains("replicas must be 1..16");
    assertThat(run("client", "put", "pom.xml", "--name", "a", "--shard-size", "12").err())
        .contains("shard size must be at least");
    assertThat(run("demo", "--rows", "0").exitCode()).isEqualTo(2);
    assertThat(run("demo", "--secure", "--tls-ca", "pom.xml").err())
        .contains("--secure makes its own certificates");
  }

  @Test
  void verboseIsAcceptedEverywhere() {
    assertThat(run("--verbose", "client", "--help").exitCode()).isZero();
    assertThat(run("client", "list", "--verbose", "--help").exitCode()).isZero();
    assertThat(run("health", "-v", "--help").exitCode()).isZero();
  }

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine =
        Main.commandLine()
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
    int code = commandLine.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  private record Result(int exitCode, String out, String err) {}
}
