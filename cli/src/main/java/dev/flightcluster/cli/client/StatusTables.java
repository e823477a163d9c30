package dev.flightcluster.cli.client;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.ClusterStatus;
import dev.flightcluster.protocol.DatasetConflict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** A {@link ClusterStatus} as text tables, the terminal's status page. */
final class StatusTables {
  private StatusTables() {}

  static String render(ClusterStatus status) {
    requireNonNull(status, "status is null");
    StringBuilder out = new StringBuilder();
    ClusterStatus.Self self = status.coordinator();
    out.append(
        String.format(
            Locale.ROOT,
            "coordinator %s (%s) at %s: %d live data servers, %d datasets, %d conflicts%n",
            self.location(),
            self.warm() ? "ready" : "warming up",
            Instant.ofEpochMilli(status.generatedAtMillis()),
            status.servers().size(),
            status.datasets().size(),
            status.conflicts().size()));

    out.append("\nCOORDINATORS\n");
    List<String[]> coordinators = new ArrayList<>();
    coordinators.add(new String[] {"address", "registered servers"});
    for (ClusterStatus.KnownCoordinator known : status.coordinators()) {
      coordinators.add(
          new String[] {
            known.address() + (known.self() ? " (this one)" : ""),
            String.join(", ", known.reportedBy())
          });
    }
    table(out, coordinators);

    out.append("\nSERVERS\n");
    List<String[]> servers = new ArrayList<>();
    servers.add(
        new String[] {
          "id", "location", "heartbeat", "streams", "datasets", "streamed", "last error"
        });
    for (ClusterStatus.Server server : status.servers()) {
      servers.add(
          new String[] {
            server.id(),
            server.location(),
            millis(server.heartbeatAgeMillis()) + " ago" + (server.overdue() ? " (late)" : ""),
            Integer.toString(server.activeStreams()),
            Integer.toString(server.datasets().size()),
            DatasetListing.count(server.bytesStreamed()) + " B",
            server.lastError() == null
                ? ""
                : server.lastError().status() + ": " + server.lastError().message()
          });
    }
    table(out, servers);

    out.append("\nDATASETS\n");
    List<String[]> datasets = new ArrayList<>();
    datasets.add(new String[] {"dataset", "rows", "bytes", "endpoints", "replicas", "servers"});
    for (ClusterStatus.Dataset dataset : status.datasets()) {
      datasets.add(
          new String[] {
            dataset.name() + (dataset.conflicted() ? " (conflict)" : ""),
            DatasetListing.count(dataset.rows()),
            DatasetListing.count(dataset.bytes()),
            Integer.toString(dataset.endpoints()),
            Integer.toString(dataset.replicas()),
            String.join(", ", dataset.servers())
          });
    }
    table(out, datasets);

    if (!status.conflicts().isEmpty()) {
      out.append("\nCONFLICTS\n");
      List<String[]> conflicts = new ArrayList<>();
      conflicts.add(new String[] {"dataset", "serving", "variants"});
      for (DatasetConflict conflict : status.conflicts()) {
        conflicts.add(
            new String[] {
              conflict.dataset(),
              conflict.servingFingerprint(),
              conflict.variants().stream()
                  .map(v -> v.fingerprint() + ": " + String.join(", ", v.serverIds()))
                  .collect(Collectors.joining("; "))
            });
      }
      table(out, conflicts);
    }

    List<ClusterStatus.ThroughputSample> samples = status.throughput();
    if (!samples.isEmpty()) {
      ClusterStatus.ThroughputSample last = samples.get(samples.size() - 1);
      double peak =
          samples.stream()
              .mapToDouble(ClusterStatus.ThroughputSample::bytesPerSecond)
              .max()
              .orElse(0);
      out.append(
          String.format(
              Locale.ROOT,
              "%nTHROUGHPUT  last %.0f s: %s B/s, %s rows/s; peak over %d intervals: %s B/s%n",
              last.seconds(),
              DatasetListing.count(Math.round(last.bytesPerSecond())),
              DatasetListing.count(Math.round(last.rowsPerSecond())),
              samples.size(),
              DatasetListing.count(Math.round(peak))));
    }

    if (!status.slowRequests().isEmpty()) {
      out.append("\nSLOWEST RECENT READS\n");
      List<String[]> slow = new ArrayList<>();
      slow.add(new String[] {"server", "dataset", "duration", "trace"});
      for (ClusterStatus.SlowRequest request : status.slowRequests()) {
        String trace = request.traceId() == null ? "" : request.traceId();
        if (request.traceId() != null && status.jaegerUrl() != null) {
          trace = status.jaegerUrl() + "/trace/" + request.traceId();
        }
        slow.add(
            new String[] {
              request.serverId(), request.dataset(), millis(request.durationMillis()), trace
            });
      }
      table(out, slow);
    }
    return out.toString();
  }

  private static String millis(long millis) {
    return millis < 1000 ? millis + " ms" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }

  /** Left-aligned columns two spaces apart, the first row the header. */
  private static void table(StringBuilder out, List<String[]> rows) {
    int columns = rows.get(0).length;
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int i = 0; i < columns; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < columns; i++) {
        line.append(row[i]);
        if (i < columns - 1) {
          line.append(" ".repeat(widths[i] - row[i].length() + 2));
        }
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    if (rows.size() == 1) {
      out.append("(none)\n");
    }
  }
}
