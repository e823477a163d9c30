package dev.flightcluster.coordinator;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.flightcluster.auth.AccessPolicy;
import dev.flightcluster.coordinator.sql.ClusterSqlProducer;
import dev.flightcluster.protocol.QueryCommand;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.ActionType;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightProducer;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.SchemaResult;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.flight.sql.FlightSqlProducer;
import org.apache.arrow.flight.sql.FlightSqlUtils;

/**
 * One Flight service, two protocols on the same port (D83): Flight SQL requests go to the Flight
 * SQL producer, everything else to the cluster's own producer. A Flight SQL request is a CMD
 * descriptor or a ticket whose body is a Flight SQL protobuf {@code Any} (never one of our JSON
 * query commands, {@link QueryCommand#isQueryCommand}), or one of the Flight SQL actions; any other
 * CMD body stays with the cluster's producer, which says what it serves.
 */
final class FlightSqlRouter implements FlightProducer {
  /** The Flight SQL protobuf messages' type URL prefix. */
  private static final String FLIGHT_SQL_TYPE = "type.googleapis.com/arrow.flight.protocol.sql.";

  /** The Flight SQL actions served; the other Flight SQL actions are UNIMPLEMENTED. */
  static final List<ActionType> SQL_ACTIONS =
      List.of(
          FlightSqlUtils.FLIGHT_SQL_CREATE_PREPARED_STATEMENT,
          FlightSqlUtils.FLIGHT_SQL_CLOSE_PREPARED_STATEMENT);

  private static final Set<String> SQL_ACTION_NAMES =
      FlightSqlUtils.FLIGHT_SQL_ACTIONS.stream()
          .map(ActionType::getType)
          .collect(Collectors.toUnmodifiableSet());

  private static final AccessPolicy POLICY = AccessPolicy.coordinator();

  private final FlightProducer cluster;
  private final FlightSqlProducer sql;

  FlightSqlRouter(FlightProducer cluster, FlightSqlProducer sql) {
    this.cluster = requireNonNull(cluster, "cluster is null");
    this.sql = requireNonNull(sql, "sql is null");
  }

  @Override
  public void listFlights(
      CallContext context, Criteria criteria, StreamListener<FlightInfo> listener) {
    cluster.listFlights(context, criteria, listener);
  }

  @Override
  public FlightInfo getFlightInfo(CallContext context, FlightDescriptor descriptor) {
    return isSql(descriptor)
        ? sql.getFlightInfo(context, descriptor)
        : cluster.getFlightInfo(context, descriptor);
  }

  @Override
  public SchemaResult getSchema(CallContext context, FlightDescriptor descriptor) {
    return isSql(descriptor)
        ? sql.getSchema(context, descriptor)
        : cluster.getSchema(context, descriptor);
  }

  @Override
  public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
    if (isSql(ticket)) {
      sql.getStream(context, ticket, listener);
    } else {
      cluster.getStream(context, ticket, listener);
    }
  }

  @Override
  public Runnable acceptPut(
      CallContext context, FlightStream flightStream, StreamListener<PutResult> ackStream) {
    return isSql(flightStream.getDescriptor())
        ? sql.acceptPut(context, flightStream, ackStream)
        : cluster.acceptPut(context, flightStream, ackStream);
  }

  @Override
  public void doExchange(CallContext context, FlightStream reader, ServerStreamListener writer) {
    cluster.doExchange(context, reader, writer);
  }

  @Override
  public void doAction(CallContext context, Action action, StreamListener<Result> listener) {
    if (!SQL_ACTION_NAMES.contains(action.getType())) {
      cluster.doAction(context, action, listener);
      return;
    }
    POLICY.checkAction(context, action.getType());
    if (SQL_ACTIONS.stream().noneMatch(type -> type.getType().equals(action.getType()))) {
      throw ClusterSqlProducer.unimplementedAction(action.getType());
    }
    sql.doAction(context, action, listener);
  }

  @Override
  public void listActions(CallContext context, StreamListener<ActionType> listener) {
    Stream.concat(CoordinatorProducer.ACTIONS.stream(), SQL_ACTIONS.stream())
        .forEach(listener::onNext);
    listener.onCompleted();
  }

  /**
   * A CMD body that is neither our JSON nor a Flight SQL message stays with the cluster's producer,
   * which says what it serves.
   */
  private static boolean isSql(FlightDescriptor descriptor) {
    return descriptor.isCommand() && isFlightSqlMessage(descriptor.getCommand());
  }

  private static boolean isSql(Ticket ticket) {
    return isFlightSqlMessage(ticket.getBytes());
  }

  private static boolean isFlightSqlMessage(byte[] bytes) {
    if (bytes.length == 0 || QueryCommand.isQueryCommand(bytes)) {
      return false;
    }
    try {
      return Any.parseFrom(bytes).getTypeUrl().startsWith(FLIGHT_SQL_TYPE);
    } catch (InvalidProtocolBufferException e) {
      return false;
    }
  }
}
