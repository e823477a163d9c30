package dev.flightcluster.cli.users;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flightcluster.auth.Principal;
import dev.flightcluster.auth.Role;
import dev.flightcluster.auth.Users;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class UsersAddCommandTest {
  @TempDir Path dir;

  @Test
  void addsAndUpdatesAUserWithThePasswordFromTheEnvironment() throws Exception {
    Path file = dir.resolve("users");
    Result added =
        run(Map.of("FLIGHT_PASSWORD", "first-pw-123"), file.toString(), "alice", "--role", "read");
    assertThat(added.code()).isZero();
    assertThat(added.out()).contains("added user alice (role read)");
    Result updated =
        run(
            Map.of("FLIGHT_PASSWORD", "second-pw-456"),
            file.toString(),
            "alice",
            "--role",
            "write");
    assertThat(updated.out()).contains("updated user alice (role write)");

    assertThat(Files.readString(file)).doesNotContain("first-pw-123", "second-pw-456");
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Users.load(file).authenticate("alice", "second-pw-456".toCharArray()))
        .contains(new Principal("alice", Role.WRITE));
  }

  @Test
  void withoutTerminalOrEnvironmentItSaysHowToGiveThePassword() {
    Result result = run(Map.of(), dir.resolve("users").toString(), "alice", "--role", "read");
    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err()).contains("set env FLIGHT_PASSWORD");
    assertThat(dir.resolve("users")).doesNotExist();
  }

  @Test
  void anUnknownRoleNamesTheRoles() {
    Result result =
        run(
            Map.of("FLIGHT_PASSWORD", "pw"),
            dir.resolve("users").toString(),
            "alice",
            "--role",
            "boss");
    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err()).contains("read, write, node, admin");
  }

  private static Result run(Map<String, String> env, String... args) {
    UsersAddCommand command = new UsersAddCommand();
    command.env = env::get;
    command.console = () -> null;
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        new CommandLine(command)
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  private record Result(int code, String out, String err) {}
}
