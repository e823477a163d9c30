package dev.flightcluster.server.registration;

import dev.flightcluster.otel.TracedFlightClient;
import dev.flightcluster.protocol.ClusterActions;
import dev.flightcluster.protocol.Goodbye;
import dev.flightcluster.protocol.Heartbeat;
import dev.flightcluster.protocol.HeartbeatReply;
import dev.flightcluster.protocol.Hello;
import dev.flightcluster.protocol.HelloReply;
import dev.flightcluster.protocol.Locations;
import dev.flightcluster.protocol.Messages;
import dev.flightcluster.testing.InMemoryTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.Result;
import org.apache.arrow.memory.BufferAllocator;

/**
 * A hand-written coordinator for registrar tests: records what servers say, with the trace context
 * each call arrived in, and pulls a server's listing when its listing version changes, as the real
 * coordinator does before it answers.
 */
public final class FakeCoordinator extends NoOpFlightProducer implements AutoCloseable {
  /** One call, with the context it carried. */
  public record Call<T>(T message, SpanContext context) {}

  public final AtomicBoolean answering = new AtomicBoolean(true);
  public final AtomicBoolean forgetOnce = new AtomicBoolean();

  /**
   * This many coming hellos are answered only after the caller gave up (a coordinator under load).
   */
  public final AtomicInteger lateHellos = new AtomicInteger();

  /** While set, heartbeats are answered only after the caller gave up. */
  public final AtomicBoolean lateHeartbeats = new AtomicBoolean();

  public final AtomicInteger lateCalls = new AtomicInteger();
  public final AtomicInteger refusedHellos = new AtomicInteger();
  public final List<Call<Hello>> hellos = new CopyOnWriteArrayList<>();
  public final List<Call<Heartbeat>> heartbeats = new CopyOnWriteArrayList<>();
  public final List<Goodbye> goodbyes = new CopyOnWriteArrayList<>();

  /** The dataset names of each listing pulled, in order. */
  public final List<List<String>> pulledListings = new CopyOnWriteArrayList<>();

  private final InMemoryTelemetry telemetry;
  private final BufferAllocator allocator;
  private final FlightServer server;
  private final String host;
  private final Set<String> known = ConcurrentHashMap.newKeySet();
  private volatile long knownVersion = Long.MIN_VALUE;

  public FakeCoordinator(InMemoryTelemetry telemetry, BufferAllocator allocator) throws Exception {
    this(telemetry, allocator, "127.0.0.1", 0);
  }

  /** A coordinator at {@code host:port}; port 0 picks one. A fresh one knows no server. */
  public FakeCoordinator(
      InMemoryTelemetry telemetry, BufferAllocator allocator, String host, int port)
      throws Exception {
    this.telemetry = telemetry;
    this.allocator = allocator;
    this.host = host;
    this.server =
        telemetry
            .flightTelemetry()
            .instrument(FlightServer.builder(allocator, Location.forGrpcInsecure(host, port), this))
            .build()
            .start();
  }

  public Location location() {
    return Location.forGrpcInsecure(host, server.getPort());
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void doAction(CallContext context, Action action, StreamListener<Result> listener) {
    SpanContext span = Span.current().getSpanContext();
    try {
      switch (action.getType()) {
        case ClusterActions.SAY_HELLO -> {
          Hello hello = Messages.decode(action.getBody(), Hello.class);
          if (!answering.get()) {
            refusedHellos.incrementAndGet();
            throw CallStatus.UNAVAILABLE.withDescription("not yet").toRuntimeException();
          }
          if (lateHellos.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            answerLate(context);
          }
          pull(hello.location());
          known.add(hello.serverId());
          knownVersion = hello.listingVersion();
          hellos.add(new Call<>(hello, span));
          listener.onNext(new Result(Messages.encode(new HelloReply(10_000, 60_000))));
        }
        case ClusterActions.HEARTBEAT -> {
          Heartbeat beat = Messages.decode(action.getBody(), Heartbeat.class);
          heartbeats.add(new Call<>(beat, span));
          if (lateHeartbeats.get()) {
            answerLate(context);
          }
          boolean known = this.known.contains(beat.serverId()) && !forgetOnce.getAndSet(false);
          if (!known) {
            this.known.remove(beat.serverId());
          }
          if (known && beat.listingVersion() != knownVersion) {
            pull(hellos.get(hellos.size() - 1).message().location());
            knownVersion = beat.listingVersion();
          }
          listener.onNext(new Result(Messages.encode(new HeartbeatReply(known))));
        }
        case ClusterActions.GOODBYE -> {
          Goodbye goodbye = Messages.decode(action.getBody(), Goodbye.class);
          known.remove(goodbye.serverId());
          goodbyes.add(goodbye);
        }
        default -> throw CallStatus.UNIMPLEMENTED.toRuntimeException();
      }
      listener.onCompleted();
    } catch (RuntimeException e) {
      listener.onError(e);
    }
  }

  /**
   * Holds the call until its caller has given up (its deadline passed), as a coordinator under load
   * would.
   */
  private void answerLate(CallContext context) {
    lateCalls.incrementAndGet();
    long giveUp = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (!context.isCancelled() && System.nanoTime() < giveUp) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  private void pull(String location) {
    try (TracedFlightClient client =
        telemetry.flightTelemetry().connect(allocator, Locations.parse(location))) {
      List<String> names = new java.util.ArrayList<>();
      client
          .flightClient()
          .listFlights(Criteria.ALL)
          .forEach(info -> names.add(info.getDescriptor().getPath().get(0)));
      pulledListings.add(List.copyOf(names));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws Exception {
    server.close();
  }
}
