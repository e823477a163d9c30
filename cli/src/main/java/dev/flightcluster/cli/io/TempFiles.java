package dev.flightcluster.cli.io;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The temp-then-rename dance, so a reader never sees a half-written output file. */
final class TempFiles {
  private TempFiles() {}

  /** A new hidden temp file beside {@code target}, so the final move stays on one file system. */
  static Path besides(Path target) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path dir = absolute.getParent();
    Files.createDirectories(dir);
    return Files.createTempFile(dir, "." + absolute.getFileName() + ".", ".tmp");
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
