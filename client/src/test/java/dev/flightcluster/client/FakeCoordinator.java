package dev.flightcluster.client;

import dev.flightcluster.protocol.ChooseServer;
import dev.flightcluster.protocol.ClusterActions;
import dev.flightcluster.protocol.Messages;
import dev.flightcluster.protocol.ServerChoice;
import dev.flightcluster.testing.InMemoryTelemetry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.Result;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * A hand-written coordinator: answers ListFlights, GetFlightInfo and GetSchema from the FlightInfos
 * it was given, and choose_server with the choice it was given. Traced with its own in-memory
 * telemetry, on 127.0.0.1 with an ephemeral port.
 */
final class FakeCoordinator implements AutoCloseable {
  private final InMemoryTelemetry telemetry = InMemoryTelemetry.forService("coordinator");
  private final BufferAllocator allocator = new RootAllocator();
  private final Map<String, FlightInfo> infos = new ConcurrentSkipListMap<>();
  private final List<String> criteriaSeen = new CopyOnWriteArrayList<>();
  private final List<String> chooseRequests = new CopyOnWriteArrayList<>();
  private volatile ServerChoice choice;
  private volatile String unavailable; // when set, every call fails UNAVAILABLE with it
  private final AtomicInteger calls = new AtomicInteger();
  private final FlightServer server;

  private FakeCoordinator() {
    try {
      server =
          telemetry
              .flightTelemetry()
              .instrument(
                  FlightServer.builder(
                      allocator, Location.forGrpcInsecure("127.0.0.1", 0), new Producer()))
              .build()
              .start();
    } catch (IOException e) {
      allocator.close();
      telemetry.close();
      throw new UncheckedIOException(e);
    }
  }

  static FakeCoordinator start() {
    return new FakeCoordinator();
  }

  /** Lists {@code info} under the single path element of its descriptor. */
  FakeCoordinator register(FlightInfo info) {
    infos.put(info.getDescriptor().getPath().get(0), info);
    return this;
  }

  /** Answers choose_server with {@code server}; until called, there is no live server. */
  FakeCoordinator choose(FakeDataServer server) {
    choice = new ServerChoice(server.serverId(), server.location().getUri().toString());
    return this;
  }

  /**
   * Answers every call UNAVAILABLE with {@code reason}, as a coordinator still warming up does;
   * null to answer normally again.
   */
  FakeCoordinator unavailable(String reason) {
    unavailable = reason;
    return this;
  }

  /** Calls received: ListFlights, GetFlightInfo, GetSchema and DoAction. */
  int calls() {
    return calls.get();
  }

  Location location() {
    return Location.forGrpcInsecure("127.0.0.1", server.getPort());
  }

  InMemoryTelemetry telemetry() {
    return telemetry;
  }

  /** The ListFlights criteria received, decoded as UTF-8. */
  List<String> criteriaSeen() {
    return List.copyOf(criteriaSeen);
  }

  /** The datasets choose_server was asked about. */
  List<String> chooseRequests() {
    return List.copyOf(chooseRequests);
  }

  @Override
  public void close() throws Exception {
    try {
      server.close();
    } finally {
      try {
        allocator.close();
      } finally {
        telemetry.close();
      }
    }
  }

  private final class Producer extends NoOpFlightProducer {
    /** Counts the call; fails it when this coordinator is set unavailable. */
    private boolean refuse(StreamListener<?> listener) {
      calls.incrementAndGet();
      String reason = unavailable;
      if (reason == null) {
        return false;
      }
      listener.onError(CallStatus.UNAVAILABLE.withDescription(reason).toRuntimeException());
      return true;
    }

    @Override
    public void listFlights(
        CallContext context, Criteria criteria, StreamListener<FlightInfo> listener) {
      if (refuse(listener)) {
        return;
      }
      byte[] expression = criteria.getExpression();
      String prefix = expression == null ? "" : new String(expression, StandardCharsets.UTF_8);
      criteriaSeen.add(prefix);
      infos.forEach(
          (name, info) -> {
            if (name.startsWith(prefix)) {
              listener.onNext(info);
            }
          });
      listener.onCompleted();
    }

    @Override
    public FlightInfo getFlightInfo(CallContext context, FlightDescriptor descriptor) {
      calls.incrementAndGet();
      String reason = unavailable;
      if (reason != null) {
        throw CallStatus.UNAVAILABLE.withDescription(reason).toRuntimeException();
      }
      String name = descriptor.getPath().get(0);
      FlightInfo info = infos.get(name);
      if (info == null) {
        throw CallStatus.NOT_FOUND
            .withDescription("no live server holds dataset '" + name + "'")
            .toRuntimeException();
      }
      return info;
    }

    @Override
    public void doAction(CallContext context, Action action, StreamListener<Result> listener) {
      if (refuse(listener)) {
        return;
      }
      if (!action.getType().equals(ClusterActions.CHOOSE_SERVER)) {
        listener.onError(CallStatus.UNIMPLEMENTED.toRuntimeException());
        return;
      }
      chooseRequests.add(Messages.decode(action.getBody(), ChooseServer.class).dataset());
      ServerChoice current = choice;
      if (current == null) {
        listener.onError(
            CallStatus.UNAVAILABLE
                .withDescription("no live data server to take the upload")
                .toRuntimeException());
        return;
      }
      listener.onNext(new Result(Messages.encode(current)));
      listener.onCompleted();
    }
  }
}
