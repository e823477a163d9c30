package dev.flightcluster.bench;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.util.AutoCloseables;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A minimal Arrow Flight Java server around {@link PreloadedFlightProducer}: the library-limit
 * baseline (B1 a, and the DoPut drain for B2).
 *
 * <p>It prints one line {@code LISTENING grpc://HOST:PORT ...} on standard output once it accepts
 * calls; the harness binds port 0 and reads the port from that line, so no port is ever guessed. It
 * stops on SIGTERM, and by itself after {@code --max-seconds} so that a harness that died without
 * cleaning up leaves nothing running for long.
 */
@Command(
    name = "memory-flight-server",
    mixinStandardHelpOptions = true,
    description =
        "Serves an Arrow IPC file from memory over Arrow Flight (library-limit baseline).")
public final class MemoryFlightServer implements Callable<Integer> {
  @Option(names = "--data", required = true, description = "Arrow IPC file to preload.")
  private Path data;

  @Option(
      names = "--name",
      required = true,
      description = "Dataset name: the ticket (UTF-8) and descriptor PATH [name] it answers to.")
  private String name;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Bind address.")
  private String host;

  @Option(names = "--port", defaultValue = "0", description = "Port; 0 picks a free one.")
  private int port;

  @Option(
      names = "--zero-copy",
      description =
          "Hand Arrow buffers to gRPC without copying (default: copy, as Arrow Java does).")
  private boolean zeroCopy;

  @Option(
      names = "--stream-timeout-seconds",
      defaultValue = "60",
      description = "Give up on a DoGet whose client has not read for this long.")
  private long streamTimeoutSeconds;

  @Option(
      names = "--max-seconds",
      defaultValue = "3600",
      description = "Exit by itself after this long.")
  private long maxSeconds;

  @Override
  public Integer call() throws Exception {
    BufferAllocator allocator = new RootAllocator();
    BufferAllocator datasetAllocator = null;
    PreloadedDataset dataset = null;
    PreloadedFlightProducer producer = null;
    FlightServer server = null;
    try {
      datasetAllocator = allocator.newChildAllocator("dataset", 0, Long.MAX_VALUE);
      dataset = PreloadedDataset.load(datasetAllocator, data);
      producer =
          new PreloadedFlightProducer(
              allocator, dataset, name, TimeUnit.SECONDS.toMillis(streamTimeoutSeconds), zeroCopy);
      server =
          FlightServer.builder(allocator, Location.forGrpcInsecure(host, port), producer)
              .build()
              .start();
    } catch (Exception e) {
      AutoCloseables.close(e, server, producer, dataset, datasetAllocator, allocator);
      throw e;
    }
    // Server and stream threads first: no call may still be reading the batches when they are
    // freed.
    AutoCloseable resources =
        closingInOrder(server, producer, dataset, datasetAllocator, allocator);
    var stopped = new CountDownLatch(1);
    var closed = new AtomicBoolean();
    Runnable stop =
        () -> {
          if (closed.compareAndSet(false, true)) {
            try {
              resources.close();
            } catch (Exception e) {
              System.err.println("error while stopping: " + e);
            } finally {
              stopped.countDown();
            }
          }
        };
    Runtime.getRuntime().addShutdownHook(new Thread(stop, "memory-flight-server-stop"));
    System.out.printf(
        "LISTENING grpc://%s:%d rows=%d arrow_bytes=%d batches=%d%n",
        host, server.getPort(), dataset.rows(), dataset.arrowBytes(), dataset.batches().size());
    System.out.flush();
    if (!stopped.await(maxSeconds, TimeUnit.SECONDS)) {
      System.err.println("--max-seconds reached: stopping");
      stop.run();
    }
    return 0;
  }

  private static AutoCloseable closingInOrder(AutoCloseable... resources) {
    return () -> AutoCloseables.close(resources);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new MemoryFlightServer()).execute(args));
  }
}
