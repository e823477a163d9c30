package dev.flightcluster.coordinator.http;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;

/**
 * Decides whether an HTTP request to the status page or its API may look, from its {@code
 * Authorization} header and where it comes from. The health probes ({@code /healthz}, {@code
 * /readyz}) are never asked: they reveal nothing and orchestrators call them without credentials.
 *
 * <p>Implementations must be thread-safe and quick (they run on the HTTP threads), and must never
 * put the header's secret into a {@link Decision}'s reason, which is sent back to the client.
 */
@FunctionalInterface
public interface HttpAuth {
  /**
   * Decides one request.
   *
   * @param authorization the request's {@code Authorization} header, or null when it has none
   * @param remote the address the request comes from
   */
  Decision check(String authorization, InetSocketAddress remote);

  /** Lets every request look: the coordinator without authentication. */
  static HttpAuth allowAll() {
    return (authorization, remote) -> Decision.ALLOW;
  }

  /**
   * The answer to one request.
   *
   * @param status 200 to allow; 401 when the caller must log in (or its credentials are wrong); 403
   *     when it is known but may not look
   * @param reason what the caller is told when refused; empty when allowed
   */
  record Decision(int status, String reason) {
    /** The request may look. */
    public static final Decision ALLOW = new Decision(200, "");

    public Decision {
      if (status != 200 && status != 401 && status != 403) {
        throw new IllegalArgumentException("status must be 200, 401 or 403, got " + status);
      }
      requireNonNull(reason, "reason is null");
    }

    /** The caller must log in, or its credentials are not valid. */
    public static Decision unauthenticated(String reason) {
      return new Decision(401, reason);
    }

    /** The caller is known but may not look. */
    public static Decision forbidden(String reason) {
      return new Decision(403, reason);
    }

    /** Whether the request may look. */
    public boolean allowed() {
      return status == 200;
    }
  }
}
