package dev.flightcluster.coordinator;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.coordinator.sql.SqlTables;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.QueryCommand;
import java.util.List;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The Flight SQL face's view of this coordinator: the registry's catalog of the moment, refused
 * while warming up like every catalog read, and the query planner.
 */
final class CatalogTables implements SqlTables {
  private final Registry registry;
  private final WarmUp warmUp;
  private final QueryPlanner planner;

  CatalogTables(Registry registry, WarmUp warmUp, QueryPlanner planner) {
    this.registry = requireNonNull(registry, "registry is null");
    this.warmUp = requireNonNull(warmUp, "warmUp is null");
    this.planner = requireNonNull(planner, "planner is null");
  }

  @Override
  public List<FlightInfo> tables(String operation) {
    warmUp.check(operation);
    return registry.catalog().list("");
  }

  @Override
  public FlightInfo table(DatasetName name, String operation) {
    warmUp.check(operation);
    return registry
        .catalog()
        .find(name)
        .orElseThrow(
            () ->
                CallStatus.NOT_FOUND
                    .withDescription(
                        "no table '"
                            + name
                            + "': the tables are the datasets the cluster serves (GetTables, or"
                            + " DatabaseMetaData.getTables, lists them)")
                    .toRuntimeException());
  }

  @Override
  public FlightInfo plan(FlightDescriptor descriptor, QueryCommand command) {
    return planner.flightInfo(descriptor, command);
  }

  @Override
  public Schema schema(QueryCommand command) {
    return planner.schema(command);
  }
}
