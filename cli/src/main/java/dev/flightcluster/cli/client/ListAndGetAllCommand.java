package dev.flightcluster.cli.client;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code client list-and-get-all}: the original example's client, with a throughput table. */
@Command(
    name = "list-and-get-all",
    description = {
      "Lists every dataset and streams each one, under one trace (root span"
          + " list_and_get_all_flights), then prints rows, bytes and throughput per flight.",
      "Exits 1 if any flight failed."
    },
    mixinStandardHelpOptions = true,
    showDefaultValues = true)
public final class ListAndGetAllCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand ClientCommand parent;

  @Override
  public Integer call() throws Exception {
    ListAndGetAll.Outcome outcome;
    try (ClientSession session = parent.openSession()) {
      outcome = ListAndGetAll.run(session.client(), session.tracer());
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(outcome.render());
    out.println("trace id: " + outcome.traceId());
    out.flush();
    return outcome.table().failures() == 0 ? 0 : 1;
  }
}
