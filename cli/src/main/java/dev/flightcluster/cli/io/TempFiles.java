package dev.flightcluster.cli.io;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/** The temp-then-rename dance, so a reader never sees a half-written output file. */
final class TempFiles {
  private static final int ATTEMPTS = 10;

  private TempFiles() {}

  /**
   * A new hidden temp file beside {@code target}, so the final move stays on one file system.
   *
   * <p>It is created with the default permissions, which the user's umask trims, like any file a
   * program writes (and like the Parquet writer's). {@link Files#createTempFile} would make it
   * owner-only (0600), and the rename would carry that mode to the output file.
   */
  static Path besides(Path target) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path dir = absolute.getParent();
    Files.createDirectories(dir);
    for (int attempt = 1; ; attempt++) {
      Path temp = dir.resolve("." + absolute.getFileName() + "." + UUID.randomUUID() + ".tmp");
      try {
        return Files.createFile(temp); // CREATE_NEW: never reuses a file someone else made
      } catch (FileAlreadyExistsException e) {
        if (attempt == ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  /** Moves {@code temp} over {@code target}, atomically where the file system can. */
  static void moveIntoPlace(Path temp, Path target) throws IOException {
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
