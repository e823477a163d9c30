package dev.flightcluster.cli.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The table {@code list-and-get-all} prints: one line per flight with rows, bytes, seconds and
 * throughput, then the totals. MB/s counts 10^6 bytes of Arrow buffers per second of wall time.
 */
public final class TransferTable {
  private record Line(String flight, long rows, long bytes, double seconds, String error) {}

  private final List<Line> lines = new ArrayList<>();

  /** A flight that was read. */
  public void add(String flight, long rows, long bytes, double seconds) {
    lines.add(new Line(flight, rows, bytes, seconds, null));
  }

  /** A flight that failed, with the one-line reason. */
  public void addFailure(String flight, String error) {
    lines.add(new Line(flight, 0, 0, 0, error));
  }

  public int failures() {
    return (int) lines.stream().filter(line -> line.error() != null).count();
  }

  public long totalRows() {
    return lines.stream().mapToLong(Line::rows).sum();
  }

  public long totalBytes() {
    return lines.stream().mapToLong(Line::bytes).sum();
  }

  /**
   * Renders the table.
   *
   * @param totalSeconds wall time of the whole run, for the total throughput
   */
  public String render(double totalSeconds) {
    List<String[]> cells = new ArrayList<>();
    cells.add(new String[] {"flight", "rows", "bytes", "seconds", "MB/s"});
    for (Line line : lines) {
      if (line.error() != null) {
        cells.add(new String[] {line.flight(), "-", "-", "-", "-", "FAILED: " + line.error()});
      } else {
        cells.add(row(line.flight(), line.rows(), line.bytes(), line.seconds()));
      }
    }
    cells.add(row("total", totalRows(), totalBytes(), totalSeconds));
    int[] widths = new int[5];
    for (String[] row : cells) {
      for (int i = 0; i < 5; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (int r = 0; r < cells.size(); r++) {
      String[] row = cells.get(r);
      if (r == cells.size() - 1) {
        out.append("-".repeat(widths[0] + widths[1] + widths[2] + widths[3] + widths[4] + 8))
            .append('\n');
      }
      out.append(pad(row[0], widths[0], false));
      for (int i = 1; i < 5; i++) {
        out.append("  ").append(pad(row[i], widths[i], true));
      }
      if (row.length > 5) {
        out.append("  ").append(row[5]);
      }
      out.append('\n');
    }
    return out.toString();
  }

  private static String[] row(String flight, long rows, long bytes, double seconds) {
    return new String[] {
      flight,
      String.format(Locale.ROOT, "%,d", rows),
      String.format(Locale.ROOT, "%,d", bytes),
      String.format(Locale.ROOT, "%.3f", seconds),
      seconds > 0 ? String.format(Locale.ROOT, "%.1f", bytes / 1e6 / seconds) : "-"
    };
  }

  private static String pad(String text, int width, boolean right) {
    String padding = " ".repeat(Math.max(0, width - text.length()));
    return right ? padding + text : text + padding;
  }
}
