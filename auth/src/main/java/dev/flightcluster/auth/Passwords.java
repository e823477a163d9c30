package dev.flightcluster.auth;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/** bcrypt password hashes, as Bouncy Castle computes them. */
public final class Passwords {
  /**
   * The bcrypt cost: 2^10 rounds, about 50 ms per check on one core (see bench/ and D49). A check
   * happens once per basic-auth handshake, not per call.
   */
  public static final int COST = 10;

  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * A hash that checks the same password for any user; comparing against it for an unknown user
   * costs as much as a real check, so timing does not tell which users exist.
   */
  private static final String DECOY = hash("decoy password never used".toCharArray());

  private Passwords() {}

  /** A salted bcrypt hash of {@code password}, in the {@code $2y$} format. */
  public static String hash(char[] password) {
    requireNonNull(password, "password is null");
    if (password.length == 0) {
      throw new IllegalArgumentException("the password is empty");
    }
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return OpenBSDBCrypt.generate("2y", password, salt, COST);
  }

  /** Whether {@code password} matches {@code hash}; false for a malformed hash. */
  public static boolean matches(String hash, char[] password) {
    requireNonNull(hash, "hash is null");
    requireNonNull(password, "password is null");
    try {
      return OpenBSDBCrypt.checkPassword(hash, password);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Spends the time of one check, for a user that does not exist. */
  static void checkDecoy(char[] password) {
    matches(DECOY, password.length == 0 ? new char[] {'x'} : password);
  }

  /** Whether {@code hash} looks like a bcrypt hash this class can check. */
  static boolean isBcrypt(String hash) {
    return hash.matches("\\$2[abxy]?\\$\\d\\d\\$[./A-Za-z0-9]{53}");
  }
}
