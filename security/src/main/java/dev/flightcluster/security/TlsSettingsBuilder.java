package dev.flightcluster.security;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * Configures {@link TlsSettings} from PEM files. Not thread-safe; use it from one thread, then
 * discard it. Every option is optional; {@link #build()} reads and checks the files.
 */
public final class TlsSettingsBuilder {
  private Path certificate;
  private Path key;
  private Path trustedCa;
  private Path clientCa;

  TlsSettingsBuilder() {}

  /**
   * This process's certificate chain (its own certificate first; {@code --tls-cert}): with it the
   * process serves TLS only. Needs {@link #privateKey}. Null unsets it.
   */
  public TlsSettingsBuilder certificate(Path certificate) {
    this.certificate = certificate;
    return this;
  }

  /**
   * The private key of {@link #certificate}, PKCS#8 or SEC1/PKCS#1 PEM ({@code --tls-key}). Null
   * unsets it.
   */
  public TlsSettingsBuilder privateKey(Path key) {
    this.key = key;
    return this;
  }

  /** Both {@link #certificate} and {@link #privateKey}. */
  public TlsSettingsBuilder identity(Path certificate, Path key) {
    this.certificate = requireNonNull(certificate, "certificate is null");
    this.key = requireNonNull(key, "key is null");
    return this;
  }

  /**
   * The CA certificates to trust when calling a TLS location ({@code --tls-ca}); without it, the
   * JDK's default CAs. Null unsets it.
   */
  public TlsSettingsBuilder trustedCa(Path trustedCa) {
    this.trustedCa = trustedCa;
    return this;
  }

  /**
   * Requires every caller to present a certificate signed by these CA certificates ({@code
   * --tls-client-ca}, mutual TLS). Needs a {@link #certificate}. Null unsets it.
   */
  public TlsSettingsBuilder clientCa(Path clientCa) {
    this.clientCa = clientCa;
    return this;
  }

  /**
   * The settings, with every file read and checked.
   *
   * @throws IllegalArgumentException when a certificate is set without its key or the other way
   *     round, or a client CA is set without a certificate
   * @throws PemFileException when a file cannot be read or used (the message names it)
   */
  public TlsSettings build() {
    if ((certificate == null) != (key == null)) {
      throw new IllegalArgumentException(
          certificate == null
              ? "A TLS private key (--tls-key) is set without its certificate: set --tls-cert too"
              : "A TLS certificate (--tls-cert) is set without its private key: set --tls-key too");
    }
    if (clientCa != null && certificate == null) {
      throw new IllegalArgumentException(
          "Requiring client certificates (--tls-client-ca) needs TLS: set --tls-cert and"
              + " --tls-key too");
    }
    if (certificate == null && trustedCa == null) {
      return TlsSettings.plaintext();
    }
    return new TlsSettings(
        certificate == null ? null : TlsIdentity.read(certificate, key),
        trustedCa == null ? null : TrustedCertificates.read("TLS CA certificate", trustedCa),
        clientCa == null ? null : TrustedCertificates.read("TLS client CA certificate", clientCa));
  }
}
