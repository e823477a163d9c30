package dev.flightcluster.coordinator;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.auth.AccessPolicy;
import dev.flightcluster.auth.AuthMiddleware;
import dev.flightcluster.auth.Principal;
import dev.flightcluster.coordinator.write.PutPlanner;
import dev.flightcluster.otel.producer.GuardedProducer;
import dev.flightcluster.protocol.ChooseServer;
import dev.flightcluster.protocol.ClusterActions;
import dev.flightcluster.protocol.ClusterStatus;
import dev.flightcluster.protocol.ConflictReport;
import dev.flightcluster.protocol.DatasetName;
import dev.flightcluster.protocol.Descriptors;
import dev.flightcluster.protocol.Goodbye;
import dev.flightcluster.protocol.Heartbeat;
import dev.flightcluster.protocol.Hello;
import dev.flightcluster.protocol.Messages;
import dev.flightcluster.protocol.PlanPut;
import dev.flightcluster.protocol.PutPlan;
import dev.flightcluster.protocol.QueryCommand;
import dev.flightcluster.protocol.ServerChoice;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.ActionType;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightProducer;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.SchemaResult;
import org.apache.arrow.flight.Ticket;

/**
 * The coordinator's Flight service: metadata calls answered from the registry, and the cluster
 * actions. It serves no data; the data calls fail with UNIMPLEMENTED saying where to go instead.
 *
 * <p>Every method but say_hello and heartbeat answers synchronously on the gRPC call's thread;
 * those two finish on a callback thread, in the call's trace. Catalog reads are refused with
 * UNAVAILABLE while the coordinator warms up ({@link WarmUp}), after the request is validated.
 */
final class CoordinatorProducer implements FlightProducer {
  /** The protocol's actions plus the coordinator's own diagnostic. */
  static final List<ActionType> ACTIONS =
      Stream.concat(
              ClusterActions.COORDINATOR_ACTIONS.stream(),
              Stream.of(
                  new ActionType(
                      ClusterActions.LIST_CONFLICTS,
                      "Datasets live servers hold with different contents, and which variant"
                          + " serves: no body"),
                  new ActionType(
                      ClusterActions.CLUSTER_STATUS,
                      "This coordinator's view of the cluster, the data of its status page: no"
                          + " body")))
          .toList();

  private static final String ACTION_NAMES =
      ACTIONS.stream().map(ActionType::getType).collect(Collectors.joining(", "));

  /** Which action needs which role, when the coordinator authenticates its callers. */
  private static final AccessPolicy POLICY = AccessPolicy.coordinator();

  private final Registry registry;
  private final Membership membership;
  private final WarmUp warmUp;
  private final PutPlanner putPlanner = new PutPlanner();
  private final Supplier<ClusterStatus> status;
  private final QueryPlanner queryPlanner;

  CoordinatorProducer(
      Registry registry,
      Membership membership,
      WarmUp warmUp,
      QueryPlanner queryPlanner,
      Supplier<ClusterStatus> status) {
    this.registry = requireNonNull(registry, "registry is null");
    this.membership = requireNonNull(membership, "membership is null");
    this.warmUp = requireNonNull(warmUp, "warmUp is null");
    this.status = requireNonNull(status, "status is null");
    this.queryPlanner = requireNonNull(queryPlanner, "queryPlanner is null");
  }

  @Override
  public void listFlights(
      CallContext context, Criteria criteria, StreamListener<FlightInfo> listener) {
    String prefix = prefix(criteria);
    warmUp.check("ListFlights");
    registry.catalog().list(prefix).forEach(listener::onNext);
    listener.onCompleted();
  }

  @Override
  public FlightInfo getFlightInfo(CallContext context, FlightDescriptor descriptor) {
    QueryCommand query = queryCommand(descriptor);
    if (query != null) {
      return queryPlanner.flightInfo(descriptor, query);
    }
    DatasetName name = Descriptors.datasetName(descriptor);
    warmUp.check("GetFlightInfo");
    return registry.catalog().require(name);
  }

  @Override
  public SchemaResult getSchema(CallContext context, FlightDescriptor descriptor) {
    QueryCommand query = queryCommand(descriptor);
    if (query != null) {
      return new SchemaResult(queryPlanner.schema(query));
    }
    // A merged info always has a schema: the puller drops listings without one.
    return new SchemaResult(getFlightInfo(context, descriptor).getSchema());
  }

  /**
   * The dispatch point for CMD descriptors: a JSON body is a {@link QueryCommand} (decisions D81);
   * null for a PATH descriptor, and for any other CMD body, which {@link Descriptors#datasetName}
   * refuses with UNIMPLEMENTED.
   */
  private static QueryCommand queryCommand(FlightDescriptor descriptor) {
    if (descriptor.isCommand() && QueryCommand.isQueryCommand(descriptor.getCommand())) {
      return QueryCommand.decode(descriptor.getCommand());
    }
    return null;
  }

  @Override
  public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
    listener.error(
        CallStatus.UNIMPLEMENTED
            .withDescription(
                "the coordinator serves no data: call GetFlightInfo here, then DoGet the endpoint's"
                    + " ticket at one of its locations (a data server)")
            .toRuntimeException());
  }

  @Override
  public Runnable acceptPut(
      CallContext context, FlightStream flightStream, StreamListener<PutResult> ackStream) {
    throw CallStatus.UNIMPLEMENTED
        .withDescription(
            "the coordinator stores no data: call DoAction choose_server {\"dataset\": NAME} here,"
                + " then DoPut at the location it returns")
        .toRuntimeException();
  }

  @Override
  public void doExchange(CallContext context, FlightStream reader, ServerStreamListener writer) {
    throw CallStatus.UNIMPLEMENTED
        .withDescription(
            "the coordinator serves no data: call DoExchange at a data server location from"
                + " GetFlightInfo")
        .toRuntimeException();
  }

  /**
   * say_hello and heartbeat may wait for a callback to the data server: their reply is sent from
   * the callback thread when it is done, and the gRPC thread returns at once.
   */
  @Override
  public void doAction(CallContext context, Action action, StreamListener<Result> listener) {
    POLICY.checkAction(context, action.getType());
    // Without authentication every caller is the same anonymous owner.
    String caller = AuthMiddleware.caller(context).map(Principal::user).orElse("");
    byte[] body = action.getBody();
    switch (action.getType()) {
      case ClusterActions.SAY_HELLO ->
          replyWhenDone(
              action, membership.hello(Messages.decode(body, Hello.class), caller), listener);
      case ClusterActions.HEARTBEAT ->
          replyWhenDone(
              action,
              membership.heartbeat(Messages.decode(body, Heartbeat.class), caller),
              listener);
      default -> reply(doSyncAction(action, caller), listener);
    }
  }

  private static void replyWhenDone(
      Action action, CompletableFuture<?> reply, StreamListener<Result> listener) {
    reply.whenComplete(
        (value, failure) -> {
          if (failure == null) {
            reply(Messages.encode(value), listener);
            return;
          }
          Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
          listener.onError(
              cause instanceof RuntimeException runtime
                  ? GuardedProducer.translate(
                      Coordinator.SERVICE, "DoAction " + action.getType(), runtime)
                  : GuardedProducer.translate(
                      Coordinator.SERVICE,
                      "DoAction " + action.getType(),
                      new IllegalStateException(cause)));
        });
  }

  private static void reply(byte[] result, StreamListener<Result> listener) {
    if (result != null) {
      listener.onNext(new Result(result));
    }
    listener.onCompleted();
  }

  private byte[] doSyncAction(Action action, String caller) {
    byte[] body = action.getBody();
    byte[] result =
        switch (action.getType()) {
          case ClusterActions.GOODBYE -> {
            membership.goodbye(Messages.decode(body, Goodbye.class), caller);
            yield null;
          }
          case ClusterActions.CHOOSE_SERVER ->
              Messages.encode(chooseServer(Messages.decode(body, ChooseServer.class)));
          case ClusterActions.PLAN_PUT ->
              Messages.encode(planPut(Messages.decode(body, PlanPut.class)));
          case ClusterActions.LIST_CONFLICTS -> {
            warmUp.check("list_conflicts");
            yield Messages.encode(new ConflictReport(registry.catalog().conflicts()));
          }
          // Not refused while warming up: the status says so, and it is what an operator asks then.
          case ClusterActions.CLUSTER_STATUS -> Messages.encode(status.get());
          default ->
              // Not the caller's mistake in a request we serve, but a request we do not serve.
              throw CallStatus.UNIMPLEMENTED
                  .withDescription(
                      "the coordinator does not serve action '"
                          + action.getType()
                          + "'; it serves "
                          + ACTION_NAMES
                          + " (ListActions describes them)")
                  .toRuntimeException();
        };
    return result;
  }

  @Override
  public void listActions(CallContext context, StreamListener<ActionType> listener) {
    ACTIONS.forEach(listener::onNext);
    listener.onCompleted();
  }

  private ServerChoice chooseServer(ChooseServer request) {
    DatasetName name = DatasetName.of(request.dataset());
    if (name.segments().size() != 1) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription(
              "an upload names one path segment such as \"sales.parquet\" or \"trips\"; got '"
                  + name
                  + "'")
          .toRuntimeException();
    }
    // A server not heard from yet may hold the name: the upload would become a conflict.
    warmUp.check("choose_server");
    DatasetCatalog catalog = registry.catalog();
    List<String> holders = catalog.holders(name);
    if (!holders.isEmpty()) {
      throw CallStatus.ALREADY_EXISTS
          .withDescription(
              "dataset '"
                  + name
                  + "' already exists on "
                  + holders
                  + "; upload it under another name")
          .toRuntimeException();
    }
    return registry.liveServers().stream()
        .min(RegisteredServer.UPLOAD_ORDER)
        .map(server -> new ServerChoice(server.id(), server.location().getUri().toString()))
        .orElseThrow(
            () ->
                CallStatus.UNAVAILABLE
                    .withDescription(
                        "no live data servers: start one with --coordinator pointing here")
                    .toRuntimeException());
  }

  private PutPlan planPut(PlanPut request) {
    DatasetName name = DatasetName.of(request.name());
    // A server not heard from yet may hold the name: the put would become a conflict.
    warmUp.check("plan_put");
    DatasetCatalog catalog = registry.catalog();
    List<String> holders = catalog.holders(name);
    // Held but not served (in conflict): the name is taken all the same, with no schema to match.
    Optional<PutPlanner.Existing> existing =
        holders.isEmpty()
            ? Optional.empty()
            : Optional.of(
                new PutPlanner.Existing(
                    holders, catalog.find(name).map(FlightInfo::getSchema).orElse(null)));
    List<PutPlanner.Candidate> live =
        registry.liveServers().stream()
            .map(
                server ->
                    new PutPlanner.Candidate(
                        server.id(), server.location().getUri().toString(), server.activeStreams()))
            .toList();
    return putPlanner.plan(request, existing, live);
  }

  private static String prefix(Criteria criteria) {
    byte[] expression = criteria.getExpression();
    if (expression == null || expression.length == 0) {
      return "";
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(expression))
          .toString();
    } catch (CharacterCodingException e) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription("ListFlights criteria must be a UTF-8 dataset name prefix")
          .toRuntimeException();
    }
  }
}
