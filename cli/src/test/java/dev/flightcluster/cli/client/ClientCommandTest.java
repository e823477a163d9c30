package dev.flightcluster.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** How the client options parse; nothing here opens a connection. */
class ClientCommandTest {
  @Test
  void coordinatorTakesACommaSeparatedListInOrder() {
    ClientCommand command =
        parse("--coordinator", "grpc://c1:8888, grpc://c2:8888,grpc://c3:9999", "list");

    assertThat(command.coordinators)
        .extracting(l -> l.getUri().toString())
        .containsExactly("grpc://c1:8888", "grpc://c2:8888", "grpc://c3:9999");
  }

  @Test
  void optionsAreInheritedBySubcommands() {
    ClientCommand command =
        parse(
            "list",
            "--coordinator",
            "grpc://c1:8888",
            "--progress-timeout",
            "30s",
            "--connect-timeout",
            "500ms");

    assertThat(command.coordinators)
        .extracting(l -> l.getUri().toString())
        .containsExactly("grpc://c1:8888");
    assertThat(command.progressTimeout).isEqualTo(Duration.ofSeconds(30));
    assertThat(command.connectTimeout).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void tlsOptionsAreInheritedBySubcommandsAndUnsetByDefault() {
    assertThat(parse("list").tlsOptions.arguments()).isEmpty();

    ClientCommand command =
        parse("list", "--tls-ca", "ca.pem", "--tls-cert", "me.pem", "--tls-key", "me-key.pem");

    assertThat(command.tlsOptions.arguments())
        .containsExactly("--tls-cert", "me.pem", "--tls-key", "me-key.pem", "--tls-ca", "ca.pem");
  }

  private static ClientCommand parse(String... args) {
    ClientCommand command = new ClientCommand();
    new CommandLine(command).parseArgs(args);
    return command;
  }
}
