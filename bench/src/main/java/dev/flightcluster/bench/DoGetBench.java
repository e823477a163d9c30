package dev.flightcluster.bench;

import dev.flightcluster.protocol.Locations;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.CallOptions;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.util.AutoCloseables;
import org.apache.arrow.vector.VectorSchemaRoot;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * B1: DoGet throughput of any Flight server, for any ticket.
 *
 * <p>Each stream has its own {@link FlightClient}, hence its own gRPC channel and TCP connection,
 * as N independent readers would. Clients are made once and reused by every run, so the measured
 * runs time the transfer and not connection set-up (the warm-up run connects them).
 */
@Command(
    name = "doget-bench",
    mixinStandardHelpOptions = true,
    description = "Measures DoGet throughput (Arrow bytes/s and rows/s) over N concurrent streams.")
public final class DoGetBench implements Callable<Integer> {
  @Mixin private CommonOptions common;

  @Option(names = "--ticket", required = true, description = "Ticket, sent as its UTF-8 bytes.")
  private String ticket;

  @Option(
      names = "--expect-rows",
      defaultValue = "-1",
      description = "Fail unless every stream yields exactly this many rows (-1: no check).")
  private long expectRows;

  @Option(
      names = "--expect-bytes",
      defaultValue = "-1",
      description = "Fail unless every stream yields exactly this many Arrow bytes (-1: no check).")
  private long expectBytes;

  @Override
  public Integer call() throws Exception {
    common.validate();
    Location location = Locations.parse(common.location);
    Ticket flightTicket = new Ticket(ticket.getBytes(StandardCharsets.UTF_8));
    List<BenchReport.Run> runs = new ArrayList<>();
    int warmups = 0;
    List<AutoCloseable> resources = new ArrayList<>();
    try (BufferAllocator allocator = new RootAllocator()) {
      List<FlightClient> clients = new ArrayList<>();
      try {
        for (int i = 0; i < common.streams; i++) {
          BufferAllocator child = allocator.newChildAllocator("stream-" + i, 0, Long.MAX_VALUE);
          resources.add(child);
          FlightClient client = FlightClient.builder(child, location).build();
          // Clients first, then their allocators: close in reverse order of creation.
          resources.add(client);
          clients.add(client);
        }
        try (var concurrent = new ConcurrentRuns(common.streams, common.timeoutSeconds)) {
          long warmupStart = System.nanoTime();
          while (common.warmingUp(warmups, warmupStart)) {
            concurrent.run(stream -> readAll(clients.get(stream), flightTicket));
            warmups++;
          }
          for (int run = 0; run < common.runs; run++) {
            runs.add(concurrent.run(stream -> readAll(clients.get(stream), flightTicket)));
          }
        }
      } finally {
        AutoCloseables.close(resources.reversed());
      }
    }
    new BenchReport("java-doget", "doget", common.location, ticket, common.streams, warmups, runs)
        .write(common.output);
    return 0;
  }

  @SuppressWarnings("try") // FlightStream.close() declares Exception, InterruptedException included
  private StreamTotals readAll(FlightClient client, Ticket flightTicket) throws Exception {
    long rows = 0;
    long bytes = 0;
    long batches = 0;
    try (FlightStream stream =
        client.getStream(
            flightTicket, CallOptions.timeout(common.timeoutSeconds, TimeUnit.SECONDS))) {
      VectorSchemaRoot root = stream.getRoot();
      while (stream.next()) {
        rows += root.getRowCount();
        bytes += ArrowBytes.of(root);
        batches++;
      }
    }
    if (expectRows >= 0 && rows != expectRows) {
      throw new IllegalStateException("expected " + expectRows + " rows, got " + rows);
    }
    if (expectBytes >= 0 && bytes != expectBytes) {
      throw new IllegalStateException("expected " + expectBytes + " Arrow bytes, got " + bytes);
    }
    return new StreamTotals(rows, bytes, batches);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new DoGetBench()).execute(args));
  }
}
