package dev.flightcluster.cli.demo;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.cli.otlp.ReceivedSpan;
import java.io.Console;
import java.lang.reflect.Method;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A trace as a waterfall in the terminal: one line per span with its service, its name indented by
 * depth, its duration, and a bar placed by its start and sized by its duration on the trace's time
 * line (the root's, when the root encloses every span, as it does for a client request). Children
 * follow their parent sorted by start time. A span whose parent is missing is shown at the top
 * level, so nothing received is hidden.
 *
 * <pre>
 * client       list_and_get_all_flights   4.00 s  |████████████████████|
 * client         ListFlights              100 ms  |█                   |
 * coordinator      ListFlights           80.0 ms  |█                   |
 * client         get_single_flight        2.00 s  |███████████         |  orders.parquet
 * server           DoGet                  1.90 s  |██████████          |  orders.parquet @ server-2
 * client         get_single_flight        1.90 s  |          ██████████|  ERROR
 * </pre>
 *
 * <p>The output depends only on the spans and the {@link Style}: columns are as wide as their
 * widest cell, and colors are used only when the style says so.
 */
public final class TraceWaterfall {
  private static final int INDENT = 2;
  private static final int MAX_NAME = 64;
  private static final String RESET = "\u001b[0m";
  private static final String ERROR_COLOR = "\u001b[31m";
  private static final String[] SERVICE_COLORS = {
    "\u001b[36m", "\u001b[33m", "\u001b[32m", "\u001b[35m", "\u001b[34m"
  };
  private static final Comparator<ReceivedSpan> BY_START =
      Comparator.comparingLong(ReceivedSpan::startEpochNanos)
          .thenComparing(ReceivedSpan::name)
          .thenComparing(ReceivedSpan::spanId);

  /**
   * How to draw.
   *
   * @param barWidth characters between the bar's two {@code |}
   * @param color ANSI colors: the bar and service by service, failed spans red
   * @param unicode block characters for bars; {@code #} otherwise
   */
  public record Style(int barWidth, boolean color, boolean unicode) {
    public Style {
      if (barWidth < 1) {
        throw new IllegalArgumentException("barWidth must be positive, not " + barWidth);
      }
    }

    /**
     * For this process's stdout: colors only on a terminal (and not with {@code NO_COLOR} or {@code
     * TERM=dumb}), block characters only when stdout is UTF-8.
     */
    public static Style forStdout(int barWidth) {
      String term = System.getenv("TERM");
      boolean color =
          stdoutIsTerminal()
              && System.getenv("NO_COLOR") == null
              && !(term == null || term.equals("dumb"));
      return new Style(barWidth, color, stdoutIsUtf8());
    }

    private static boolean stdoutIsTerminal() {
      Console console = System.console();
      if (console == null) {
        return false;
      }
      try {
        // Java 22+: console() exists even when redirected; isTerminal() tells.
        Method isTerminal = Console.class.getMethod("isTerminal");
        return (Boolean) isTerminal.invoke(console);
      } catch (NoSuchMethodException before22) {
        return true;
      } catch (ReflectiveOperationException | RuntimeException e) {
        return false;
      }
    }

    private static boolean stdoutIsUtf8() {
      String encoding = System.getProperty("stdout.encoding", Charset.defaultCharset().name());
      return encoding.toUpperCase(Locale.ROOT).replace("-", "").equals("UTF8");
    }
  }

  private record Line(ReceivedSpan span, int depth) {}

  private TraceWaterfall() {}

  /**
   * Renders the spans of one trace, one line each, every line ending with a newline; an empty list
   * renders as an empty string.
   */
  public static String render(List<ReceivedSpan> spans, Style style) {
    requireNonNull(spans, "spans is null");
    requireNonNull(style, "style is null");
    Map<String, ReceivedSpan> byId = new LinkedHashMap<>();
    for (ReceivedSpan span : spans) {
      byId.putIfAbsent(span.spanId(), span); // an exporter retry may deliver a span twice
    }
    if (byId.isEmpty()) {
      return "";
    }
    List<Line> lines = lines(byId);
    long start =
        byId.values().stream().mapToLong(ReceivedSpan::startEpochNanos).min().orElseThrow();
    long end =
        byId.values().stream()
            .mapToLong(span -> Math.max(span.startEpochNanos(), span.endEpochNanos()))
            .max()
            .orElseThrow();
    long total = Math.max(1, end - start);

    Map<String, String> serviceColors = new HashMap<>();
    int serviceWidth = 0;
    int nameWidth = 0;
    int durationWidth = 0;
    for (Line line : lines) {
      serviceWidth = Math.max(serviceWidth, line.span().serviceName().length());
      nameWidth = Math.max(nameWidth, name(line, style).length());
      durationWidth = Math.max(durationWidth, duration(line.span()).length());
      serviceColors.putIfAbsent(
          line.span().serviceName(), SERVICE_COLORS[serviceColors.size() % SERVICE_COLORS.length]);
    }

    StringBuilder out = new StringBuilder();
    for (Line line : lines) {
      ReceivedSpan span = line.span();
      String color = failed(span) ? ERROR_COLOR : serviceColors.get(span.serviceName());
      out.append(paint(pad(span.serviceName(), serviceWidth, false), color, style))
          .append("  ")
          .append(pad(name(line, style), nameWidth, false))
          .append("  ")
          .append(pad(duration(span), durationWidth, true))
          .append("  |")
          .append(bar(span, start, total, color, style))
          .append('|');
      String detail = detail(span);
      if (!detail.isEmpty()) {
        out.append("  ").append(detail);
      }
      out.append('\n');
    }
    return out.toString();
  }

  /** Depth-first from the top-level spans, children by start time. */
  private static List<Line> lines(Map<String, ReceivedSpan> byId) {
    Map<String, List<ReceivedSpan>> children = new HashMap<>();
    List<ReceivedSpan> top = new ArrayList<>();
    for (ReceivedSpan span : byId.values()) {
      if (!span.isRoot() && byId.containsKey(span.parentSpanId())) {
        children.computeIfAbsent(span.parentSpanId(), id -> new ArrayList<>()).add(span);
      } else {
        top.add(span);
      }
    }
    top.sort(BY_START);
    children.values().forEach(list -> list.sort(BY_START));
    List<Line> lines = new ArrayList<>();
    Set<String> visited = new LinkedHashSet<>();
    for (ReceivedSpan span : top) {
      visit(span, 0, children, visited, lines);
    }
    return lines;
  }

  private static void visit(
      ReceivedSpan span,
      int depth,
      Map<String, List<ReceivedSpan>> children,
      Set<String> visited,
      List<Line> lines) {
    if (!visited.add(span.spanId())) {
      return; // a malformed trace with a parent cycle must not loop
    }
    lines.add(new Line(span, depth));
    for (ReceivedSpan child : children.getOrDefault(span.spanId(), List.of())) {
      visit(child, depth + 1, children, visited, lines);
    }
  }

  private static String name(Line line, Style style) {
    String name = " ".repeat(INDENT * line.depth()) + line.span().name();
    if (name.length() <= MAX_NAME) {
      return name;
    }
    String ellipsis = style.unicode() ? "\u2026" : "...";
    return name.substring(0, MAX_NAME - ellipsis.length()) + ellipsis;
  }

  /**
   * Two or three significant digits: {@code 3.95 s}, {@code 812 ms}, {@code 12.4 ms}, {@code 0.35
   * ms}.
   */
  static String duration(ReceivedSpan span) {
    double millis = Math.max(0, span.endEpochNanos() - span.startEpochNanos()) / 1e6;
    if (millis >= 1000) {
      return String.format(Locale.ROOT, "%.2f s", millis / 1000);
    }
    if (millis >= 100) {
      return String.format(Locale.ROOT, "%.0f ms", millis);
    }
    if (millis >= 10) {
      return String.format(Locale.ROOT, "%.1f ms", millis);
    }
    return String.format(Locale.ROOT, "%.2f ms", millis);
  }

  /**
   * The span's cells of the time line: from the cell its start falls in to the cell boundary
   * nearest its end, at least one cell, so even a very short span shows where it happened.
   */
  private static String bar(ReceivedSpan span, long start, long total, String color, Style style) {
    int width = style.barWidth();
    double from = (double) (span.startEpochNanos() - start) / total;
    double to = (double) (Math.max(span.startEpochNanos(), span.endEpochNanos()) - start) / total;
    int first = Math.min(width - 1, Math.max(0, (int) Math.floor(from * width)));
    int last = Math.min(width, Math.max(first + 1, (int) Math.round(to * width)));
    String fill = (style.unicode() ? "\u2588" : "#").repeat(last - first);
    return " ".repeat(first) + paint(fill, color, style) + " ".repeat(width - last);
  }

  /** What tells otherwise identical lines apart: the dataset, the server, a failure. */
  private static String detail(ReceivedSpan span) {
    List<String> parts = new ArrayList<>();
    Object dataset = span.attribute("flight.dataset");
    if (dataset != null) {
      parts.add(dataset.toString());
    }
    Object serverId = span.attribute("server.id");
    if (serverId != null) {
      parts.add("@ " + serverId);
    }
    if (failed(span)) {
      parts.add("ERROR");
    }
    return String.join(" ", parts);
  }

  private static boolean failed(ReceivedSpan span) {
    return span.statusCode().equals("ERROR");
  }

  private static String paint(String text, String color, Style style) {
    return style.color() && !text.isBlank() ? color + text + RESET : text;
  }

  private static String pad(String text, int width, boolean right) {
    String padding = " ".repeat(Math.max(0, width - text.length()));
    return right ? padding + text : text + padding;
  }
}
