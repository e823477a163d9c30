package dev.flightcluster.security;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * PEM text of certificates and keys, in the forms every TLS stack and {@code openssl} read: private
 * keys always as PKCS#8 ({@code BEGIN PRIVATE KEY}), which is what Netty requires, public keys as
 * SubjectPublicKeyInfo ({@code BEGIN PUBLIC KEY}).
 */
public final class PemEncoding {
  private PemEncoding() {}

  /** The certificates as consecutive {@code BEGIN CERTIFICATE} blocks, in order. */
  public static byte[] certificates(List<X509Certificate> certificates) {
    List<PemObject> blocks =
        certificates.stream()
            .map(certificate -> new PemObject("CERTIFICATE", encoded(certificate)))
            .toList();
    return pem(blocks);
  }

  /** The key as PKCS#8, whatever form it was read from (a SEC1 EC key is converted). */
  public static byte[] privateKey(PrivateKey key) {
    if (!"PKCS#8".equals(key.getFormat())) {
      throw new IllegalArgumentException(
          "a " + key.getAlgorithm() + " private key that has no PKCS#8 encoding");
    }
    return pem(List.of(new PemObject("PRIVATE KEY", key.getEncoded())));
  }

  /** The key as SubjectPublicKeyInfo. */
  public static byte[] publicKey(PublicKey key) {
    if (!"X.509".equals(key.getFormat())) {
      throw new IllegalArgumentException(
          "a " + key.getAlgorithm() + " public key that has no SubjectPublicKeyInfo encoding");
    }
    return pem(List.of(new PemObject("PUBLIC KEY", key.getEncoded())));
  }

  private static byte[] encoded(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException("a certificate that cannot be encoded", e);
    }
  }

  private static byte[] pem(List<PemObject> blocks) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PemWriter writer =
        new PemWriter(new OutputStreamWriter(bytes, StandardCharsets.US_ASCII))) {
      for (PemObject block : blocks) {
        writer.writeObject(block);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing PEM to memory failed", e);
    }
    return bytes.toByteArray();
  }
}
