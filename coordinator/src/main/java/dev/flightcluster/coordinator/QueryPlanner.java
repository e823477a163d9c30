package dev.flightcluster.coordinator;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.DatasetTicket;
import dev.flightcluster.protocol.Pushdown;
import dev.flightcluster.protocol.QueryCommand;
import dev.flightcluster.protocol.Tickets;
import dev.flightcluster.query.RowFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Location;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Plans a read of part of a dataset ({@link QueryCommand}: columns, filter, limit) as a FlightInfo
 * whose endpoints are the dataset's shards, as for its PATH descriptor, with tickets that carry the
 * pushdown to the data servers (decisions D81). Files whose hive partition values cannot match the
 * filter are dropped before planning, and an endpoint left with no file is not returned, so its
 * servers are not asked at all.
 *
 * <p>Everything the caller can get wrong is checked here, before anything is scanned: the dataset
 * is served (NOT_FOUND), the columns exist (INVALID_ARGUMENT naming the unknown ones), and the
 * filter parses against the dataset's schema (INVALID_ARGUMENT with its position). The plan is a
 * function of the catalog snapshot and the command, so every coordinator with the same servers
 * answers with the same FlightInfo.
 *
 * <p>Immutable and thread-safe. It checks no role: the caller's Flight method (GetFlightInfo,
 * GetSchema) is authorized by the auth middleware before it runs.
 */
public final class QueryPlanner {
  private final Supplier<DatasetCatalog> catalogs;
  private final WarmUp warmUp;

  /**
   * @param catalogs the current catalog snapshot, read once per call
   * @param warmUp refuses reads until the catalog is complete
   */
  QueryPlanner(Supplier<DatasetCatalog> catalogs, WarmUp warmUp) {
    this.catalogs = requireNonNull(catalogs, "catalogs is null");
    this.warmUp = requireNonNull(warmUp, "warmUp is null");
  }

  /**
   * The FlightInfo of {@code command}: the projected schema, endpoints that carry the pushdown,
   * total_records -1 with a filter (else the dataset's rows, at most the limit) and total_bytes -1
   * unless every column and row is read.
   *
   * @param descriptor the descriptor the FlightInfo names, the one the caller asked with
   * @throws org.apache.arrow.flight.FlightRuntimeException UNAVAILABLE while warming up, NOT_FOUND
   *     for a dataset not served, INVALID_ARGUMENT for unknown columns or a bad filter
   */
  public FlightInfo flightInfo(FlightDescriptor descriptor, QueryCommand command) {
    requireNonNull(descriptor, "descriptor is null");
    requireNonNull(command, "command is null");
    warmUp.check("GetFlightInfo");
    DatasetCatalog catalog = catalogs.get();
    DatasetName name = command.dataset();
    FlightInfo served = catalog.require(name);
    Schema schema = served.getSchema();
    Schema projected = project(schema, command.columns(), name);
    Pushdown pushdown = command.pushdown();
    RowFilter filter =
        pushdown.filter() == null ? null : RowFilter.parse(pushdown.filter(), schema);
    List<String> files = catalog.files(name);

    List<FlightEndpoint> endpoints = new ArrayList<>(served.getEndpoints().size());
    for (FlightEndpoint endpoint : served.getEndpoints()) {
      DatasetTicket ticket = Tickets.decode(endpoint.getTicket());
      List<String> ticketFiles = ticket.files().isEmpty() ? files : ticket.files();
      List<String> kept = filter == null ? ticketFiles : matching(ticketFiles, filter, schema);
      if (!ticketFiles.isEmpty() && kept.isEmpty()) {
        continue; // no file of it can hold a matching row: its servers are not asked
      }
      // A whole-dataset ticket stays whole unless pruning dropped some of its files.
      List<String> named = kept.size() == ticketFiles.size() ? ticket.files() : kept;
      DatasetTicket planned = new DatasetTicket(name, named, null, pushdown);
      endpoints.add(
          new FlightEndpoint(
              Tickets.of(planned), endpoint.getLocations().toArray(new Location[0])));
    }

    long records = served.getRecords();
    if (filter != null) {
      records = -1;
    } else if (records >= 0 && pushdown.limit() != null) {
      records = Math.min(records, pushdown.limit());
    }
    boolean everything =
        filter == null
            && command.columns().isEmpty()
            && (pushdown.limit() == null
                || (served.getRecords() >= 0 && pushdown.limit() >= served.getRecords()));
    return FlightInfo.builder(projected, descriptor, endpoints)
        .setRecords(records)
        .setBytes(everything ? served.getBytes() : -1)
        .setOrdered(false)
        .setAppMetadata(served.getAppMetadata())
        .build();
  }

  /**
   * The schema {@code command} reads: the dataset's columns it names, in its order (all of them
   * when it names none). Checks the filter as {@link #flightInfo} does.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException as {@link #flightInfo}
   */
  public Schema schema(QueryCommand command) {
    requireNonNull(command, "command is null");
    warmUp.check("GetSchema");
    DatasetName name = command.dataset();
    Schema schema = catalogs.get().require(name).getSchema();
    Schema projected = project(schema, command.columns(), name);
    if (command.filter() != null) {
      RowFilter.parse(command.filter(), schema);
    }
    return projected;
  }

  private static List<String> matching(List<String> files, RowFilter filter, Schema schema) {
    List<String> kept = new ArrayList<>(files.size());
    for (String file : files) {
      if (filter.canMatch(PartitionValues.of(file, schema))) {
        kept.add(file);
      }
    }
    return kept;
  }

  private static Schema project(Schema schema, List<String> columns, DatasetName name) {
    if (columns.isEmpty()) {
      return schema;
    }
    List<Field> fields = new ArrayList<>(columns.size());
    List<String> unknown = new ArrayList<>();
    for (String column : columns) {
      Field field = field(schema, column);
      if (field == null) {
        unknown.add(column);
      } else {
        fields.add(field);
      }
    }
    if (!unknown.isEmpty()) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription(
              "dataset '"
                  + name
                  + "' has no column"
                  + (unknown.size() == 1 ? " " : "s ")
                  + String.join(", ", unknown.stream().map(c -> "'" + c + "'").toList())
                  + "; its columns are "
                  + String.join(", ", schema.getFields().stream().map(Field::getName).toList()))
          .toRuntimeException();
    }
    return new Schema(fields, schema.getCustomMetadata());
  }

  private static Field field(Schema schema, String name) {
    for (Field field : schema.getFields()) {
      if (field.getName().equals(name)) {
        return field;
      }
    }
    return null;
  }
}
