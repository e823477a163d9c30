package dev.flightcluster.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Objects;

/**
 * What a data server reports about its recent work in each {@link Heartbeat}, for the coordinator's
 * status page. Bounded whatever the sender: the lists are cut to their maximum sizes and the error
 * message to {@link #MAX_ERROR_CHARS} when decoded.
 *
 * @param bytesStreamed Arrow buffer bytes sent by DoGet since the server started; the coordinator
 *     turns successive values into throughput
 * @param rowsStreamed rows sent by DoGet since the server started
 * @param lastError the last failed DoGet or DoPut, or null when none failed
 * @param slowRequests the slowest recent DoGets, slowest first, at most {@link #MAX_SLOW_REQUESTS}
 * @param coordinators the coordinator addresses the server is registered with, at most {@link
 *     #MAX_COORDINATORS}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServerStats(
    @JsonProperty("bytes_streamed") long bytesStreamed,
    @JsonProperty("rows_streamed") long rowsStreamed,
    @JsonProperty("last_error") LastError lastError,
    @JsonProperty("slow_requests") List<SlowRequest> slowRequests,
    @JsonProperty("coordinators") List<String> coordinators) {
  /** Slow requests kept per server. */
  public static final int MAX_SLOW_REQUESTS = 5;

  /** Coordinator addresses kept per server. */
  public static final int MAX_COORDINATORS = 16;

  /** Characters of an error message kept. */
  public static final int MAX_ERROR_CHARS = 300;

  public ServerStats {
    slowRequests = bounded(slowRequests, MAX_SLOW_REQUESTS);
    coordinators = bounded(coordinators, MAX_COORDINATORS);
  }

  private static <T> List<T> bounded(List<T> list, int max) {
    if (list == null) {
      return List.of();
    }
    return list.stream().filter(Objects::nonNull).limit(max).toList();
  }

  /**
   * A failed call.
   *
   * @param status the Flight status code's name, e.g. {@code UNAVAILABLE}
   * @param message the description the client received, cut to {@link #MAX_ERROR_CHARS}
   * @param atMillis when it failed, epoch milliseconds
   */
  public record LastError(
      @JsonProperty("status") String status,
      @JsonProperty("message") String message,
      @JsonProperty("at_millis") long atMillis) {
    public LastError {
      status = status == null ? "UNKNOWN" : status;
      message = message == null ? "" : message;
      if (message.length() > MAX_ERROR_CHARS) {
        message = message.substring(0, MAX_ERROR_CHARS) + "…";
      }
    }
  }

  /**
   * One slow DoGet.
   *
   * @param dataset the dataset read
   * @param durationMillis from the start of the stream to its end
   * @param traceId the W3C trace id of the call, or null when it was not traced
   * @param atMillis when it ended, epoch milliseconds
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SlowRequest(
      @JsonProperty("dataset") String dataset,
      @JsonProperty("duration_millis") long durationMillis,
      @JsonProperty("trace_id") String traceId,
      @JsonProperty("at_millis") long atMillis) {}
}
