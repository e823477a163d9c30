package dev.flightcluster.security;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * A certificate or key file that cannot be used: missing, unreadable, not PEM, or holding something
 * else than expected. The message names the file and what is wrong with it, and never quotes the
 * file's contents, since a key file's contents are a secret.
 */
public final class PemFileException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;

  /**
   * @param what what the file was meant to hold, e.g. "TLS private key"
   * @param file the file
   * @param problem what is wrong, said so that a person can fix it
   */
  public PemFileException(String what, Path file, String problem) {
    this(what, file, problem, null);
  }

  /**
   * Like {@link #PemFileException(String, Path, String)}, keeping the failure that revealed the
   * problem.
   */
  public PemFileException(String what, Path file, String problem, Throwable cause) {
    super(
        "Cannot use the "
            + requireNonNull(what, "what is null")
            + " "
            + requireNonNull(file, "file is null")
            + ": "
            + requireNonNull(problem, "problem is null"),
        cause);
    this.file = file;
  }

  /** The file that cannot be used. */
  public Path file() {
    return file;
  }
}
