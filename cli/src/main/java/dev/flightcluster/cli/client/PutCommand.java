package dev.flightcluster.cli.client;

import dev.flightcluster.cli.DataSizeConverter;
import dev.flightcluster.cli.io.CountingReader;
import dev.flightcluster.cli.io.InputFile;
import dev.flightcluster.client.ParallelPutOptions;
import dev.flightcluster.client.ParallelPutResult;
import dev.flightcluster.client.ProgressListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code client put FILE|FOLDER --name NAME [--replicas R] [--shard-size SIZE] [--append]}. */
@Command(
    name = "put",
    description = {
      "Uploads a local file or folder as a dataset.",
      "A NAME ending in .parquet is one file on the least loaded data server. Any other NAME is a",
      "folder dataset written in parallel: the input is cut into shards of about --shard-size,",
      "each stored on --replicas servers, and the dataset appears only once every copy is stored.",
      "Reads .parquet (or a folder of them), .arrow/.feather and .arrows files."
    },
    mixinStandardHelpOptions = true,
    showDefaultValues = true)
public final class PutCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand ClientCommand parent;

  @Parameters(
      index = "0",
      paramLabel = "FILE|FOLDER",
      description = "The file or folder to upload.")
  Path file;

  @Option(
      names = "--name",
      required = true,
      paramLabel = "NAME",
      description = {
        "The dataset name, one path segment: 'x.parquet' is stored as one file,",
        "any other name as a folder dataset written in parallel."
      })
  String name;

  @Option(
      names = "--replicas",
      paramLabel = "R",
      defaultValue = "" + ParallelPutOptions.DEFAULT_REPLICAS,
      description = "On how many distinct data servers each shard is stored (folder datasets).")
  int replicas;

  @Option(
      names = "--shard-size",
      paramLabel = "SIZE",
      converter = DataSizeConverter.class,
      defaultValue = "128MiB",
      description = "Arrow data per shard, e.g. 64MiB or 1GiB (folder datasets).")
  long shardSize;

  @Option(
      names = "--append",
      description = "Add shards to an existing folder dataset of the same schema.")
  boolean append;

  @Override
  public Integer call() throws Exception {
    DatasetNames.checkUpload(spec, name);
    if (!Files.exists(file)) {
      throw new ParameterException(spec.commandLine(), "no such file: " + file);
    }
    boolean singleFile = name.toLowerCase(Locale.ROOT).endsWith(".parquet");
    ParallelPutOptions options = null;
    if (singleFile) {
      if (replicas != ParallelPutOptions.DEFAULT_REPLICAS || append) {
        throw new ParameterException(
            spec.commandLine(),
            "--replicas and --append write folder datasets; '"
                + name
                + "' names a single file,"
                + " so name the dataset without .parquet");
      }
    } else {
      try {
        options =
            ParallelPutOptions.defaults()
                .withReplicas(replicas)
                .withShardBytes(shardSize)
                .withAppend(append)
                .withExpectedBytes(sizeOnDisk(file));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    try (ClientSession session = parent.openSession();
        InputFile input = open(session)) {
      boolean terminal = ProgressBar.stdoutIsTerminal();
      try (ProgressBar bar = new ProgressBar(System.out, "put " + name, -1, terminal)) {
        // The InputFile owns the reader; the counting wrapper only observes it.
        CountingReader counting =
            new CountingReader(session.allocator(), input.reader(), bar::update);
        if (singleFile) {
          var result = session.client().put(name, counting);
          bar.close();
          out.printf("put %s from %s: %,d rows; %s%n", name, file, counting.rows(), result);
        } else {
          ParallelPutResult result =
              session.client().putDataset(name, counting, options, ProgressListener.none());
          bar.close();
          out.printf(
              "put %s from %s: %,d rows in %d shards x %d replicas on %s (put %s) in %.1f s,"
                  + " %.1f MB/s%n",
              name,
              file,
              result.rows(),
              result.shards(),
              result.replicas(),
              result.servers(),
              result.putId(),
              result.seconds(),
              result.bytes() / 1e6 / Math.max(result.seconds(), 1e-9));
        }
        out.flush();
      }
    }
    return 0;
  }

  /** The bytes of a file, or of every file under a folder: how many shards to plan for. */
  private static long sizeOnDisk(Path path) throws IOException {
    if (!Files.isDirectory(path)) {
      return Files.size(path);
    }
    try (Stream<Path> files = Files.walk(path)) {
      return files.filter(Files::isRegularFile).mapToLong(each -> each.toFile().length()).sum();
    }
  }

  private InputFile open(ClientSession session) throws java.io.IOException {
    try {
      return InputFile.open(session.allocator(), file);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
