package dev.flightcluster.client;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.otel.FlightAttributes;
import dev.flightcluster.otel.Spans;
import dev.flightcluster.protocol.AbortPut;
import dev.flightcluster.protocol.ClusterActions;
import dev.flightcluster.protocol.CommitPut;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.Descriptors;
import dev.flightcluster.protocol.Locations;
import dev.flightcluster.protocol.Messages;
import dev.flightcluster.protocol.PlanPut;
import dev.flightcluster.protocol.PutParts;
import dev.flightcluster.protocol.PutPlan;
import dev.flightcluster.protocol.ServerChoice;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.AsyncPutListener;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightClient.ClientStreamListener;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Result;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link FlightClusterClient#putDataset}: plan_put at a coordinator; then the source, read once
 * batch by batch, is cut into shards of about the shard size, several open at a time, each batch
 * going to every replica of its shard (a DoPut of {@code NAME/part-<put id>-<index>.parquet} per
 * replica); once every copy is acknowledged, commit_put at each server written to. Any failure
 * cancels the uploads and sends abort_put to each server, so nothing of the put stays (D63, D66).
 * Used once, by one thread; the parallelism is gRPC's, which sends on every stream at once.
 *
 * <p>Span: {@code put_dataset}, current throughout, parenting the gRPC spans of every call.
 */
final class ParallelPutOperation {
  private static final Logger log = LoggerFactory.getLogger(ParallelPutOperation.class);
  private static final long READY_POLL_NANOS = 20_000;

  /** One DoPut of one shard to one of its servers. */
  private record Copy(ServerChoice server, ClientStreamListener stream, AsyncPutListener acks) {}

  /** One shard being written, or written. */
  private static final class Shard {
    final int index;
    final List<Copy> copies = new ArrayList<>();
    long bytes;
    boolean completed;

    Shard(int index) {
      this.index = index;
    }

    boolean ready() {
      for (Copy copy : copies) {
        if (!copy.stream().isReady()) {
          return false;
        }
      }
      return true;
    }
  }

  private final Connections connections;
  private final Tracer tracer;
  private final Coordinators coordinators;
  private final CallOption callTimeout;
  private final DatasetName dataset;
  private final ArrowReader source;
  private final ParallelPutOptions options;
  private final ProgressListener progress;

  private final List<Shard> shards = new ArrayList<>();
  private final Set<ServerChoice> written = new LinkedHashSet<>();
  private PutPlan plan;
  private long rows;
  private long batches;
  private long bytes;

  ParallelPutOperation(
      Connections connections,
      Tracer tracer,
      Coordinators coordinators,
      CallOption callTimeout,
      DatasetName dataset,
      ArrowReader source,
      ParallelPutOptions options,
      ProgressListener progress) {
    this.connections = requireNonNull(connections, "connections is null");
    this.tracer = requireNonNull(tracer, "tracer is null");
    this.coordinators = requireNonNull(coordinators, "coordinators is null");
    this.callTimeout = requireNonNull(callTimeout, "callTimeout is null");
    this.dataset = requireNonNull(dataset, "dataset is null");
    this.source = requireNonNull(source, "source is null");
    this.options = requireNonNull(options, "options is null");
    this.progress = requireNonNull(progress, "progress is null");
  }

  ParallelPutResult run() throws IOException {
    long start = System.nanoTime();
    Span span =
        tracer
            .spanBuilder("put_dataset")
            .setAttribute(FlightAttributes.DATASET, dataset.value())
            .startSpan();
    try (Scope ignored = span.makeCurrent()) {
      // Flight sends the dictionaries when a stream starts, and a reader fills them only while
      // loading the first batch: load it before anything starts.
      boolean loaded = source.loadNextBatch();
      plan = plan(source.getVectorSchemaRoot());
      span.setAttribute("put.id", plan.putId());
      try {
        upload(loaded);
        awaitAcknowledgements();
        commit();
      } catch (IOException | RuntimeException | Error e) {
        abort(e);
        throw e;
      }
      setTotals(span);
      Map<Integer, List<String>> placements = new TreeMap<>();
      for (Shard shard : shards) {
        placements.put(
            shard.index, shard.copies.stream().map(copy -> copy.server().serverId()).toList());
      }
      return new ParallelPutResult(
          plan.putId(),
          shards.size(),
          options.replicas(),
          placements,
          rows,
          batches,
          bytes,
          Duration.ofNanos(System.nanoTime() - start));
    } catch (IOException | RuntimeException | Error e) {
      setTotals(span);
      Spans.recordFailure(span, e);
      throw e;
    } finally {
      span.end();
    }
  }

  /** plan_put; it changes nothing at the coordinator, so the next one may be asked. */
  private PutPlan plan(VectorSchemaRoot root) {
    // Enough placements for the open shards to reach every server even when the input is small.
    int planned = Math.max(options.plannedShards(), ParallelPutOptions.MAX_OPEN_SHARDS);
    Action action =
        new Action(
            ClusterActions.PLAN_PUT,
            Messages.encode(
                new PlanPut(
                    dataset.value(),
                    planned,
                    options.replicas(),
                    options.append(),
                    PlanPut.encodeSchema(root.getSchema()))));
    byte[] reply =
        coordinators.call(
            client -> {
              Iterator<Result> results = client.doAction(action, callTimeout);
              byte[] body = results.hasNext() ? results.next().getBody() : null;
              results.forEachRemaining(r -> {});
              return body;
            });
    if (reply == null) {
      throw CallStatus.INTERNAL
          .withDescription("the coordinator answered plan_put with no result")
          .toRuntimeException();
    }
    try {
      return Messages.decode(reply, PutPlan.class);
    } catch (FlightRuntimeException e) {
      throw CallStatus.INTERNAL
          .withDescription(
              "the coordinator sent a malformed plan_put reply: " + e.status().description())
          .withCause(e)
          .toRuntimeException();
    }
  }

  private void upload(boolean loaded) throws IOException {
    VectorSchemaRoot root = source.getVectorSchemaRoot();
    Set<String> servers = new LinkedHashSet<>();
    plan.shards().forEach(p -> p.servers().forEach(s -> servers.add(s.serverId())));
    int openLimit =
        Math.min(
            ParallelPutOptions.MAX_OPEN_SHARDS,
            Math.max(1, (servers.size() + options.replicas() - 1) / options.replicas()));
    List<Shard> open = new ArrayList<>();
    int next = 0;
    while (loaded) {
      Shard target = null;
      if (open.size() < openLimit) {
        // A shard opens with a batch to send, so none is ever empty.
        target = open(shards.size());
        open.add(target);
      }
      while (target == null) {
        checkCopies();
        for (int k = 0; k < open.size() && target == null; k++) {
          Shard candidate = open.get((next + k) % open.size());
          if (candidate.ready()) {
            target = candidate;
          }
        }
        if (target == null) {
          LockSupport.parkNanos(READY_POLL_NANOS);
          if (Thread.currentThread().isInterrupted()) {
            throw CallStatus.CANCELLED
                .withDescription("interrupted while putting '" + dataset + "'")
                .toRuntimeException();
          }
        }
      }
      next = open.indexOf(target) + 1;
      for (Copy copy : target.copies) {
        copy.stream().putNext();
      }
      long batchBytes = Batches.bufferBytes(root);
      target.bytes += batchBytes;
      rows += root.getRowCount();
      batches++;
      bytes += batchBytes;
      progress.onProgress(rows, bytes);
      if (target.bytes >= options.shardBytes()) {
        complete(target);
        open.remove(target);
      }
      loaded = source.loadNextBatch();
    }
    for (Shard shard : open) {
      complete(shard);
    }
  }

  private Shard open(int index) throws IOException {
    if (index >= PutParts.MAX_SHARDS) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription(
              "put of '"
                  + dataset
                  + "' needs more than "
                  + PutParts.MAX_SHARDS
                  + " shards; use a larger"
                  + " shard size")
          .toRuntimeException();
    }
    Shard shard = new Shard(index);
    shards.add(shard);
    DatasetName part =
        DatasetName.of(dataset.value() + "/" + PutParts.stagedName(plan.putId(), index));
    for (ServerChoice server : plan.placement(index).servers()) {
      FlightClient client = connect(server).flightClient();
      AsyncPutListener acks = new AsyncPutListener();
      ClientStreamListener stream =
          client.startPut(Descriptors.of(part), source.getVectorSchemaRoot(), source, acks);
      shard.copies.add(new Copy(server, stream, acks));
      written.add(server);
    }
    return shard;
  }

  /** Where a planned server is, for explaining a failure; null when its location does not parse. */
  private static Location peer(ServerChoice server) {
    try {
      return Locations.parse(server.location());
    } catch (FlightRuntimeException e) {
      return null;
    }
  }

  private dev.flightcluster.otel.TracedFlightClient connect(ServerChoice server) {
    Location location;
    try {
      location = Locations.parse(server.location());
    } catch (FlightRuntimeException e) {
      throw CallStatus.INTERNAL
          .withDescription(
              "the coordinator planned data server '"
                  + server.serverId()
                  + "' with an unusable location: "
                  + e.status().description())
          .withCause(e)
          .toRuntimeException();
    }
    try {
      return connections.connect(location).client();
    } catch (FlightRuntimeException e) {
      throw Failures.withContext(e, where(server), location);
    }
  }

  private void complete(Shard shard) {
    for (Copy copy : shard.copies) {
      copy.stream().completed();
    }
    shard.completed = true;
  }

  /** Fails at once when a server has ended a copy's upload: the put cannot succeed any more. */
  private void checkCopies() {
    for (Shard shard : shards) {
      for (Copy copy : shard.copies) {
        if (copy.acks().isCancelled()) {
          try {
            copy.acks().getResult();
          } catch (FlightRuntimeException e) {
            throw failedCopy(shard, copy, e);
          }
          if (!shard.completed) {
            throw CallStatus.INTERNAL
                .withDescription(
                    where(copy.server())
                        + " ended the upload of shard "
                        + shard.index
                        + " of '"
                        + dataset
                        + "' before it was complete")
                .toRuntimeException();
          }
        }
      }
    }
  }

  private void awaitAcknowledgements() {
    for (Shard shard : shards) {
      for (Copy copy : shard.copies) {
        try {
          copy.acks().getResult();
        } catch (FlightRuntimeException e) {
          throw failedCopy(shard, copy, e);
        }
      }
    }
  }

  private FlightRuntimeException failedCopy(Shard shard, Copy copy, FlightRuntimeException e) {
    return e.status()
        .withDescription(
            "put of '"
                + dataset
                + "' failed: "
                + where(copy.server())
                + " did not store shard "
                + shard.index
                + " ("
                + Failures.describe(e, peer(copy.server()))
                + "); nothing of the put is kept")
        .withCause(e)
        .toRuntimeException();
  }

  /**
   * commit_put at every server written to, in two rounds: first a prepare at each (every part
   * staged, the name free or appendable, the schema fitting), then the commit at each, so that a
   * server lost before the commits fails the put while nothing of it is visible (D63).
   */
  private void commit() {
    Map<ServerChoice, List<Integer>> parts = new LinkedHashMap<>();
    for (Shard shard : shards) {
      for (Copy copy : shard.copies) {
        parts.computeIfAbsent(copy.server(), server -> new ArrayList<>()).add(shard.index);
      }
    }
    for (boolean prepare : new boolean[] {true, false}) {
      for (ServerChoice server : written) {
        CommitPut body =
            new CommitPut(
                dataset.value(),
                plan.putId(),
                shards.size(),
                options.append(),
                parts.getOrDefault(server, List.of()),
                prepare);
        try {
          action(server, ClusterActions.COMMIT_PUT, body);
        } catch (FlightRuntimeException e) {
          throw e.status()
              .withDescription(
                  "put of '"
                      + dataset
                      + "' failed: "
                      + where(server)
                      + " did not "
                      + (prepare ? "prepare" : "commit")
                      + " it ("
                      + Failures.describe(e, peer(server))
                      + "); nothing of the put is kept")
              .withCause(e)
              .toRuntimeException();
        }
      }
    }
  }

  /**
   * Cancels the copies still uploading, then asks every server written to to delete the put. A
   * server that cannot be reached deletes its staged parts when they expire, or at its restart.
   */
  private void abort(Throwable failure) {
    for (Shard shard : shards) {
      for (Copy copy : shard.copies) {
        if (!copy.acks().isCancelled()) {
          try {
            copy.stream().error(failure);
            copy.acks().getResult();
          } catch (RuntimeException expected) {
            // The call ends as cancelled; the failure that made us cancel is what the caller needs.
          }
        }
      }
    }
    if (plan == null) {
      return;
    }
    AbortPut body = new AbortPut(dataset.value(), plan.putId());
    for (ServerChoice server : written) {
      try {
        action(server, ClusterActions.ABORT_PUT, body);
      } catch (RuntimeException e) {
        log.warn(
            "cannot abort put {} of '{}' at {}: {}; its staged parts expire there",
            plan.putId(),
            dataset,
            where(server),
            e.getMessage());
      }
    }
  }

  private void action(ServerChoice server, String type, Object body) {
    Iterator<Result> results =
        connect(server)
            .flightClient()
            .doAction(new Action(type, Messages.encode(body)), callTimeout);
    results.forEachRemaining(r -> {});
  }

  private static String where(ServerChoice server) {
    return "data server '" + server.serverId() + "' at " + server.location();
  }

  private void setTotals(Span span) {
    span.setAttribute(FlightAttributes.ROWS, rows);
    span.setAttribute(FlightAttributes.BATCHES, batches);
    span.setAttribute(FlightAttributes.BYTES, bytes);
    span.setAttribute("put.shards", shards.size());
  }
}
