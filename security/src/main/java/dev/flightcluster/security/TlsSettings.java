package dev.flightcluster.security;

import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.LocationSchemes;

/**
 * The TLS side of one process, server and caller at once: its own certificate and key (then it
 * serves TLS only, and is a client certificate towards servers that require one), the CAs it trusts
 * when it calls others, and the CA its callers' certificates must be signed by (mTLS). Immutable
 * and thread-safe; every file is read and checked when it is built.
 *
 * <pre>{@code
 * TlsSettings tls = TlsSettings.builder().identity(cert, key).trust(ca).build();
 * tls.serve(FlightServer.builder(allocator, tls.location("0.0.0.0", 8888), producer));
 * tls.configureClient(channelBuilder, target);
 * }</pre>
 */
public final class TlsSettings {
  private static final TlsSettings PLAINTEXT = new TlsSettings(null, null, null);

  private final TlsIdentity identity;
  private final TrustedCertificates trusted;
  private final TrustedCertificates clientCa;
  private final SslContext clientContext;

  TlsSettings(TlsIdentity identity, TrustedCertificates trusted, TrustedCertificates clientCa) {
    this.identity = identity;
    this.trusted = trusted;
    this.clientCa = clientCa;
    this.clientContext = clientContext(identity, trusted);
  }

  /** No TLS: serve plaintext, and trust the JDK's default CAs when calling a TLS location. */
  public static TlsSettings plaintext() {
    return PLAINTEXT;
  }

  /** A builder; with nothing set it builds {@link #plaintext()}. */
  public static TlsSettingsBuilder builder() {
    return new TlsSettingsBuilder();
  }

  /** Whether this process serves TLS (it has a certificate and key). */
  public boolean serving() {
    return identity != null;
  }

  /** Whether this process requires its callers to present a certificate signed by its client CA. */
  public boolean requiresClientCertificates() {
    return clientCa != null;
  }

  /** The process's certificate and key, if it has them. */
  public Optional<TlsIdentity> identity() {
    return Optional.ofNullable(identity);
  }

  /** The CAs trusted when calling others, if set; otherwise the JDK's default trust store. */
  public Optional<TrustedCertificates> trusted() {
    return Optional.ofNullable(trusted);
  }

  /** The CA whose certificates callers must present, if mTLS is on. */
  public Optional<TrustedCertificates> clientCa() {
    return Optional.ofNullable(clientCa);
  }

  /**
   * The location to listen on or advertise: {@code grpc+tls://} when serving TLS, {@code grpc://}
   * otherwise.
   */
  public Location location(String host, int port) {
    return serving() ? Location.forGrpcTls(host, port) : Location.forGrpcInsecure(host, port);
  }

  /**
   * {@code location} with this process's scheme: made {@code grpc+tls} when serving TLS, as it is
   * otherwise (a {@code grpc+tls} location without a certificate is the builders' to refuse).
   */
  public Location location(Location location) {
    URI uri = location.getUri();
    if (!serving() || isTls(location)) {
      return location;
    }
    try {
      return new Location(
          new URI(LocationSchemes.GRPC_TLS, null, uri.getHost(), uri.getPort(), null, null, null));
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("cannot make " + uri + " a grpc+tls location", e);
    }
  }

  /**
   * Sets this process's certificate, key and (for mTLS) client CA on a Flight server builder whose
   * location came from {@link #location}; does nothing when not serving TLS.
   *
   * @return {@code builder}, for chaining
   */
  public FlightServer.Builder serve(FlightServer.Builder builder) {
    if (identity == null) {
      return builder;
    }
    try (InputStream chain = identity.certificateChainPem();
        InputStream key = identity.privateKeyPem()) {
      builder.useTls(chain, key);
      if (clientCa != null) {
        try (InputStream ca = clientCa.pem()) {
          builder.useMTlsClientVerification(ca);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading PEM held in memory failed", e);
    }
    return builder;
  }

  /**
   * Makes a channel to {@code target} speak TLS if the target's scheme is {@code grpc+tls}:
   * trusting {@link #trusted()} (or the JDK's CAs), presenting {@link #identity()} as client
   * certificate if set. A {@code grpc://} target is left plaintext.
   *
   * @return {@code channel}, for chaining
   */
  public NettyChannelBuilder configureClient(NettyChannelBuilder channel, Location target) {
    if (isTls(target)) {
      channel.sslContext(clientContext).useTransportSecurity();
    }
    return channel;
  }

  /** Whether {@code location} is a TLS location ({@code grpc+tls://}). */
  public static boolean isTls(Location location) {
    return LocationSchemes.GRPC_TLS.equals(location.getUri().getScheme());
  }

  /** Names the files, never a key. */
  @Override
  public String toString() {
    return "TlsSettings[identity="
        + identity
        + ", trusted="
        + trusted
        + ", clientCa="
        + clientCa
        + "]";
  }

  private static SslContext clientContext(TlsIdentity identity, TrustedCertificates trusted) {
    SslContextBuilder builder = GrpcSslContexts.forClient();
    try {
      if (trusted != null) {
        try (InputStream ca = trusted.pem()) {
          builder.trustManager(ca);
        }
      }
      if (identity != null) {
        try (InputStream chain = identity.certificateChainPem();
            InputStream key = identity.privateKeyPem()) {
          builder.keyManager(chain, key);
        }
      }
      return builder.build();
    } catch (SSLException e) {
      throw new IllegalArgumentException("The TLS certificates and key cannot be used by Netty", e);
    } catch (IOException e) {
      throw new UncheckedIOException("reading PEM held in memory failed", e);
    }
  }
}
