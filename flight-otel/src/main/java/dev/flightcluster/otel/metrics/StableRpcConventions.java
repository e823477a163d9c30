package dev.flightcluster.otel.metrics;

/**
 * Opts the gRPC instrumentation into the stable RPC semantic conventions ({@code
 * rpc.server.call.duration}, {@code rpc.client.call.duration}, {@code rpc.method}, ...), which it
 * emits only on request: {@code OTEL_SEMCONV_STABILITY_OPT_IN=rpc}. The instrumentation reads the
 * setting once, when its first gRPC telemetry is built, from the system property {@value #PROPERTY}
 * or the environment variable; so this must run before that.
 */
public final class StableRpcConventions {
  /** The system property twin of {@code OTEL_SEMCONV_STABILITY_OPT_IN}. */
  public static final String PROPERTY = "otel.semconv-stability.opt-in";

  private static final String ENVIRONMENT = "OTEL_SEMCONV_STABILITY_OPT_IN";

  private StableRpcConventions() {}

  /**
   * Sets {@code otel.semconv-stability.opt-in=rpc} unless the user set the property or the
   * environment variable, whose choice (for example {@code rpc/dup} during a dashboard migration)
   * then stands.
   */
  public static void optIn() {
    if (System.getProperty(PROPERTY) == null && System.getenv(ENVIRONMENT) == null) {
      System.setProperty(PROPERTY, "rpc");
    }
  }
}
