package dev.flightcluster.protocol;

import java.util.List;
import org.apache.arrow.flight.ActionType;

/**
 * The Flight actions of the cluster protocol. Bodies and results are UTF-8 JSON, encoded by {@link
 * Messages}.
 */
public final class ClusterActions {
  /** A data server announces itself: body {@link Hello}, result {@link HelloReply}. */
  public static final String SAY_HELLO = "say_hello";

  /** A data server renews its lease: body {@link Heartbeat}, result {@link HeartbeatReply}. */
  public static final String HEARTBEAT = "heartbeat";

  /** A data server leaves the cluster at once: body {@link Goodbye}, empty result. */
  public static final String GOODBYE = "goodbye";

  /**
   * A client asks which data server should take an upload: body {@link ChooseServer}, result {@link
   * ServerChoice}.
   */
  public static final String CHOOSE_SERVER = "choose_server";

  /**
   * A client asks where each shard of a parallel put goes: body {@link PlanPut}, result {@link
   * PutPlan}. Needs the {@code write} role.
   */
  public static final String PLAN_PUT = "plan_put";

  /**
   * A client tells a data server to publish the parts of a put it staged: body {@link CommitPut},
   * empty result. Served by data servers; needs the {@code write} role.
   */
  public static final String COMMIT_PUT = "commit_put";

  /**
   * A client tells a data server to delete every part of a put: body {@link AbortPut}, empty
   * result. Served by data servers; needs the {@code write} role.
   */
  public static final String ABORT_PUT = "abort_put";

  /**
   * Anyone asks which datasets the coordinator refuses to merge: no body, result {@link
   * ConflictReport}. Not in {@link #COORDINATOR_ACTIONS}: it is a diagnostic the coordinator adds
   * to its own ListActions.
   */
  public static final String LIST_CONFLICTS = "list_conflicts";

  /**
   * Anyone asks for the coordinator's view of the cluster, the data of its status page: no body,
   * result {@link ClusterStatus}. Like {@link #LIST_CONFLICTS}, a diagnostic the coordinator adds
   * to its own ListActions.
   */
  public static final String CLUSTER_STATUS = "cluster_status";

  /** What the coordinator answers to ListActions. */
  public static final List<ActionType> COORDINATOR_ACTIONS =
      List.of(
          new ActionType(
              SAY_HELLO,
              "Register a data server: {\"server_id\", \"location\", \"listing_version\"}"),
          new ActionType(
              HEARTBEAT,
              "Renew a data server's lease: {\"server_id\", \"listing_version\", \"active_streams\"}"),
          new ActionType(GOODBYE, "Remove a data server at once: {\"server_id\"}"),
          new ActionType(
              CHOOSE_SERVER, "Pick the least loaded live server for an upload: {\"dataset\"}"),
          new ActionType(
              PLAN_PUT,
              "Place each shard of a parallel put on distinct live servers:"
                  + " {\"name\", \"shards\", \"replicas\", \"append\", \"schema\"}"));

  /** What a data server answers to ListActions. */
  public static final List<ActionType> SERVER_ACTIONS =
      List.of(
          new ActionType(
              COMMIT_PUT,
              "Publish (or with prepare only check) the staged parts of a put: {\"name\", \"put_id\", \"shards\", \"append\", \"parts\", \"prepare\"}"),
          new ActionType(
              ABORT_PUT,
              "Delete every part of a put, staged or committed: {\"name\", \"put_id\"}"));

  private ClusterActions() {}
}
