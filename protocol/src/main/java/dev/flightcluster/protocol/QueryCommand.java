package dev.flightcluster.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightDescriptor;

/**
 * The body of a CMD descriptor that reads part of a dataset: {@code {"dataset": "NAME", "columns":
 * ["a", "b"], "filter": "SQL boolean expression", "limit": N}}, every field but {@code dataset}
 * optional. GetFlightInfo and GetSchema at any coordinator accept it.
 *
 * @param dataset the dataset
 * @param columns the columns to return; empty or absent for all
 * @param filter the rows to return, a SQL boolean expression; absent for all
 * @param limit at most this many rows; absent for all
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record QueryCommand(
    @JsonProperty("dataset") DatasetName dataset,
    @JsonProperty("columns") List<String> columns,
    @JsonProperty("filter") String filter,
    @JsonProperty("limit") Long limit) {
  /** Longest command accepted, in bytes. */
  public static final int MAX_BYTES = 1 << 20;

  public QueryCommand {
    if (dataset == null) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription("a query command names its dataset: {\"dataset\": \"NAME\", ...}")
          .toRuntimeException();
    }
    Pushdown checked = new Pushdown(columns, filter, limit);
    columns = checked.columns();
    filter = checked.filter();
  }

  /** A command for {@code dataset} with {@code pushdown}. */
  public static QueryCommand of(DatasetName dataset, Pushdown pushdown) {
    requireNonNull(pushdown, "pushdown is null");
    return new QueryCommand(dataset, pushdown.columns(), pushdown.filter(), pushdown.limit());
  }

  /** The columns, filter and limit. */
  public Pushdown pushdown() {
    return new Pushdown(columns, filter, limit);
  }

  /** The CMD descriptor carrying this command as JSON. */
  public FlightDescriptor toDescriptor() {
    return FlightDescriptor.command(Messages.encode(this));
  }

  /**
   * Whether a CMD body is one of ours rather than another protocol's (Flight SQL's commands are
   * protobuf {@code Any} messages, which never start with a JSON object's brace).
   */
  public static boolean isQueryCommand(byte[] body) {
    for (byte b : body) {
      if (b == ' ' || b == '\t' || b == '\r' || b == '\n') {
        continue;
      }
      return b == '{';
    }
    return false;
  }

  /**
   * Reads a CMD body.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException INVALID_ARGUMENT when it is too large,
   *     not JSON of this shape, or names an invalid dataset
   */
  public static QueryCommand decode(byte[] body) {
    requireNonNull(body, "body is null");
    if (body.length > MAX_BYTES) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription(
              "a query command is " + body.length + " bytes; at most " + MAX_BYTES + " are read")
          .toRuntimeException();
    }
    return Messages.decode(body, QueryCommand.class);
  }

  @Override
  public String toString() {
    return new String(Messages.encode(this), StandardCharsets.UTF_8);
  }
}
