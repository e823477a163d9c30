package dev.flightcluster.auth;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A signed bearer token and when it expires. {@link #toString()} never shows the token itself, so a
 * token logged by mistake is not leaked.
 *
 * @param value the compact JWT, sent as {@code authorization: Bearer VALUE}
 * @param expiresAt the token's expiry
 */
public record Token(String value, Instant expiresAt) {
  public Token {
    requireNonNull(value, "value is null");
    requireNonNull(expiresAt, "expiresAt is null");
  }

  @Override
  public String toString() {
    return "Token[expiresAt=" + expiresAt + "]";
  }
}
