package dev.flightcluster.coordinator.sql;

import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.QueryCommand;
import java.util.List;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * What the Flight SQL face needs of the coordinator: its catalog of datasets and its query planner.
 * Implementations answer from the coordinator's snapshot of the moment and are thread-safe.
 */
public interface SqlTables {
  /**
   * The datasets the cluster serves, by name.
   *
   * @param operation the Flight SQL call asking, for the UNAVAILABLE message while warming up
   * @throws org.apache.arrow.flight.FlightRuntimeException UNAVAILABLE while the coordinator warms
   *     up
   */
  List<FlightInfo> tables(String operation);

  /**
   * One dataset, whole.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException NOT_FOUND when the cluster does not
   *     serve it; UNAVAILABLE while the coordinator warms up
   */
  FlightInfo table(DatasetName name, String operation);

  /**
   * Plans a query: the projected schema and the endpoints at the data servers, with tickets
   * carrying the pushdown, under {@code descriptor}.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException INVALID_ARGUMENT for an unknown column
   *     or a bad filter; NOT_FOUND for an unknown dataset
   */
  FlightInfo plan(FlightDescriptor descriptor, QueryCommand command);

  /** The schema {@link #plan} would return, checked as it checks it. */
  Schema schema(QueryCommand command);
}
