package dev.flightcluster.bench.coordinator;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.coordinator.Coordinator;
import dev.flightcluster.otel.FlightTelemetry;
import dev.flightcluster.otel.Spans;
import dev.flightcluster.otel.TracedFlightClient;
import dev.flightcluster.protocol.ClusterActions;
import dev.flightcluster.protocol.Heartbeat;
import dev.flightcluster.protocol.HeartbeatReply;
import dev.flightcluster.protocol.Hello;
import dev.flightcluster.protocol.HelloReply;
import dev.flightcluster.protocol.Messages;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.CallOptions;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Result;
import org.apache.arrow.memory.BufferAllocator;

/**
 * A real {@link Coordinator} in this JVM with {@code S} simulated data servers registered, each
 * listing its share of the datasets, and kept alive by heartbeats for as long as the cluster runs.
 * Everything listens on 127.0.0.1. Closing it stops the heartbeats, then closes the registrar's
 * client, the servers, the coordinator and the cluster's allocator, in that order.
 */
final class SimulatedCluster implements AutoCloseable {
  private final BufferAllocator allocator;
  private final Coordinator coordinator;
  private final List<SimulatedDataServer> servers = new ArrayList<>();
  private final TracedFlightClient registrar;
  private final ScheduledExecutorService heartbeats;
  private final AtomicLong heartbeatsSent = new AtomicLong();
  private final AtomicLong heartbeatFailures = new AtomicLong();
  private final AtomicLong rehellos = new AtomicLong();
  private final long registrationNanos;

  private SimulatedCluster(
      BufferAllocator root,
      FlightTelemetry coordinatorTelemetry,
      BenchDatasets datasets,
      int serverCount,
      Duration lease,
      Duration heartbeatInterval)
      throws IOException, InterruptedException {
    this.allocator = root.newChildAllocator("cluster", 0, Long.MAX_VALUE);
    Coordinator started = null;
    TracedFlightClient registrarClient = null;
    ScheduledExecutorService scheduler = null;
    try {
      started =
          Coordinator.builder(allocator, coordinatorTelemetry)
              .location(Location.forGrpcInsecure("127.0.0.1", 0))
              .lease(lease)
              .heartbeatInterval(heartbeatInterval)
              .build()
              .start();
      FlightTelemetry serverTelemetry = BenchTelemetry.propagatingOnly();
      for (int i = 0; i < serverCount; i++) {
        SimulatedDataServer server =
            new SimulatedDataServer(String.format("server-%03d", i), allocator, serverTelemetry);
        servers.add(server);
        server.setListing(datasets.listingOf(i, server.location()));
      }
      registrarClient = serverTelemetry.connect(allocator, started.location());
      long start = System.nanoTime();
      long intervalMillis = heartbeatInterval.toMillis();
      for (SimulatedDataServer server : servers) {
        HelloReply reply = hello(registrarClient, server);
        intervalMillis = Math.min(intervalMillis, reply.heartbeatIntervalMillis());
      }
      this.registrationNanos = System.nanoTime() - start;
      scheduler =
          Executors.newSingleThreadScheduledExecutor(
              Thread.ofPlatform().name("bench-heartbeats").daemon().factory());
      TracedFlightClient heartbeatClient = registrarClient;
      scheduler.scheduleWithFixedDelay(
          () -> heartbeatAll(heartbeatClient),
          intervalMillis,
          intervalMillis,
          TimeUnit.MILLISECONDS);
    } catch (IOException | RuntimeException e) {
      if (scheduler != null) {
        scheduler.shutdownNow();
      }
      closeAll(registrarClient, started);
      throw e;
    }
    this.coordinator = started;
    this.registrar = registrarClient;
    this.heartbeats = scheduler;
  }

  /**
   * Starts a coordinator and registers {@code serverCount} servers holding {@code datasets}.
   *
   * @param lease the coordinator's lease; the cluster sends heartbeats at the interval the
   *     coordinator asks for, so any lease works for any run length
   */
  static SimulatedCluster start(
      BufferAllocator root,
      FlightTelemetry coordinatorTelemetry,
      BenchDatasets datasets,
      int serverCount,
      Duration lease,
      Duration heartbeatInterval)
      throws IOException, InterruptedException {
    requireNonNull(root, "root is null");
    return new SimulatedCluster(
        root, coordinatorTelemetry, datasets, serverCount, lease, heartbeatInterval);
  }

  Location location() {
    return coordinator.location();
  }

  /** How long saying hello for every server took, listing pulls included. */
  double registrationMillis() {
    return registrationNanos / 1e6;
  }

  long heartbeatsSent() {
    return heartbeatsSent.get();
  }

  long heartbeatFailures() {
    return heartbeatFailures.get();
  }

  /** Servers the coordinator had forgotten (a heartbeat answered known=false): should be 0. */
  long rehellos() {
    return rehellos.get();
  }

  private static HelloReply hello(TracedFlightClient client, SimulatedDataServer server) {
    Hello hello = new Hello(server.id(), server.location().getUri().toString(), 1);
    byte[] reply = action(client, ClusterActions.SAY_HELLO, Messages.encode(hello));
    return Messages.decode(reply, HelloReply.class);
  }

  private void heartbeatAll(TracedFlightClient client) {
    for (SimulatedDataServer server : servers) {
      // As a real registrar does: a routine heartbeat is traced nowhere (D4).
      try (Scope ignored = Spans.unsampledContext().makeCurrent()) {
        byte[] reply =
            action(
                client,
                ClusterActions.HEARTBEAT,
                Messages.encode(new Heartbeat(server.id(), 1, 0)));
        heartbeatsSent.incrementAndGet();
        if (!Messages.decode(reply, HeartbeatReply.class).known()) {
          rehellos.incrementAndGet();
          hello(client, server);
        }
      } catch (RuntimeException e) {
        // Never let an exception cancel the schedule; the count shows up in the report.
        heartbeatFailures.incrementAndGet();
      }
    }
  }

  private static byte[] action(TracedFlightClient client, String type, byte[] body) {
    Iterator<Result> results =
        client
            .flightClient()
            .doAction(new Action(type, body), CallOptions.timeout(30, TimeUnit.SECONDS));
    byte[] first = null;
    // Drain the stream, so that the call completes and releases its resources.
    while (results.hasNext()) {
      Result result = results.next();
      if (first == null) {
        first = result.getBody();
      }
    }
    if (first == null) {
      throw new IllegalStateException(type + " returned no result");
    }
    return first;
  }

  @Override
  public void close() throws InterruptedException {
    heartbeats.shutdownNow();
    heartbeats.awaitTermination(10, TimeUnit.SECONDS);
    closeAll(registrar, coordinator);
  }

  private void closeAll(TracedFlightClient registrarClient, Coordinator started)
      throws InterruptedException {
    try {
      if (registrarClient != null) {
        registrarClient.close();
      }
    } finally {
      try {
        for (SimulatedDataServer server : servers) {
          try {
            server.close();
          } catch (RuntimeException e) {
            // Keep closing the others; the allocator close below reports any leak.
            System.err.println("closing " + server.id() + " failed: " + e);
          }
        }
      } finally {
        try {
          if (started != null) {
            started.close();
          }
        } finally {
          allocator.close();
        }
      }
    }
  }
}
