package dev.flightcluster.coordinator;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.otel.FlightTelemetry;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.memory.BufferAllocator;

/**
 * A data server that only answers ListFlights, with whatever the test tells it to list, and counts
 * the calls. Stands in for the real server module, which the coordinator must not depend on.
 */
final class FakeDataServer implements AutoCloseable {
  private final String id;
  private final FlightServer server;
  private final AtomicReference<List<FlightInfo>> listing = new AtomicReference<>(List.of());
  private final AtomicReference<CallStatus> listingFailure = new AtomicReference<>();
  private final AtomicInteger listFlightsCalls = new AtomicInteger();

  FakeDataServer(String id, BufferAllocator allocator, FlightTelemetry telemetry)
      throws IOException {
    this.id = requireNonNull(id, "id is null");
    NoOpFlightProducer producer =
        new NoOpFlightProducer() {
          @Override
          public void listFlights(
              CallContext context, Criteria criteria, StreamListener<FlightInfo> listener) {
            listFlightsCalls.incrementAndGet();
            CallStatus failure = listingFailure.get();
            if (failure != null) {
              listener.onError(failure.toRuntimeException());
              return;
            }
            listing.get().forEach(listener::onNext);
            listener.onCompleted();
          }
        };
    this.server =
        telemetry
            .instrument(
                FlightServer.builder(allocator, Location.forGrpcInsecure("127.0.0.1", 0), producer))
            .build()
            .start();
  }

  String id() {
    return id;
  }

  Location location() {
    return server.getLocation();
  }

  /** Lists valid datasets, named with their fingerprints as {@code name=fingerprint}. */
  FakeDataServer holds(String... namesAndFingerprints) {
    List<FlightInfo> infos =
        Arrays.stream(namesAndFingerprints)
            .map(entry -> entry.split("=", 2))
            .map(parts -> TestDatasets.info(parts[0], parts[1], location()))
            .toList();
    listing.set(infos);
    return this;
  }

  /** Lists exactly these infos, valid or not. */
  FakeDataServer lists(FlightInfo... infos) {
    listing.set(List.of(infos));
    return this;
  }

  /** Makes ListFlights fail with {@code status}, or succeed again with null. */
  void failListing(CallStatus status) {
    listingFailure.set(status);
  }

  int listFlightsCalls() {
    return listFlightsCalls.get();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdown();
    server.awaitTermination();
  }
}
