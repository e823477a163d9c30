package dev.flightcluster.cli.client;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code client status}: the coordinator's status page as tables in the terminal. */
@Command(
    name = "status",
    description = {
      "Shows the coordinator's view of the cluster, as its status page does: coordinators, data"
          + " servers, datasets, conflicts, throughput and the slowest recent reads.",
      "Asked over Flight (action cluster_status), so it needs only --coordinator."
    },
    mixinStandardHelpOptions = true,
    showDefaultValues = true)
public final class StatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand ClientCommand parent;

  @Override
  public Integer call() throws Exception {
    try (ClientSession session = parent.openSession()) {
      PrintWriter out = spec.commandLine().getOut();
      out.print(StatusTables.render(session.client().status()));
      out.flush();
    }
    return 0;
  }
}
