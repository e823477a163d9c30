package dev.flightcluster.cli.client;

import dev.flightcluster.cli.io.BatchSink;
import dev.flightcluster.cli.io.DecodedBatch;
import dev.flightcluster.cli.io.OutputFormat;
import dev.flightcluster.client.BatchConsumer;
import dev.flightcluster.protocol.Pushdown;
import dev.flightcluster.server.parquet.ParquetFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code client get NAME [--columns a,b] [--where FILTER] [--limit N] [--output FILE]}. */
@Command(
    name = "get",
    description = {
      "Streams a dataset from the servers that hold it, failing over between replicas.",
      "Without --output the data is read and counted only.",
      "--columns, --where and --limit are applied by the data servers, which send only the"
          + " columns and rows asked for."
    },
    mixinStandardHelpOptions = true,
    showDefaultValues = true)
public final class GetCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand ClientCommand parent;

  @Parameters(index = "0", paramLabel = "NAME", description = "The dataset, e.g. orders.parquet.")
  String name;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description =
          "Write the data to FILE; the extension picks the format: .parquet, .arrow or .csv (RFC 4180:"
              + " strings quoted, an unquoted empty field is null, ISO dates).")
  Path output;

  @Option(
      names = "--columns",
      split = ",",
      paramLabel = "COLUMN",
      description = "Read only these columns, in this order, e.g. --columns city,fare.")
  List<String> columns;

  @Option(
      names = "--where",
      paramLabel = "FILTER",
      description =
          "Read only the rows for which this SQL boolean expression over the dataset's columns is"
              + " true, e.g. --where \"year = 2024 AND fare > 10.5\". Shards whose hive partition"
              + " values cannot match are not read at all.")
  String where;

  @Option(names = "--limit", paramLabel = "N", description = "Read at most N rows.")
  Long limit;

  @Override
  public Integer call() throws Exception {
    DatasetNames.check(spec, name);
    Pushdown pushdown = pushdown();
    OutputFormat format = null;
    if (output != null) {
      try {
        format = OutputFormat.forPath(output);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    try (ClientSession session = parent.openSession()) {
      FlightInfo info = session.client().info(name, pushdown);
      boolean terminal = ProgressBar.stdoutIsTerminal();
      try (ProgressBar bar =
              new ProgressBar(System.out, "get " + name, info.getRecords(), terminal);
          BatchSink sink =
              format == null
                  ? null
                  : format.open(session.allocator(), output, ParquetFiles::write)) {
        long[] rows = {0};
        var result =
            session
                .client()
                .get(
                    info,
                    new BatchConsumer() {
                      @Override
                      public boolean accept(VectorSchemaRoot batch) {
                        return accept(batch, null);
                      }

                      @Override
                      public boolean accept(
                          VectorSchemaRoot batch, DictionaryProvider dictionaries) {
                        if (sink != null) {
                          try {
                            sink.write(batch, dictionaries);
                          } catch (IOException e) {
                            throw new UncheckedIOException(e);
                          }
                        }
                        rows[0] += batch.getRowCount();
                        bar.update(rows[0]);
                        return true;
                      }
                    });
        if (sink != null) {
          sink.finish(DecodedBatch.withoutDictionaries(info.getSchema()));
        }
        bar.close();
        out.printf(
            Locale.ROOT,
            "got %s: %,d rows, %,d batches, %,d bytes in %.3f s (%.1f MB/s)%s%n",
            name,
            result.rows(),
            result.batches(),
            result.bytes(),
            result.seconds(),
            result.seconds() > 0 ? result.bytes() / 1e6 / result.seconds() : 0.0,
            output == null ? "" : ", written to " + output);
        out.flush();
      }
    }
    return 0;
  }

  /**
   * The flags as a pushdown; a malformed one (a negative limit, a column named twice) is a usage
   * error.
   */
  private Pushdown pushdown() {
    try {
      return new Pushdown(columns, where, limit);
    } catch (FlightRuntimeException e) {
      throw new ParameterException(spec.commandLine(), e.status().description());
    }
  }
}
