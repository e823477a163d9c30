package dev.flightcluster.auth;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The users a coordinator accepts basic credentials of, read once from a users file ({@link
 * UsersFile}). Immutable and thread-safe; restart the coordinator to change them.
 */
public final class Users {
  private final Map<String, UsersFile.Entry> byName;

  private Users(List<UsersFile.Entry> entries) {
    this.byName =
        entries.stream()
            .collect(
                Collectors.toUnmodifiableMap(
                    UsersFile.Entry::name, Function.identity(), (a, b) -> b));
  }

  /**
   * Reads the users of {@code file}.
   *
   * @throws IllegalArgumentException when the file is malformed or names no user
   */
  public static Users load(Path file) throws IOException {
    List<UsersFile.Entry> entries = UsersFile.read(file);
    if (entries.isEmpty()) {
      throw new IllegalArgumentException(
          file
              + " names no user: add one with `flight-cluster users add "
              + file
              + " NAME --role ROLE`");
    }
    return new Users(entries);
  }

  /** Users from entries already read, for tests and tools. */
  public static Users of(List<UsersFile.Entry> entries) {
    return new Users(List.copyOf(requireNonNull(entries, "entries is null")));
  }

  /**
   * The user {@code name}, when it exists and {@code password} is its password. An unknown user
   * costs as much time as a wrong password, and the caller cannot tell the two apart.
   */
  public Optional<Principal> authenticate(String name, char[] password) {
    requireNonNull(name, "name is null");
    requireNonNull(password, "password is null");
    UsersFile.Entry entry = byName.get(name);
    if (entry == null) {
      Passwords.checkDecoy(password);
      return Optional.empty();
    }
    return Passwords.matches(entry.passwordHash(), password)
        ? Optional.of(new Principal(entry.name(), entry.role()))
        : Optional.empty();
  }

  /** How many users there are. */
  public int size() {
    return byName.size();
  }
}
