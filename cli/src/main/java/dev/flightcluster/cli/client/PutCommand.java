package dev.flightcluster.cli.client;

import dev.flightcluster.cli.io.CountingReader;
import dev.flightcluster.cli.io.InputFile;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code client put FILE --name NAME}. */
@Command(
    name = "put",
    description = {
      "Uploads a local file as a dataset to the least loaded data server.",
      "Reads .parquet (or a folder of them), .arrow/.feather and .arrows files."
    },
    mixinStandardHelpOptions = true,
    showDefaultValues = true)
public final class PutCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand ClientCommand parent;

  @Parameters(index = "0", paramLabel = "FILE", description = "The file to upload.")
  Path file;

  @Option(
      names = "--name",
      required = true,
      paramLabel = "NAME",
      description = {
        "The dataset name, one path segment: 'x.parquet' is stored as a file,",
        "any other name as a folder dataset."
      })
  String name;

  @Override
  public Integer call() throws Exception {
    DatasetNames.checkUpload(spec, name);
    if (!Files.exists(file)) {
      throw new ParameterException(spec.commandLine(), "no such file: " + file);
    }
    PrintWriter out = spec.commandLine().getOut();
    try (ClientSession session = parent.openSession();
        InputFile input = open(session)) {
      boolean terminal = ProgressBar.stdoutIsTerminal();
      try (ProgressBar bar = new ProgressBar(System.out, "put " + name, -1, terminal)) {
        // The InputFile owns the reader; the counting wrapper only observes it.
        CountingReader counting = new CountingReader(session.allocator(), input.reader(), bar::update);
        var result = session.client().put(name, counting);
        bar.close();
        out.printf("put %s from %s: %,d rows; %s%n", name, file, counting.rows(), result);
        out.flush();
      }
    }
    return 0;
  }

  private InputFile open(ClientSession session) throws java.io.IOException {
    try {
      return InputFile.open(session.allocator(), file);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
