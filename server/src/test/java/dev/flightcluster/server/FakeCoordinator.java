package dev.flightcluster.server;

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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
final class FakeCoordinator extends NoOpFlightProducer implements AutoCloseable {
  /** One call, with the context it carried. */
  record Call<T>(T message, SpanContext context) {}

  final AtomicBoolean answering = new AtomicBoolean(true);
  final AtomicBoolean forgetOnce = new AtomicBoolean();
  final AtomicInteger refusedHellos = new AtomicInteger();
  final List<Call<Hello>> hellos = new CopyOnWriteArrayList<>();
  final List<Call<Heartbeat>> heartbeats = new CopyOnWriteArrayList<>();
  final List<Goodbye> goodbyes = new CopyOnWriteArrayList<>();
  /** The dataset names of each listing pulled, in order. */
  final List<List<String>> pulledListings = new CopyOnWriteArrayList<>();

  private final InMemoryTelemetry telemetry;
  private final BufferAllocator allocator;
  private final FlightServer server;
  private volatile long knownVersion = Long.MIN_VALUE;

  FakeCoordinator(InMemoryTelemetry telemetry, BufferAllocator allocator) throws Exception {
    this.telemetry = telemetry;
    this.allocator = allocator;
    this.server =
        telemetry.flightTelemetry()
            .instrument(FlightServer.builder(allocator, Location.forGrpcInsecure("127.0.0.1", 0), this))
            .build()
            .start();
  }

  Location location() {
    return Location.forGrpcInsecure("127.0.0.1", server.getPort());
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
          pull(hello.location());
          knownVersion = hello.listingVersion();
          hellos.add(new Call<>(hello, span));
          listener.onNext(new Result(Messages.encode(new HelloReply(10_000, 60_000))));
        }
        case ClusterActions.HEARTBEAT -> {
          Heartbeat beat = Messages.decode(action.getBody(), Heartbeat.class);
          heartbeats.add(new Call<>(beat, span));
          boolean known = !forgetOnce.getAndSet(false);
          if (known && beat.listingVersion() != knownVersion) {
            pull(hellos.get(hellos.size() - 1).message().location());
            knownVersion = beat.listingVersion();
          }
          listener.onNext(new Result(Messages.encode(new HeartbeatReply(known))));
        }
        case ClusterActions.GOODBYE -> goodbyes.add(Messages.decode(action.getBody(), Goodbye.class));
        default -> throw CallStatus.UNIMPLEMENTED.toRuntimeException();
      }
      listener.onCompleted();
    } catch (RuntimeException e) {
      listener.onError(e);
    }
  }

  private void pull(String location) {
    try (TracedFlightClient client = telemetry.flightTelemetry().connect(allocator, Locations.parse(location))) {
      List<String> names = new java.util.ArrayList<>();
      client.flightClient().listFlights(Criteria.ALL)
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
