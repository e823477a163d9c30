package dev.flightcluster.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsersFileTest {
  @TempDir Path dir;

  @Test
  void addsAndUpdatesUsersAsBcryptOwnerOnly() throws Exception {
    Path file = dir.resolve("users");
    assertThat(UsersFile.put(file, "alice", Role.READ, "s3cret-alice".toCharArray())).isFalse();
    assertThat(UsersFile.put(file, "bob", Role.WRITE, "s3cret-bob".toCharArray())).isFalse();
    assertThat(UsersFile.put(file, "alice", Role.ADMIN, "new-alice".toCharArray())).isTrue();

    String text = Files.readString(file);
    assertThat(text)
        .doesNotContain("s3cret", "new-alice")
        .contains("alice:admin:$2y$10$", "bob:write:$2y$10$");
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(UsersFile.read(file))
        .extracting(UsersFile.Entry::name)
        .containsExactly("alice", "bob");
    try (var siblings = Files.list(dir)) {
      assertThat(siblings).containsExactly(file);
    }

    Users users = Users.load(file);
    assertThat(users.authenticate("alice", "new-alice".toCharArray()))
        .contains(new Principal("alice", Role.ADMIN));
    assertThat(users.authenticate("alice", "s3cret-alice".toCharArray())).isEmpty();
    assertThat(users.authenticate("nobody", "new-alice".toCharArray())).isEmpty();
  }

  @Test
  void aMalformedLineIsNamedWithoutQuotingIt() throws Exception {
    Path file = Files.writeString(dir.resolve("users"), "# users\nalice:reader:plain-password\n");
    assertThatThrownBy(() -> Users.load(file))
        .hasMessageContaining("line 2")
        .hasMessageContaining("unknown role 'reader'")
        .hasMessageNotContaining("plain-password");
    Files.writeString(file, "alice:read:plain-password\n");
    assertThatThrownBy(() -> Users.load(file))
        .hasMessageContaining("not a bcrypt hash")
        .hasMessageNotContaining("plain-password");
  }

  @Test
  void refusesBadNamesAndEmptyPasswords() {
    Path file = dir.resolve("users");
    assertThatThrownBy(() -> UsersFile.put(file, "al:ice", Role.READ, "x".toCharArray()))
        .hasMessageContaining("bad user name");
    assertThatThrownBy(() -> UsersFile.put(file, "alice", Role.READ, new char[0]))
        .hasMessageContaining("empty");
  }
}
