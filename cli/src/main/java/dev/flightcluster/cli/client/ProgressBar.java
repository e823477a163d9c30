package dev.flightcluster.cli.client;

import static java.util.Objects.requireNonNull;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar redrawn in place with {@code \r}, for {@code get} and {@code put} on a
 * terminal. When stdout is not a terminal (a pipe, a file, CI) it draws nothing, so scripts see
 * only the final summary. Hand-written: a dependency for one line of output is not worth it.
 */
public final class ProgressBar implements AutoCloseable {
  private static final int BAR_WIDTH = 30;
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintStream out;
  private final String label;
  private final long total;
  private final boolean enabled;
  private long lastDrawNanos;
  private int lastPercent = -1;
  private int lastLength;

  /**
   * @param total the expected count, or a value below 1 when unknown (then only the count shows)
   * @param enabled whether to draw at all; see {@link #stdoutIsTerminal()}
   */
  public ProgressBar(PrintStream out, String label, long total, boolean enabled) {
    this.out = requireNonNull(out, "out is null");
    this.label = requireNonNull(label, "label is null");
    this.total = total;
    this.enabled = enabled;
  }

  /** Redraws the bar for {@code done} rows, at most ten times a second or per percent. */
  public void update(long done) {
    if (!enabled) {
      return;
    }
    long now = System.nanoTime();
    int percent = total > 0 ? (int) Math.min(100, done * 100 / total) : -1;
    if (percent == lastPercent && now - lastDrawNanos < REDRAW_NANOS) {
      return;
    }
    lastDrawNanos = now;
    lastPercent = percent;
    String line = render(label, done, total);
    out.print('\r' + line + " ".repeat(Math.max(0, lastLength - line.length())));
    out.flush();
    lastLength = line.length();
  }

  /** Clears the bar, leaving the line free for the summary. */
  @Override
  public void close() {
    if (enabled && lastLength > 0) {
      out.print('\r' + " ".repeat(lastLength) + '\r');
      out.flush();
      lastLength = 0;
    }
  }

  /** The text of the bar. */
  static String render(String label, long done, long total) {
    if (total <= 0) {
      return String.format(Locale.ROOT, "%s %,d rows", label, done);
    }
    long clamped = Math.min(done, total);
    int filled = (int) (clamped * BAR_WIDTH / total);
    String bar =
        "=".repeat(filled) + (filled < BAR_WIDTH ? ">" + " ".repeat(BAR_WIDTH - filled - 1) : "");
    return String.format(
        Locale.ROOT, "%s [%s] %3d%% %,d/%,d rows", label, bar, clamped * 100 / total, done, total);
  }

  /**
   * Whether stdout is an interactive terminal. {@code System.console()} is null when it is not;
   * from Java 22 on it may be a non-null console that says so through {@code isTerminal()}.
   */
  public static boolean stdoutIsTerminal() {
    java.io.Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) console.getClass().getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return true; // Java 21: a console exists only for a terminal
    }
  }
}
