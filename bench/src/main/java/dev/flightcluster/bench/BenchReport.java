package dev.flightcluster.bench;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a bench client reports: one JSON document a process, the same shape as the Python clients'
 * (bench/py/flightbench.py), so the harness reads both alike.
 *
 * @param tool which client produced it, e.g. {@code java-doget}
 * @param operation {@code doget} or {@code doput}
 * @param location the Flight location measured
 * @param target the ticket (DoGet) or the name prefix (DoPut)
 * @param streams concurrent streams in each run
 * @param warmup runs made before the measured ones and left out of {@code runs} (as many as
 *     --warmup and --warmup-seconds asked for)
 * @param runs the measured runs, in order
 */
public record BenchReport(
    String tool,
    String operation,
    String location,
    String target,
    int streams,
    int warmup,
    List<Run> runs) {

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT);

  public BenchReport {
    requireNonNull(tool, "tool is null");
    requireNonNull(operation, "operation is null");
    requireNonNull(location, "location is null");
    requireNonNull(target, "target is null");
    runs = List.copyOf(requireNonNull(runs, "runs is null"));
  }

  /**
   * One run: every stream started together, timed from the start to the end of the last stream.
   *
   * @param seconds wall-clock time of the run
   * @param rows rows moved by all streams together
   * @param arrowBytes Arrow bytes ({@link ArrowBytes}) moved by all streams together
   * @param batches record batches moved by all streams together
   */
  public record Run(double seconds, long rows, long arrowBytes, long batches) {}

  /** Writes the report to {@code output}, or to standard output when it is null. */
  public void write(Path output) throws IOException {
    if (output == null) {
      PrintStream out = System.out;
      JSON.writeValue(nonClosing(out), this);
      out.println();
      out.flush();
    } else {
      JSON.writeValue(Files.newOutputStream(output), this);
    }
  }

  private static OutputStream nonClosing(PrintStream out) {
    // Jackson closes the stream it writes to; standard output must stay open.
    return new OutputStream() {
      @Override
      public void write(int b) {
        out.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        out.write(b, off, len);
      }

      @Override
      public void flush() {
        out.flush();
      }
    };
  }
}
