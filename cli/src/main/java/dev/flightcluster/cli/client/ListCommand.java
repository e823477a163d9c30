package dev.flightcluster.cli.client;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.arrow.flight.FlightInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code client list [PREFIX]}. */
@Command(
    name = "list",
    description = "Lists the datasets the coordinator knows, with their replicas.",
    mixinStandardHelpOptions = true,
    showDefaultValues = true)
public final class ListCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand ClientCommand parent;

  @Parameters(
      index = "0",
      arity = "0..1",
      defaultValue = "",
      paramLabel = "PREFIX",
      description = "Only datasets whose name starts with this.")
  String prefix;

  @Override
  public Integer call() throws Exception {
    try (ClientSession session = parent.openSession()) {
      List<FlightInfo> flights = session.client().list(prefix);
      PrintWriter out = spec.commandLine().getOut();
      out.print(DatasetListing.table(flights));
      out.flush();
    }
    return 0;
  }
}
