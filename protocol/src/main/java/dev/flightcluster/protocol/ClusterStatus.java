package dev.flightcluster.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One coordinator's view of the cluster at one moment: the data of its status page ({@code GET
 * /api/cluster}) and the result of {@link ClusterActions#CLUSTER_STATUS}. Sizes are bounded by the
 * cluster itself: one entry per live server, dataset and known coordinator, and a fixed number of
 * throughput samples.
 *
 * @param generatedAtMillis when the coordinator took it, epoch milliseconds, by its clock
 * @param coordinator the coordinator answering
 * @param coordinators every coordinator it knows of: itself, and those its live servers report
 *     being registered with (a coordinator does not talk to its peers)
 * @param servers the live data servers, by id
 * @param datasets the datasets served, by name
 * @param conflicts the names live servers hold with different contents
 * @param throughput bytes and rows streamed by all live servers per interval, oldest first
 * @param slowRequests the slowest recent DoGets of all live servers, slowest first
 * @param jaegerUrl the Jaeger UI that trace ids link to, or null when none is configured
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClusterStatus(
    @JsonProperty("generated_at_millis") long generatedAtMillis,
    @JsonProperty("coordinator") Self coordinator,
    @JsonProperty("coordinators") List<KnownCoordinator> coordinators,
    @JsonProperty("servers") List<Server> servers,
    @JsonProperty("datasets") List<Dataset> datasets,
    @JsonProperty("conflicts") List<DatasetConflict> conflicts,
    @JsonProperty("throughput") List<ThroughputSample> throughput,
    @JsonProperty("slow_requests") List<SlowRequest> slowRequests,
    @JsonProperty("jaeger_url") String jaegerUrl) {
  public ClusterStatus {
    coordinators = List.copyOf(orEmpty(coordinators));
    servers = List.copyOf(orEmpty(servers));
    datasets = List.copyOf(orEmpty(datasets));
    conflicts = List.copyOf(orEmpty(conflicts));
    throughput = List.copyOf(orEmpty(throughput));
    slowRequests = List.copyOf(orEmpty(slowRequests));
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }

  /**
   * The coordinator answering.
   *
   * @param location its Flight location
   * @param warm whether it answers catalog reads (its readiness)
   * @param leaseMillis the lease it grants data servers
   */
  public record Self(
      @JsonProperty("location") String location,
      @JsonProperty("warm") boolean warm,
      @JsonProperty("lease_millis") long leaseMillis) {}

  /**
   * A coordinator known by its address.
   *
   * @param address its Flight address as the servers dialled it, or its own location
   * @param self whether it is the coordinator answering
   * @param reportedBy the ids of the live servers registered with it, sorted
   */
  public record KnownCoordinator(
      @JsonProperty("address") String address,
      @JsonProperty("self") boolean self,
      @JsonProperty("reported_by") List<String> reportedBy) {}

  /**
   * A live data server.
   *
   * @param heartbeatAgeMillis time since its last hello or heartbeat renewed its lease
   * @param leaseLeftMillis time until its lease runs out without another heartbeat
   * @param overdue whether its heartbeat is late (more than two intervals)
   * @param datasets the names it holds, sorted
   * @param bytesStreamed bytes it reports streamed since it started, 0 from servers that do not
   *     report
   * @param rowsStreamed rows it reports streamed since it started
   * @param lastError its last failed call, or null
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Server(
      @JsonProperty("id") String id,
      @JsonProperty("location") String location,
      @JsonProperty("heartbeat_age_millis") long heartbeatAgeMillis,
      @JsonProperty("lease_left_millis") long leaseLeftMillis,
      @JsonProperty("overdue") boolean overdue,
      @JsonProperty("active_streams") int activeStreams,
      @JsonProperty("datasets") List<String> datasets,
      @JsonProperty("bytes_streamed") long bytesStreamed,
      @JsonProperty("rows_streamed") long rowsStreamed,
      @JsonProperty("last_error") ServerStats.LastError lastError) {}

  /**
   * A dataset the coordinator serves.
   *
   * @param endpoints the endpoints (shards) of its FlightInfo
   * @param replicas the most locations any endpoint has
   * @param servers the ids of every live server holding the name, in any variant, sorted
   * @param conflicted whether live servers hold it with different contents
   */
  public record Dataset(
      @JsonProperty("name") String name,
      @JsonProperty("rows") long rows,
      @JsonProperty("bytes") long bytes,
      @JsonProperty("endpoints") int endpoints,
      @JsonProperty("replicas") int replicas,
      @JsonProperty("servers") List<String> servers,
      @JsonProperty("conflicted") boolean conflicted) {}

  /**
   * What the live servers streamed in one interval.
   *
   * @param atMillis the end of the interval, epoch milliseconds
   * @param seconds the interval's length
   */
  public record ThroughputSample(
      @JsonProperty("at_millis") long atMillis,
      @JsonProperty("seconds") double seconds,
      @JsonProperty("bytes_per_second") double bytesPerSecond,
      @JsonProperty("rows_per_second") double rowsPerSecond) {}

  /** A slow DoGet with the server that served it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SlowRequest(
      @JsonProperty("server_id") String serverId,
      @JsonProperty("dataset") String dataset,
      @JsonProperty("duration_millis") long durationMillis,
      @JsonProperty("trace_id") String traceId,
      @JsonProperty("at_millis") long atMillis) {}
}
