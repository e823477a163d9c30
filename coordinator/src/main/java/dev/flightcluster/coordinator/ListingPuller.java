package dev.flightcluster.coordinator;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.DatasetFingerprint;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.Descriptors;
import dev.flightcluster.protocol.ListingMetadata;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.CallOptions;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls a data server's ListFlights back and keeps the datasets the coordinator can serve. It runs
 * on a callback thread ({@link Callbacks}), in the trace of the say_hello or heartbeat that asked
 * for it. Two deadlines bound it: one to connect, short, because a healthy server accepts at once,
 * and one for the whole listing.
 *
 * <p>One bad FlightInfo is the server's problem alone and is skipped with a warning; a listing that
 * cannot be read at all fails the whole pull.
 */
final class ListingPuller {
  private static final Logger log = LoggerFactory.getLogger(ListingPuller.class);

  private final Duration connectDeadline;
  private final Duration deadline;

  /**
   * @param connectDeadline how long connecting to a server may take
   * @param deadline how long one ListFlights callback may take in all; a listing slower than that
   *     is treated as an unreachable server
   */
  ListingPuller(Duration connectDeadline, Duration deadline) {
    this.connectDeadline = requireNonNull(connectDeadline, "connectDeadline is null");
    this.deadline = requireNonNull(deadline, "deadline is null");
  }

  /**
   * The datasets a server lists, by name.
   *
   * @throws FlightRuntimeException UNAVAILABLE when the server cannot be listed
   */
  Map<DatasetName, ServerDataset> pull(String serverId, CallbackClient client) {
    requireNonNull(serverId, "serverId is null");
    requireNonNull(client, "client is null");
    Map<DatasetName, ServerDataset> datasets = new TreeMap<>();
    try {
      if (!client.awaitConnected(connectDeadline)) {
        throw unavailable(
            serverId,
            client,
            "no gRPC connection within " + connectDeadline.toMillis() + " ms",
            null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable(serverId, client, "the coordinator is shutting down", e);
    }
    try {
      Iterable<FlightInfo> infos =
          client
              .flightClient()
              .listFlights(
                  Criteria.ALL, CallOptions.timeout(deadline.toMillis(), TimeUnit.MILLISECONDS));
      for (FlightInfo info : infos) {
        toDataset(serverId, info)
            .ifPresent(
                dataset -> {
                  if (datasets.putIfAbsent(dataset.name(), dataset) != null) {
                    log.warn(
                        "Server {} listed dataset '{}' twice; keeping the first",
                        serverId,
                        dataset.name());
                  }
                });
      }
    } catch (FlightRuntimeException e) {
      throw unavailable(serverId, client, e.status().code() + ": " + e.status().description(), e);
    } catch (RuntimeException e) {
      // Not a Flight status: the server answered with something Flight could not decode.
      throw unavailable(serverId, client, String.valueOf(e), e);
    }
    return datasets;
  }

  private static Optional<ServerDataset> toDataset(String serverId, FlightInfo info) {
    try {
      DatasetName name = Descriptors.datasetName(info.getDescriptor());
      ListingMetadata listed = ListingMetadata.fromAppMetadata(info.getAppMetadata());
      DatasetFingerprint fingerprint = new DatasetFingerprint(listed.fingerprint());
      if (fingerprint.value().isBlank()) {
        return skip(serverId, info, "its fingerprint is empty");
      }
      Optional<Schema> schema = info.getSchemaOptional();
      if (schema.isEmpty()) {
        return skip(serverId, info, "it has no schema");
      }
      return Optional.of(
          new ServerDataset(
              name,
              fingerprint,
              schema.get(),
              info.getRecords(),
              info.getBytes(),
              listed.folder(),
              listed.files()));
    } catch (FlightRuntimeException e) {
      return skip(serverId, info, e.status().description());
    }
  }

  private static Optional<ServerDataset> skip(String serverId, FlightInfo info, String problem) {
    log.warn(
        "Server {} listed a flight the coordinator cannot serve, skipping it: {} (descriptor {})",
        serverId,
        problem,
        info.getDescriptor());
    return Optional.empty();
  }

  private static FlightRuntimeException unavailable(
      String serverId, CallbackClient client, String reason, Throwable cause) {
    return CallStatus.UNAVAILABLE
        .withDescription(
            "could not list the flights of server "
                + serverId
                + " at "
                + client.location().getUri()
                + ": "
                + reason
                + " (is the advertised location reachable from the coordinator?)")
        .withCause(cause)
        .toRuntimeException();
  }
}
