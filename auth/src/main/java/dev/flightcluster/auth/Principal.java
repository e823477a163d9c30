package dev.flightcluster.auth;

import static java.util.Objects.requireNonNull;

/**
 * Who is calling: an authenticated user and its role.
 *
 * @param user the user name, the token's subject
 * @param role what the user may do
 */
public record Principal(String user, Role role) {
  public Principal {
    requireNonNull(user, "user is null");
    requireNonNull(role, "role is null");
  }
}
