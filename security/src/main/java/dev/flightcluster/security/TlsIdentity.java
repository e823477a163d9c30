package dev.flightcluster.security;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A process's own certificate chain and the private key of its first certificate, read from PEM
 * files and checked to belong together. Immutable. It serves TLS and, towards a server that
 * requires client certificates, is the process's client certificate too.
 */
public final class TlsIdentity {
  private static final String CERTIFICATE = "TLS certificate";
  private static final String KEY = "TLS private key";

  private final Path certificateFile;
  private final Path keyFile;
  private final List<X509Certificate> chain;
  private final byte[] chainPem;
  private final byte[] keyPem;

  private TlsIdentity(
      Path certificateFile, Path keyFile, List<X509Certificate> chain, byte[] keyPem) {
    this.certificateFile = certificateFile;
    this.keyFile = keyFile;
    this.chain = chain;
    this.chainPem = PemEncoding.certificates(chain);
    this.keyPem = keyPem;
  }

  /**
   * Reads a certificate chain (the process's certificate first, then any intermediates) and the
   * private key of its first certificate, in PKCS#8 or SEC1/PKCS#1 PEM.
   *
   * @throws PemFileException when a file cannot be read or used, or the key is not the
   *     certificate's
   */
  public static TlsIdentity read(Path certificateFile, Path keyFile) {
    requireNonNull(certificateFile, "certificateFile is null");
    requireNonNull(keyFile, "keyFile is null");
    List<X509Certificate> chain = PemFiles.readCertificates(CERTIFICATE, certificateFile);
    PrivateKey key = PemFiles.readPrivateKey(KEY, keyFile);
    if (!belongTogether(key, chain.getFirst().getPublicKey())) {
      throw new PemFileException(
          KEY, keyFile, "it is not the key of the first certificate in " + certificateFile);
    }
    return new TlsIdentity(certificateFile, keyFile, chain, PemEncoding.privateKey(key));
  }

  /** The certificate chain, the process's own certificate first. */
  public List<X509Certificate> chain() {
    return chain;
  }

  /** The file the chain was read from. */
  public Path certificateFile() {
    return certificateFile;
  }

  /** The file the key was read from. */
  public Path keyFile() {
    return keyFile;
  }

  /** A new stream of the chain as PEM, for Flight's and Netty's TLS builders, which close it. */
  public InputStream certificateChainPem() {
    return new ByteArrayInputStream(chainPem);
  }

  /**
   * A new stream of the private key as PKCS#8 PEM (Netty reads no other form), for Flight's and
   * Netty's TLS builders, which close it.
   */
  public InputStream privateKeyPem() {
    return new ByteArrayInputStream(keyPem);
  }

  /** Names the files, never the key. */
  @Override
  public String toString() {
    return "TlsIdentity[certificate=" + certificateFile + ", key=" + keyFile + "]";
  }

  /**
   * Whether {@code key} signs what {@code publicKey} verifies: the one check for every algorithm.
   */
  private static boolean belongTogether(PrivateKey key, PublicKey publicKey) {
    if (!key.getAlgorithm().equals(publicKey.getAlgorithm())) {
      return false;
    }
    String algorithm =
        switch (key.getAlgorithm()) {
          case "EC" -> "SHA256withECDSA";
          case "RSA" -> "SHA256withRSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          default -> null;
        };
    if (algorithm == null) {
      return true; // No probe for this algorithm: the TLS handshake is the check.
    }
    byte[] probe = "flight-cluster key check".getBytes(StandardCharsets.US_ASCII);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
