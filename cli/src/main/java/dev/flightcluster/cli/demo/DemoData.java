package dev.flightcluster.cli.demo;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.cli.io.ParquetWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The demo's data layout under the data dir ({@code ./flight_datasets} by default):
 *
 * <pre>
 * flight_datasets/
 *   server-1/  taxi_trips.parquet, sensor_readings.parquet   (data dir of the first server)
 *   server-2/  orders.parquet, sensor_readings.parquet       (data dir of the second server)
 *   logs/      coordinator.log, server-1.log, server-2.log   (child process output)
 * </pre>
 *
 * {@code sensor_readings.parquet} is on both servers with identical bytes, hence the same
 * fingerprint: the coordinator lists it once, with both servers as locations (replicas). A server
 * dir that already holds any Parquet file is left as it is, so users can drop their own data in.
 */
public final class DemoData {
  /** The data dir of each demo server, by server id. */
  public static final List<String> SERVERS = List.of("server-1", "server-2");

  /** Where the demo's child processes write their output. */
  public static final String LOGS = "logs";

  private static final List<List<SampleTable>> PLACEMENT =
      List.of(
          List.of(SampleTable.TAXI_TRIPS, SampleTable.SENSOR_READINGS),
          List.of(SampleTable.ORDERS, SampleTable.SENSOR_READINGS));

  private final Path dataDir;

  public DemoData(Path dataDir) {
    this.dataDir = requireNonNull(dataDir, "dataDir is null");
  }

  /** The data dir of a demo server. */
  public Path serverDir(String serverId) {
    return dataDir.resolve(serverId);
  }

  public Path logsDir() {
    return dataDir.resolve(LOGS);
  }

  /**
   * Writes the sample datasets into every server dir that holds no Parquet data yet. A dataset
   * placed on both servers is generated once and copied, so the replicas are byte-identical.
   *
   * @param rows rows per dataset
   * @param progress where to say what is being written
   */
  public void ensure(
      BufferAllocator allocator,
      ParquetWriter writer,
      long rows,
      int batchRows,
      PrintWriter progress)
      throws Exception {
    for (int i = 0; i < SERVERS.size(); i++) {
      Path dir = serverDir(SERVERS.get(i));
      Files.createDirectories(dir);
      if (holdsParquet(dir)) {
        continue;
      }
      for (SampleTable table : PLACEMENT.get(i)) {
        Path target = dir.resolve(table.fileName());
        Path twin = replicaSource(table, i);
        if (twin != null) {
          progress.printf("copying %s to %s (a byte-identical replica)%n", twin, target);
          progress.flush();
          Path temp = Files.createTempFile(dir, "." + table.fileName() + ".", ".tmp");
          Files.copy(twin, temp, StandardCopyOption.REPLACE_EXISTING);
          Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
          continue;
        }
        progress.printf(Locale.ROOT, "writing %s (%,d rows)%n", target, rows);
        progress.flush();
        try (SampleData data = SampleData.reader(allocator, table, rows, batchRows)) {
          writer.write(allocator, data, target);
        }
      }
    }
  }

  /** A copy of {@code table} written earlier for another server, if any. */
  private Path replicaSource(SampleTable table, int serverIndex) {
    for (int j = 0; j < serverIndex; j++) {
      Path candidate = serverDir(SERVERS.get(j)).resolve(table.fileName());
      if (PLACEMENT.get(j).contains(table) && Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  /**
   * The dataset names the servers should list: the top-level Parquet files and the top-level
   * folders holding Parquet files of every server dir, hidden ones excepted.
   */
  public List<String> expectedDatasets() throws IOException {
    TreeSet<String> names = new TreeSet<>();
    for (String server : SERVERS) {
      Path dir = serverDir(server);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> entries = Files.list(dir)) {
        for (Path entry : entries.toList()) {
          String name = entry.getFileName().toString();
          if (name.startsWith(".")) {
            continue;
          }
          if ((Files.isRegularFile(entry) && name.endsWith(".parquet"))
              || (Files.isDirectory(entry) && holdsParquet(entry))) {
            names.add(name);
          }
        }
      }
    }
    return new ArrayList<>(names);
  }

  static boolean holdsParquet(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.anyMatch(
          file ->
              Files.isRegularFile(file)
                  && file.getFileName().toString().endsWith(".parquet")
                  && !file.getFileName().toString().startsWith("."));
    }
  }
}
