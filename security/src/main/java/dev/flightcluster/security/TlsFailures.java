package dev.flightcluster.security;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.netty.handler.ssl.NotSslRecordException;
import java.net.URI;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLException;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;

/**
 * What a failed call means for TLS, in words a person can act on, for a caller to add to its own
 * error message. gRPC reports a TLS problem as UNAVAILABLE with the TLS stack's own words ("Path
 * does not chain with any of the trust anchors"); which problem it is comes from the exception
 * types in the cause chain, never from message text.
 */
public final class TlsFailures {
  private TlsFailures() {}

  /**
   * The explanation of {@code failure}, a call to {@code peer} that failed UNAVAILABLE (a Flight or
   * a gRPC exception), if it looks like a TLS problem:
   *
   * <ul>
   *   <li>a certificate the caller does not trust (or not for the name called);
   *   <li>a plaintext server called over TLS;
   *   <li>another failed handshake, typically a client certificate missing or refused;
   *   <li>a plaintext call to a TLS server, which closes the connection without a word: only said
   *       as a possibility, for an UNAVAILABLE with no cause.
   * </ul>
   */
  public static Optional<String> explain(Throwable failure, Location peer) {
    requireNonNull(failure, "failure is null");
    requireNonNull(peer, "peer is null");
    boolean unavailable =
        switch (failure) {
          case FlightRuntimeException flight ->
              flight.status().code() == FlightStatusCode.UNAVAILABLE;
          case StatusRuntimeException grpc -> grpc.getStatus().getCode() == Status.Code.UNAVAILABLE;
          case StatusException grpc -> grpc.getStatus().getCode() == Status.Code.UNAVAILABLE;
          default -> false;
        };
    if (!unavailable) {
      return Optional.empty();
    }
    boolean certificate = false;
    boolean notTls = false;
    boolean tls = false;
    boolean anyOtherCause = false;
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable cause = failure.getCause();
        cause != null && seen.add(cause);
        cause = cause.getCause()) {
      certificate |=
          cause instanceof CertificateException
              || cause instanceof CertPathValidatorException
              || cause instanceof CertPathBuilderException;
      notTls |= cause instanceof NotSslRecordException;
      tls |= cause instanceof SSLException;
      anyOtherCause |=
          !(cause instanceof StatusRuntimeException || cause instanceof StatusException);
    }
    URI uri = peer.getUri();
    if (certificate) {
      return Optional.of(
          "the server's TLS certificate is not trusted: pass the CA that signed it with --tls-ca"
              + " (FLIGHT_TLS_CA), and call the server by a name its certificate holds");
    }
    if (notTls) {
      return Optional.of(
          "the server does not serve TLS: call grpc://"
              + uri.getHost()
              + ":"
              + uri.getPort()
              + ", or start the server with --tls-cert and --tls-key");
    }
    if (tls) {
      return Optional.of(
          "the TLS handshake failed: if the server requires client certificates (--tls-client-ca),"
              + " present one signed by its CA with --tls-cert and --tls-key");
    }
    if (!anyOtherCause && !TlsSettings.isTls(peer)) {
      return Optional.of(
          "the connection was closed without an answer: if the server serves TLS, call grpc+tls://"
              + uri.getHost()
              + ":"
              + uri.getPort()
              + " and pass its CA with --tls-ca");
    }
    return Optional.empty();
  }
}
