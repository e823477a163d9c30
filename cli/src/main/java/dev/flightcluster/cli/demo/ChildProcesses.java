package dev.flightcluster.cli.demo;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's child processes: started with their output in log files, checked for early death, and
 * stopped in groups, each group with SIGTERM first and a kill after a grace period. Servers stop
 * before the coordinator, so they can say goodbye to it.
 */
public final class ChildProcesses implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChildProcesses.class);

  /** One started child. */
  public record Child(String name, Process process, Path logFile, int stopGroup) {}

  private final Duration grace;
  private final List<Child> children = new ArrayList<>();
  private boolean closed;

  /**
   * @param grace how long a child may take to exit after SIGTERM before it is killed
   */
  public ChildProcesses(Duration grace) {
    this.grace = requireNonNull(grace, "grace is null");
  }

  /**
   * Starts a child whose stdout and stderr go to {@code logFile} (truncated first).
   *
   * @param stopGroup children stop in descending group order; a group stops all at once
   * @param environment variables to set (a null value removes the variable)
   */
  public synchronized Child start(
      String name,
      List<String> command,
      Map<String, String> environment,
      Path logFile,
      int stopGroup)
      throws IOException {
    if (closed) {
      throw new IllegalStateException("already stopped");
    }
    Files.createDirectories(logFile.toAbsolutePath().getParent());
    ProcessBuilder builder = new ProcessBuilder(command);
    environment.forEach(
        (key, value) -> {
          if (value == null) {
            builder.environment().remove(key);
          } else {
            builder.environment().put(key, value);
          }
        });
    builder.redirectErrorStream(true);
    builder.redirectOutput(ProcessBuilder.Redirect.to(logFile.toFile()));
    builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Child child = new Child(name, builder.start(), logFile, stopGroup);
    children.add(child);
    log.debug("started {} (pid {}): {}", name, child.process().pid(), command);
    return child;
  }

  /**
   * Fails when a child has exited, naming it, its exit code and its log file.
   *
   * @throws IllegalStateException for the first child found dead
   */
  public synchronized void checkAlive() {
    for (Child child : children) {
      if (!child.process().isAlive()) {
        throw new IllegalStateException(
            child.name()
                + " exited with code "
                + child.process().exitValue()
                + "; see "
                + child.logFile()
                + lastLines(child.logFile()));
      }
    }
  }

  public synchronized List<Child> children() {
    return List.copyOf(children);
  }

  /** Stops every child; idempotent and safe from a shutdown hook. */
  @Override
  public void close() {
    List<Child> toStop;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      toStop = List.copyOf(children);
    }
    toStop.stream()
        .map(Child::stopGroup)
        .distinct()
        .sorted((a, b) -> Integer.compare(b, a))
        .forEach(
            group -> stop(toStop.stream().filter(child -> child.stopGroup() == group).toList()));
  }

  private void stop(List<Child> group) {
    for (Child child : group) {
      child.process().destroy(); // SIGTERM: the child's shutdown hook closes it gracefully
    }
    long deadline = System.nanoTime() + grace.toNanos();
    for (Child child : group) {
      try {
        long left = Math.max(0, deadline - System.nanoTime());
        if (!child.process().waitFor(left, TimeUnit.NANOSECONDS)) {
          log.warn("{} did not stop within {}; killing it", child.name(), grace);
          child.process().destroyForcibly().waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        child.process().destroyForcibly();
      }
    }
  }

  private static String lastLines(Path logFile) {
    try {
      List<String> lines = Files.readAllLines(logFile);
      List<String> tail = lines.subList(Math.max(0, lines.size() - 5), lines.size());
      return tail.isEmpty() ? "" : ":\n  " + String.join("\n  ", tail);
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }
}
