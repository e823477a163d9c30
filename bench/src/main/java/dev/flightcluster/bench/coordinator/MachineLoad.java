package dev.flightcluster.bench.coordinator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU the rest of the machine used while a configuration ran. The bench shares its cores with
 * other builds, so every result carries how much of the machine was someone else's: the busy time
 * of all CPUs ({@code /proc/stat}) minus this process's ({@code /proc/self/stat}), in cores. On a
 * system without {@code /proc} the figures are -1.
 */
final class MachineLoad {
  private final long startAllBusy;
  private final long startAllTotal;
  private final long startOwn;
  private final double startLoadAverage;

  private MachineLoad() {
    long[] all = allCpu();
    this.startAllBusy = all[0];
    this.startAllTotal = all[1];
    this.startOwn = ownCpu();
    this.startLoadAverage = loadAverage();
  }

  static MachineLoad start() {
    return new MachineLoad();
  }

  /** The load since {@link #start}. */
  Sample stop() {
    long[] all = allCpu();
    long own = ownCpu();
    long total = all[1] - startAllTotal;
    if (startAllTotal < 0 || all[1] < 0 || own < 0 || total <= 0) {
      return new Sample(-1, -1, startLoadAverage, loadAverage());
    }
    int cores = Runtime.getRuntime().availableProcessors();
    // Jiffies of all CPUs together; total / cores is the elapsed time in jiffies.
    double elapsed = (double) total / cores;
    double busyCores = (all[0] - startAllBusy) / elapsed;
    double ownCores = (own - startOwn) / elapsed;
    return new Sample(
        LoadGenerator.round(Math.max(0, busyCores - ownCores), 2),
        LoadGenerator.round(ownCores, 2),
        startLoadAverage,
        loadAverage());
  }

  /**
   * Waits, at most {@code maxWait}, for a second in which other processes used less than {@code
   * cores} cores.
   *
   * @return whether such a second came
   */
  static boolean awaitQuiet(double cores, java.time.Duration maxWait) throws InterruptedException {
    long deadline = System.nanoTime() + maxWait.toNanos();
    do {
      MachineLoad load = start();
      Thread.sleep(1_000);
      double other = load.stop().otherCores();
      if (other >= 0 && other < cores) {
        return true;
      }
    } while (System.nanoTime() < deadline);
    return false;
  }

  /** {busy, total} jiffies over all CPUs, or {-1, -1}. */
  private static long[] allCpu() {
    try {
      String line = Files.readAllLines(Path.of("/proc/stat")).get(0);
      String[] fields = line.trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < fields.length; i++) {
        total += Long.parseLong(fields[i]);
      }
      long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]); // idle + iowait
      return new long[] {total - idle, total};
    } catch (IOException | RuntimeException e) {
      return new long[] {-1, -1};
    }
  }

  /** This process's user + system jiffies, or -1. */
  private static long ownCpu() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      // The command name may hold spaces; the fields after it are fixed.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * @param otherCores CPU cores busy with other processes, on average
   * @param ownCores CPU cores this bench (coordinator, servers and client together) used
   * @param loadAverageBefore the 1-minute load average when the configuration started
   * @param loadAverageAfter and when it ended
   */
  record Sample(
      double otherCores, double ownCores, double loadAverageBefore, double loadAverageAfter) {}
}
