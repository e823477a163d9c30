package dev.flightcluster.auth;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.ClusterActions;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightMethod;
import org.apache.arrow.flight.FlightProducer.CallContext;

/**
 * Which role each Flight RPC and each action needs, at a coordinator or at a data server. {@code
 * admin} may do everything; a call or action not listed is open to every authenticated user (it is
 * answered UNIMPLEMENTED or is harmless, like ListActions). Immutable.
 *
 * <p>The RPC is checked by {@link AuthMiddleware} when the call starts; the action by the producer,
 * which is where the action's name is read ({@link #checkAction(CallContext, String)}).
 */
public final class AccessPolicy {
  private static final Set<Role> READERS = EnumSet.of(Role.READ, Role.WRITE);
  private static final Set<Role> WRITERS = EnumSet.of(Role.WRITE);
  private static final Set<Role> NODES = EnumSet.of(Role.NODE);

  private final Map<FlightMethod, Set<Role>> calls;
  private final Map<String, Set<Role>> actions;

  private AccessPolicy(Map<FlightMethod, Set<Role>> calls, Map<String, Set<Role>> actions) {
    this.calls = Map.copyOf(calls);
    this.actions = Map.copyOf(actions);
  }

  /**
   * A coordinator's: catalog reads for read and write users, choose_server for write users, the
   * membership actions (say_hello, heartbeat, goodbye) for node users.
   */
  public static AccessPolicy coordinator() {
    return new AccessPolicy(
        Map.of(
            FlightMethod.LIST_FLIGHTS, READERS,
            FlightMethod.GET_FLIGHT_INFO, READERS,
            FlightMethod.POLL_FLIGHT_INFO, READERS,
            FlightMethod.GET_SCHEMA, READERS,
            FlightMethod.DO_GET, READERS,
            FlightMethod.DO_PUT, WRITERS,
            FlightMethod.DO_EXCHANGE, WRITERS),
        Map.of(
            ClusterActions.SAY_HELLO,
            NODES,
            ClusterActions.HEARTBEAT,
            NODES,
            ClusterActions.GOODBYE,
            NODES,
            ClusterActions.CHOOSE_SERVER,
            WRITERS,
            ClusterActions.PLAN_PUT,
            WRITERS,
            ClusterActions.LIST_CONFLICTS,
            READERS,

            // The status page's data (decisions D72): the same rule as the page itself.
            ClusterActions.CLUSTER_STATUS,
            READERS,
            // Flight SQL prepared statements (D83) read, like the queries they prepare.
            "CreatePreparedStatement",
            READERS,
            "ClosePreparedStatement",
            READERS));
  }

  /**
   * A data server's: reads for read and write users, DoPut and the put actions (commit_put,
   * abort_put) for write users, and ListFlights for node users too, since coordinators list a
   * server's datasets with a node token.
   */
  public static AccessPolicy dataServer() {
    return new AccessPolicy(
        Map.of(
            FlightMethod.LIST_FLIGHTS, EnumSet.of(Role.READ, Role.WRITE, Role.NODE),
            FlightMethod.GET_FLIGHT_INFO, READERS,
            FlightMethod.POLL_FLIGHT_INFO, READERS,
            FlightMethod.GET_SCHEMA, READERS,
            FlightMethod.DO_GET, READERS,
            FlightMethod.DO_PUT, WRITERS,
            FlightMethod.DO_EXCHANGE, WRITERS),
        Map.of(ClusterActions.COMMIT_PUT, WRITERS, ClusterActions.ABORT_PUT, WRITERS));
  }

  /**
   * @throws org.apache.arrow.flight.FlightRuntimeException PERMISSION_DENIED when {@code caller}'s
   *     role may not make the call
   */
  public void checkCall(FlightMethod method, Principal caller) {
    requireNonNull(method, "method is null");
    check(calls.get(method), caller, method.name());
  }

  /**
   * @throws org.apache.arrow.flight.FlightRuntimeException PERMISSION_DENIED when {@code caller}'s
   *     role may not run the action
   */
  public void checkAction(String action, Principal caller) {
    requireNonNull(action, "action is null");
    check(actions.get(action), caller, "action " + action);
  }

  /**
   * Checks the action for the caller of {@code context}; nothing when the server runs without
   * authentication ({@link AuthMiddleware#caller} is empty).
   */
  public void checkAction(CallContext context, String action) {
    AuthMiddleware.caller(context).ifPresent(caller -> checkAction(action, caller));
  }

  private static void check(Set<Role> allowed, Principal caller, String what) {
    requireNonNull(caller, "caller is null");
    if (allowed == null || caller.role() == Role.ADMIN || allowed.contains(caller.role())) {
      return;
    }
    throw CallStatus.UNAUTHORIZED
        .withDescription(
            "user '"
                + caller.user()
                + "' has role "
                + caller.role().wireName()
                + "; "
                + what
                + " needs "
                + String.join(" or ", allowed.stream().map(Role::wireName).sorted().toList())
                + " (or admin)")
        .toRuntimeException();
  }
}
