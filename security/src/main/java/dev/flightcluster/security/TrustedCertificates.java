package dev.flightcluster.security;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The CA certificates a process trusts, read from one PEM file (a bundle of one or more {@code
 * BEGIN CERTIFICATE} blocks). Immutable.
 */
public final class TrustedCertificates {
  private final Path file;
  private final List<X509Certificate> certificates;
  private final byte[] pem;

  private TrustedCertificates(Path file, List<X509Certificate> certificates) {
    this.file = file;
    this.certificates = certificates;
    this.pem = PemEncoding.certificates(certificates);
  }

  /**
   * Reads the CA certificates in {@code file}.
   *
   * @param what what they are trusted for, named in errors, e.g. "TLS CA certificate"
   * @throws PemFileException when the file cannot be read or holds anything but certificates
   */
  public static TrustedCertificates read(String what, Path file) {
    requireNonNull(file, "file is null");
    return new TrustedCertificates(file, PemFiles.readCertificates(what, file));
  }

  /** The certificates, in file order. */
  public List<X509Certificate> certificates() {
    return certificates;
  }

  /** The file they were read from. */
  public Path file() {
    return file;
  }

  /** A new stream of the certificates as PEM, for Flight's and Netty's TLS builders. */
  public InputStream pem() {
    return new ByteArrayInputStream(pem);
  }

  @Override
  public String toString() {
    return "TrustedCertificates[" + file + "]";
  }
}
