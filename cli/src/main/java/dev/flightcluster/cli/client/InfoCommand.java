package dev.flightcluster.cli.client;

import dev.flightcluster.protocol.DatasetName;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code client info NAME}. */
@Command(
    name = "info",
    description = "Shows a dataset's size, fingerprint, locations and schema.",
    mixinStandardHelpOptions = true,
    showDefaultValues = true)
public final class InfoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand ClientCommand parent;

  @Parameters(index = "0", paramLabel = "NAME", description = "The dataset, e.g. orders.parquet.")
  String name;

  @Override
  public Integer call() throws Exception {
    DatasetNames.check(spec, name);
    try (ClientSession session = parent.openSession()) {
      PrintWriter out = spec.commandLine().getOut();
      out.print(DatasetListing.details(session.client().info(DatasetName.of(name).value())));
      out.flush();
    }
    return 0;
  }
}
