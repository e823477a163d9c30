package dev.flightcluster.bench.sql;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.flightcluster.bench.InProcessCluster;
import dev.flightcluster.server.parquet.ParquetFiles;
import dev.flightcluster.testing.SampleTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The SQL face's latency (D83): the latency of a small query through the real Arrow Flight SQL JDBC
 * driver, on an open connection, against a real coordinator and two real data servers in this JVM.
 * A run is what a JDBC program pays per query: prepare (CreatePreparedStatement), execute
 * (GetFlightInfo, then DoGet at both data servers), read every row, close. It reports the median
 * and 90th percentile of the runs for a WHERE query of 20 rows, and for {@code SELECT COUNT(*)},
 * which the coordinator answers from its catalog. One JSON document goes to standard output (or
 * --output).
 */
@Command(
    name = "jdbc-latency-bench",
    mixinStandardHelpOptions = true,
    description = "JDBC query latency for a small result, over 2 data servers.")
public final class JdbcLatencyBench implements Callable<Integer> {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT);

  /** The small result: ids 0..9 of each of the two files. */
  static final String QUERY = "SELECT id, city FROM trips WHERE id < 10";

  static final String COUNT = "SELECT COUNT(*) FROM trips";

  @Option(names = "--runs", defaultValue = "200", description = "Measured queries of each kind.")
  int runs;

  @Option(names = "--warmup", defaultValue = "50", description = "Queries before measuring.")
  int warmup;

  @Option(names = "--output", description = "Where the JSON goes; standard output when absent.")
  Path output;

  /** The latencies of one kind of query, in milliseconds. */
  record Latency(String query, long rowsPerRun, int runs, double medianMs, double p90Ms) {}

  /** The document written. */
  record Result(String driver, int dataServers, List<Latency> queries) {}

  @Override
  public Integer call() throws Exception {
    Path root = Files.createTempDirectory("jdbc-latency-bench");
    List<Path> dirs = new ArrayList<>();
    for (int i = 1; i <= 2; i++) {
      Path trips = Files.createDirectories(root.resolve("server-" + i).resolve("trips"));
      write(trips.resolve("part-" + i + ".parquet"), new SampleTable(10_000, i));
      dirs.add(trips.getParent());
    }
    try (InProcessCluster cluster = new InProcessCluster(dirs)) {
      cluster.awaitDataset("trips", 20_000);
      try (Connection connection =
          DriverManager.getConnection(
              "jdbc:arrow-flight-sql://127.0.0.1:"
                  + cluster.coordinatorPort()
                  + "/?useEncryption=false")) {
        List<Latency> latencies =
            List.of(measure(connection, QUERY, 20), measure(connection, COUNT, 1));
        Result result =
            new Result(
                "org.apache.arrow:flight-sql-jdbc-driver:"
                    + connection.getMetaData().getDriverVersion(),
                2,
                latencies);
        if (output == null) {
          System.out.println(JSON.writeValueAsString(result));
        } else {
          JSON.writeValue(output.toFile(), result);
        }
      }
    }
    return 0;
  }

  private Latency measure(Connection connection, String sql, long expectedRows) throws Exception {
    for (int i = 0; i < warmup; i++) {
      run(connection, sql, expectedRows);
    }
    double[] millis = new double[runs];
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      run(connection, sql, expectedRows);
      millis[i] = (System.nanoTime() - start) / 1e6;
    }
    Arrays.sort(millis);
    return new Latency(
        sql, expectedRows, runs, millis[runs / 2], millis[Math.min(runs - 1, runs * 9 / 10)]);
  }

  private static void run(Connection connection, String sql, long expectedRows) throws Exception {
    long rows = 0;
    try (PreparedStatement statement = connection.prepareStatement(sql);
        ResultSet results = statement.executeQuery()) {
      while (results.next()) {
        rows++;
      }
    }
    if (rows != expectedRows) {
      throw new IllegalStateException(sql + " returned " + rows + " rows, not " + expectedRows);
    }
  }

  private static void write(Path file, SampleTable table) throws Exception {
    try (BufferAllocator allocator = new RootAllocator();
        ArrowReader reader = table.reader(allocator, 5_000)) {
      ParquetFiles.write(allocator, reader, file);
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new JdbcLatencyBench()).execute(args));
  }
}
