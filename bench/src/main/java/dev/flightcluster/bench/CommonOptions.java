package dev.flightcluster.bench;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every bench client shares, so the Java and Python clients take the same flags. */
final class CommonOptions {
  @Option(
      names = "--location",
      required = true,
      description = "Flight location to measure, e.g. grpc://127.0.0.1:8889.")
  String location;

  @Option(names = "--streams", defaultValue = "1", description = "Concurrent streams a run.")
  int streams;

  @Option(names = "--runs", defaultValue = "5", description = "Measured runs.")
  int runs;

  @Option(
      names = "--warmup",
      defaultValue = "1",
      description = "Runs before the measured ones (JIT, connections, page cache), not reported.")
  int warmup;

  @Option(
      names = "--warmup-seconds",
      defaultValue = "0",
      description =
          "Keep warming up, past --warmup runs, until this long has been spent warming up: the"
              + " JIT needs several seconds of a workload, whatever the size of one run.")
  double warmupSeconds;

  @Option(
      names = "--timeout-seconds",
      defaultValue = "600",
      description = "Upper bound on one run; past it the run fails.")
  long timeoutSeconds;

  @Option(names = "--output", description = "Write the JSON report here (default: stdout).")
  Path output;

  void validate() {
    if (streams < 1 || runs < 1 || warmup < 0 || warmupSeconds < 0 || timeoutSeconds < 1) {
      throw new IllegalArgumentException(
          "--streams and --runs must be >= 1, --warmup and --warmup-seconds >= 0,"
              + " --timeout-seconds >= 1");
    }
  }

  /** Whether another warm-up run is due after {@code done} runs begun {@code startNanos}. */
  boolean warmingUp(int done, long startNanos) {
    return done < warmup
        || (done < MAX_WARMUP_RUNS && System.nanoTime() - startNanos < warmupSeconds * 1e9);
  }

  /** Bounds warm-up by count too, whatever --warmup-seconds says. */
  static final int MAX_WARMUP_RUNS = 50;
}
