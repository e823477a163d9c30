package dev.flightcluster.auth;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The users file: one user a line, {@code NAME:ROLE:BCRYPT_HASH}, e.g. {@code
 * alice:read:$2y$10$...}; blank lines and lines starting with {@code #} are ignored. Names are
 * letters, digits, {@code . _ -} and {@code @}; roles are read, write, node and admin. The file
 * holds no plain password, yet it is written readable by its owner only (0600), and replaced
 * atomically, so a coordinator never reads half a file.
 */
public final class UsersFile {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
  private static final String HEADER =
      "# flight-cluster users: NAME:ROLE:BCRYPT_HASH, written by `flight-cluster users add`\n";

  /**
   * One line of the file.
   *
   * @param name the user name
   * @param role the user's role
   * @param passwordHash the bcrypt hash of the password
   */
  public record Entry(String name, Role role, String passwordHash) {
    public Entry {
      checkName(name);
      requireNonNull(role, "role is null");
      requireNonNull(passwordHash, "passwordHash is null");
    }
  }

  private UsersFile() {}

  /**
   * Reads a users file.
   *
   * @throws IllegalArgumentException naming the line that is malformed (never quoting its hash)
   * @throws NoSuchFileException when the file does not exist
   */
  public static List<Entry> read(Path file) throws IOException {
    requireNonNull(file, "file is null");
    List<Entry> entries = new ArrayList<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split(":", 3);
      String where = file + " line " + (i + 1);
      if (parts.length != 3) {
        throw new IllegalArgumentException(where + " is not NAME:ROLE:BCRYPT_HASH");
      }
      if (!NAME.matcher(parts[0]).matches()) {
        throw new IllegalArgumentException(where + ": bad user name; " + nameRule());
      }
      Role role;
      try {
        role = Role.parse(parts[1]);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
      }
      if (!Passwords.isBcrypt(parts[2])) {
        throw new IllegalArgumentException(
            where + ": the password is not a bcrypt hash; set it with `flight-cluster users add`");
      }
      entries.add(new Entry(parts[0], role, parts[2]));
    }
    return List.copyOf(entries);
  }

  /**
   * Adds the user, or replaces its role and password when it exists, keeping the other users and
   * their order. Creates the file when it does not exist.
   *
   * @return whether the user existed before
   */
  public static boolean put(Path file, String name, Role role, char[] password) throws IOException {
    requireNonNull(file, "file is null");
    checkName(name);
    requireNonNull(role, "role is null");
    Entry entry = new Entry(name, role, Passwords.hash(password));
    Map<String, Entry> users = new LinkedHashMap<>();
    try {
      for (Entry existing : read(file)) {
        users.put(existing.name(), existing);
      }
    } catch (NoSuchFileException e) {
      // A new file.
    }
    boolean existed = users.put(name, entry) != null;
    StringBuilder text = new StringBuilder(HEADER);
    for (Entry user : users.values()) {
      text.append(user.name())
          .append(':')
          .append(user.role().wireName())
          .append(':')
          .append(user.passwordHash())
          .append('\n');
    }
    write(file, text.toString());
    return existed;
  }

  /** Writes to a 0600 file beside {@code file}, then moves it over {@code file}. */
  private static void write(Path file, String text) throws IOException {
    Path absolute = file.toAbsolutePath();
    Path temp = absolute.resolveSibling("." + absolute.getFileName() + ".tmp");
    Files.deleteIfExists(temp);
    try {
      Files.createFile(
          temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system (Windows): the default permissions of the directory apply.
      Files.createFile(temp);
    } catch (FileAlreadyExistsException e) {
      throw new IOException("another `users add` is writing " + file + " (" + temp + " exists)", e);
    }
    try {
      Files.writeString(temp, text, StandardCharsets.UTF_8);
      try {
        Files.move(
            temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static void checkName(String name) {
    requireNonNull(name, "name is null");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("bad user name '" + name + "': " + nameRule());
    }
  }

  private static String nameRule() {
    return "a user name is 1 to 64 letters, digits, '.', '_', '-' or '@'";
  }
}
