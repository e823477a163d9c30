package dev.flightcluster.bench.shards;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.flightcluster.bench.InProcessCluster;
import dev.flightcluster.client.BatchConsumer;
import dev.flightcluster.client.GetResult;
import dev.flightcluster.server.DataServer;
import dev.flightcluster.server.parquet.ParquetFiles;
import dev.flightcluster.testing.SampleTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * B6, a dataset across servers (decisions D58-D61): a real coordinator and two real data servers in
 * this JVM, and the client library. The same folder dataset of F files is read (1) with every file
 * on one server, which the coordinator plans as one endpoint and the client reads as one stream,
 * and (2) split over both servers, planned as two endpoints read in parallel; it reports the median
 * read times and their ratio. A third run reads the split dataset while the server of the first
 * stream is closed mid-read (its streams end UNAVAILABLE), so the read resumes at the other server
 * where the file is replicated: the time that costs is the resume's. One JSON document goes to
 * standard output (or --output).
 *
 * <p>Client and servers share this JVM and its cores, so the ratio is a lower bound of what two
 * machines give.
 */
@Command(
    name = "sharded-read-bench",
    mixinStandardHelpOptions = true,
    description =
        "B6: a dataset over 2 servers read in parallel against the same dataset on 1 server.")
public final class ShardedReadBench implements Callable<Integer> {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT);

  @Option(names = "--files", defaultValue = "8", description = "Files of the dataset (even).")
  int files;

  @Option(names = "--rows-per-file", defaultValue = "500000", description = "Rows of each file.")
  long rowsPerFile;

  @Option(names = "--runs", defaultValue = "5", description = "Measured reads per configuration.")
  int runs;

  @Option(names = "--output", description = "Where the JSON goes; standard output when absent.")
  Path output;

  @Option(
      names = "--work-dir",
      description = "Where the data dirs are made; a temp dir when absent.")
  Path workDir;

  /** What one configuration measured. */
  record Config(
      String name,
      int endpoints,
      long rows,
      List<Double> seconds,
      double medianSeconds,
      double mbPerSecond) {}

  @Override
  public Integer call() throws Exception {
    Path work =
        workDir != null
            ? Files.createDirectories(workDir)
            : Files.createTempDirectory("sharded-read-bench");
    try {
      Path source = Files.createDirectories(work.resolve("source"));
      for (int i = 0; i < files; i++) {
        write(source.resolve(String.format("f%02d.parquet", i)), new SampleTable(rowsPerFile, i));
      }
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("files", files);
      report.put("rows", files * rowsPerFile);
      Config one = measure(work.resolve("one"), source, false, false);
      Config two = measure(work.resolve("two"), source, true, false);
      report.put("parallel_over_single_ratio", one.medianSeconds() / two.medianSeconds());
      List<Object> configs = new ArrayList<>(List.of(one, two));
      try {
        Config resumed = measure(work.resolve("resume"), source, true, true);
        configs.add(resumed);
        report.put("resume_cost_seconds", resumed.medianSeconds() - two.medianSeconds());
      } catch (RuntimeException e) {
        // A server without resume tokens fails the read: report it rather than lose the rest.
        report.put("resume_cost_seconds", "not measured: " + e.getMessage());
      }
      report.put("configs", configs);
      report.put("cores", Runtime.getRuntime().availableProcessors());
      byte[] json = JSON.writeValueAsBytes(report);
      if (output != null) {
        Files.write(output, json);
      } else {
        System.out.write(json);
        System.out.println();
      }
      return 0;
    } finally {
      ParquetFiles.deleteRecursively(work);
    }
  }

  /**
   * @param split half the files on each server (else all on the first)
   * @param closeMidRead close the first endpoint's server after a third of the rows; every file is
   *     then on both servers, so the read can resume
   */
  private Config measure(Path dir, Path source, boolean split, boolean closeMidRead)
      throws Exception {
    List<Double> seconds = new ArrayList<>();
    long rows = 0;
    int endpoints = 0;
    for (int run = 0; run < runs + 1; run++) { // the first run warms up
      Path one =
          Files.createDirectories(dir.resolve("run" + run).resolve("server-1").resolve("trips"));
      Path two =
          Files.createDirectories(dir.resolve("run" + run).resolve("server-2").resolve("trips"));
      for (int i = 0; i < files; i++) {
        Path file = source.resolve(String.format("f%02d.parquet", i));
        boolean onTwo = split && i >= files / 2;
        Files.createLink((onTwo ? two : one).resolve(file.getFileName()), file);
        if (closeMidRead && !onTwo) {
          Files.createLink(two.resolve(file.getFileName()), file);
        }
      }
      try (InProcessCluster cluster =
          new InProcessCluster(List.of(one.getParent(), two.getParent()))) {
        FlightInfo info = cluster.awaitDataset("trips", files * rowsPerFile);
        endpoints = info.getEndpoints().size();
        DataServer first = cluster.serverAt(info.getEndpoints().get(0).getLocations().get(0));
        long third = files * rowsPerFile / 3;
        long[] seen = {0};
        Thread[] closer = {null};
        long start = System.nanoTime();
        GetResult result =
            cluster
                .client()
                .get(
                    info,
                    BatchConsumer.of(
                        batch -> {
                          seen[0] += batch.getRowCount();
                          if (closeMidRead && closer[0] == null && seen[0] >= third) {
                            closer[0] = Thread.ofPlatform().start(first::close);
                          }
                        }));
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (closer[0] != null) {
          closer[0].join();
        }
        if (result.rows() != files * rowsPerFile) {
          throw new IllegalStateException(
              "read " + result.rows() + " rows, expected " + files * rowsPerFile);
        }
        rows = result.rows();
        if (run > 0) {
          seconds.add(elapsed);
        }
        System.err.printf(
            "%s run %d: %.3f s, %d endpoints%n",
            name(split, closeMidRead), run, elapsed, endpoints);
      }
    }
    double[] sorted = seconds.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double median = sorted[sorted.length / 2];
    double mb = files * Files.size(source.resolve("f00.parquet")) / 1e6;
    return new Config(name(split, closeMidRead), endpoints, rows, seconds, median, mb / median);
  }

  private static String name(boolean split, boolean closeMidRead) {
    return closeMidRead
        ? "2 servers, first closed mid-read"
        : split ? "2 servers, parallel" : "1 server";
  }

  private static void write(Path file, SampleTable table) throws Exception {
    try (BufferAllocator allocator = new RootAllocator();
        ArrowReader reader = table.reader(allocator, 64_000)) {
      ParquetFiles.write(allocator, reader, file);
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new ShardedReadBench()).execute(args));
  }
}
