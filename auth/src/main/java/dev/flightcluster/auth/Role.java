package dev.flightcluster.auth;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a user may do. Roles are not a ladder: {@code node} may register a data server, which a
 * {@code write} user may not, and only {@code admin} may do everything. Which call needs which role
 * is {@link AccessPolicy}'s business.
 */
public enum Role {
  /** List datasets, read their info and schema, DoGet them. */
  READ,
  /** Everything {@link #READ} may, and upload (DoPut, choose_server). */
  WRITE,
  /**
   * A data server: say_hello, heartbeat and goodbye at coordinators, and the coordinator's own
   * calls at data servers (the ListFlights callback).
   */
  NODE,
  /** Everything. */
  ADMIN;

  /** The name used in users files, tokens and on the command line: lower case. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The role named {@code name} (read, write, node or admin).
   *
   * @throws IllegalArgumentException naming the roles there are
   */
  public static Role parse(String name) {
    for (Role role : values()) {
      if (role.wireName().equals(name)) {
        return role;
      }
    }
    throw new IllegalArgumentException(
        "unknown role '"
            + name
            + "'; the roles are "
            + Arrays.stream(values()).map(Role::wireName).collect(Collectors.joining(", ")));
  }
}
