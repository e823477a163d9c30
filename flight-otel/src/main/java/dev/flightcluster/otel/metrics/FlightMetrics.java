package dev.flightcluster.otel.metrics;

import dev.flightcluster.otel.FlightAttributes;
import io.opentelemetry.api.common.AttributeKey;
import java.util.List;
import java.util.Set;

/**
 * The name and unit of every instrument this project records, in one place, so that the recording
 * code, the tests, the dashboards and docs/metrics.md agree. Units are UCUM as OpenTelemetry asks:
 * {@code By}, {@code s}, and annotations in braces for counts. Labels are {@link #DATASET} and
 * {@link #SERVER_ID} only: both are bounded (datasets by {@link BoundedLabel}, servers by the size
 * of the cluster), and nothing per ticket, per client or per call ever becomes a label.
 */
public final class FlightMetrics {
  /** The instrumentation scope of every instrument below. */
  public static final String SCOPE = "dev.flightcluster.metrics";

  /** The dataset a measurement is about; at most {@link BoundedLabel#DEFAULT_MAX_VALUES} values. */
  public static final AttributeKey<String> DATASET = FlightAttributes.DATASET;

  /** The data server a measurement is about or comes from. */
  public static final AttributeKey<String> SERVER_ID = FlightAttributes.SERVER_ID;

  public static final String UNIT_BYTES = "By";
  public static final String UNIT_SECONDS = "s";
  public static final String UNIT_ROWS = "{row}";
  public static final String UNIT_BATCHES = "{batch}";
  public static final String UNIT_STREAMS = "{stream}";
  public static final String UNIT_UPLOADS = "{upload}";
  public static final String UNIT_FILES = "{file}";

  /**
   * Histogram buckets for call and stream durations, in seconds: from a cached listing to a long
   * export. The gRPC instrumentation's RPC durations get them too (the SDK's default buckets are
   * meant for milliseconds).
   */
  public static final List<Double> DURATION_BUCKETS_SECONDS =
      List.of(
          0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0);

  /**
   * The attributes the RPC durations keep. The instrumentation adds the peer's port (a new value
   * per client connection) and message sizes (a new value per request) too, which would make each
   * call a time series of its own.
   */
  public static final Set<String> RPC_DURATION_ATTRIBUTES =
      Set.of(
          "rpc.system.name",
          "rpc.method",
          "rpc.response.status_code",
          "error.type",
          "server.address",
          "server.port");

  /** The RPC duration histograms of the gRPC instrumentation (stable semantic conventions). */
  public static final List<String> RPC_DURATIONS =
      List.of("rpc.server.call.duration", "rpc.client.call.duration");

  // Data server: per dataset and server.
  /** Counter: rows sent by DoGet. */
  public static final String STREAMED_ROWS = "flight.server.streamed.rows";

  /** Counter: Arrow buffer bytes sent by DoGet. */
  public static final String STREAMED_BYTES = "flight.server.streamed.bytes";

  /** Counter: record batches sent by DoGet. */
  public static final String STREAMED_BATCHES = "flight.server.streamed.batches";

  /** Counter: rows stored by DoPut. */
  public static final String UPLOADED_ROWS = "flight.server.uploaded.rows";

  /** Counter: Arrow buffer bytes stored by DoPut. */
  public static final String UPLOADED_BYTES = "flight.server.uploaded.bytes";

  /** Counter: record batches stored by DoPut. */
  public static final String UPLOADED_BATCHES = "flight.server.uploaded.batches";

  /** Histogram: a DoGet from the call to its last batch; exemplars lead to the call's trace. */
  public static final String DOGET_DURATION = "flight.server.doget.duration";

  // Data server: per server.
  /** UpDownCounter: DoGet streams in progress. */
  public static final String DOGET_ACTIVE = "flight.server.doget.active";

  /** UpDownCounter: DoPut streams in progress. */
  public static final String DOPUT_ACTIVE = "flight.server.doput.active";

  /** Gauge: scan memory reserved by running DoGets. */
  public static final String SCAN_BUDGET_RESERVED = "flight.server.scan_budget.reserved";

  /** Gauge: the whole scan memory budget. */
  public static final String SCAN_BUDGET_LIMIT = "flight.server.scan_budget.limit";

  /** UpDownCounter: DoGets waiting for scan memory. */
  public static final String SCAN_BUDGET_WAITING = "flight.server.scan_budget.waiting";

  /** UpDownCounter: uploads being written into the staging area. */
  public static final String UPLOADS_STAGING = "flight.server.uploads.staging";

  /** Counter: files DoGet read from their hot cache copy. */
  public static final String CACHE_HITS = "flight.server.cache.hits";

  /** Counter: files DoGet read from Parquet, having no current hot cache copy. */
  public static final String CACHE_MISSES = "flight.server.cache.misses";

  /** UpDownCounter: bytes of the hot cache's copies. */
  public static final String CACHE_BYTES = "flight.server.cache.bytes";

  /** UpDownCounter: copies in the hot cache. */
  public static final String CACHE_ENTRIES = "flight.server.cache.entries";

  // Coordinator.
  /** Gauge: data servers holding a live lease. */
  public static final String COORDINATOR_SERVERS = "flight.coordinator.servers";

  /** Gauge: datasets listed. */
  public static final String COORDINATOR_DATASETS = "flight.coordinator.datasets";

  /** Gauge: dataset replicas (one per dataset and server that holds it). */
  public static final String COORDINATOR_SHARDS = "flight.coordinator.shards";

  /** Gauge: dataset names that live servers hold with different contents. */
  public static final String COORDINATOR_CONFLICTS = "flight.coordinator.conflicts";

  /** Counter: servers dropped because their lease expired. */
  public static final String COORDINATOR_EVICTIONS = "flight.coordinator.evictions";

  /** Gauge: seconds since each live server's last hello or heartbeat, per server. */
  public static final String COORDINATOR_HEARTBEAT_AGE = "flight.coordinator.heartbeat.age";

  /** Counter: hellos (registrations) accepted. */
  public static final String COORDINATOR_HELLOS = "flight.coordinator.hellos";

  /** Counter: heartbeats accepted. */
  public static final String COORDINATOR_HEARTBEATS = "flight.coordinator.heartbeats";

  private FlightMetrics() {}
}
