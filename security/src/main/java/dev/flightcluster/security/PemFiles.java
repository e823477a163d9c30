package dev.flightcluster.security;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.Key;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.spec.ECParameterSpec;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads certificates and keys from PEM files as {@code openssl} writes them, with Bouncy Castle's
 * PEM parser: X.509 certificates ({@code BEGIN CERTIFICATE}), private keys in PKCS#8 ({@code BEGIN
 * PRIVATE KEY}) or in their algorithm's own form ({@code BEGIN EC PRIVATE KEY}, SEC1, also after
 * the {@code BEGIN EC PARAMETERS} block that {@code openssl ecparam -genkey} writes; {@code BEGIN
 * RSA PRIVATE KEY}), and public keys as SubjectPublicKeyInfo ({@code BEGIN PUBLIC KEY}).
 *
 * <p>Every failure is a {@link PemFileException} that names the file and never quotes it. Keys are
 * converted with the JDK's own providers, so nothing registers Bouncy Castle as a JCA provider.
 */
public final class PemFiles {
  private static final JcaPEMKeyConverter KEYS = new JcaPEMKeyConverter();
  private static final JcaX509CertificateConverter CERTIFICATES = new JcaX509CertificateConverter();

  /** The parameters of the NIST P-256 curve (secp256r1, prime256v1), ES256's curve. */
  private static final ECParameterSpec P256 = P256Curve.parameters();

  private PemFiles() {}

  /**
   * The certificates in {@code file}, in file order: for a certificate chain the server's own
   * certificate first, for a CA bundle every trusted certificate.
   *
   * @param what what the file is for, named in errors, e.g. "TLS certificate"
   * @throws PemFileException when the file cannot be read, holds no certificate, or holds anything
   *     else than certificates (a private key in a certificate file is refused rather than ignored)
   */
  public static List<X509Certificate> readCertificates(String what, Path file) {
    List<Object> blocks = read(what, file);
    List<X509Certificate> certificates = new ArrayList<>();
    for (Object block : blocks) {
      if (!(block instanceof X509CertificateHolder holder)) {
        throw new PemFileException(
            what, file, "expected only certificates (BEGIN CERTIFICATE), found " + kind(block));
      }
      try {
        certificates.add(CERTIFICATES.getCertificate(holder));
      } catch (CertificateException e) {
        throw new PemFileException(what, file, "a certificate in it is malformed", e);
      }
    }
    if (certificates.isEmpty()) {
      throw new PemFileException(what, file, "it holds no PEM certificate (BEGIN CERTIFICATE)");
    }
    return List.copyOf(certificates);
  }

  /**
   * The one private key in {@code file}, in PKCS#8 or in its algorithm's own PEM form.
   *
   * @param what what the file is for, named in errors, e.g. "TLS private key"
   * @throws PemFileException when the file cannot be read, holds no key or more than one, holds an
   *     encrypted key, or anything else than a private key
   */
  public static PrivateKey readPrivateKey(String what, Path file) {
    PrivateKey key = null;
    for (Object block : read(what, file)) {
      if (block instanceof ASN1ObjectIdentifier) {
        continue; // The BEGIN EC PARAMETERS block before a SEC1 key: the key repeats the curve.
      }
      PrivateKey found = privateKey(what, file, block);
      if (key != null) {
        throw new PemFileException(what, file, "it holds more than one private key");
      }
      key = found;
    }
    if (key == null) {
      throw new PemFileException(
          what, file, "it holds no PEM private key (BEGIN PRIVATE KEY or BEGIN EC PRIVATE KEY)");
    }
    return key;
  }

  /**
   * The one public key in {@code file}, as SubjectPublicKeyInfo ({@code BEGIN PUBLIC KEY}, what
   * {@code openssl pkey -pubout} writes).
   *
   * @throws PemFileException when the file cannot be read or holds anything else than one public
   *     key
   */
  public static PublicKey readPublicKey(String what, Path file) {
    List<Object> blocks = read(what, file);
    if (blocks.size() != 1 || !(blocks.getFirst() instanceof SubjectPublicKeyInfo info)) {
      throw new PemFileException(
          what,
          file,
          blocks.isEmpty()
              ? "it holds no PEM public key (BEGIN PUBLIC KEY)"
              : "expected one public key (BEGIN PUBLIC KEY), found "
                  + String.join(", ", blocks.stream().map(PemFiles::kind).toList()));
    }
    try {
      return KEYS.getPublicKey(info);
    } catch (IOException e) {
      throw new PemFileException(
          what, file, "its public key is malformed or of an unknown type", e);
    }
  }

  /**
   * Like {@link #readPrivateKey}, and the key must be an EC key on the P-256 curve (the curve of
   * ES256 tokens).
   */
  public static PrivateKey readP256PrivateKey(String what, Path file) {
    PrivateKey key = readPrivateKey(what, file);
    requireP256(what, file, key);
    return key;
  }

  /**
   * Like {@link #readPublicKey}, and the key must be an EC key on the P-256 curve (the curve of
   * ES256 tokens).
   */
  public static PublicKey readP256PublicKey(String what, Path file) {
    PublicKey key = readPublicKey(what, file);
    requireP256(what, file, key);
    return key;
  }

  private static void requireP256(String what, Path file, Key key) {
    if (!(key instanceof ECKey ec) || !P256Curve.matches(ec.getParams(), P256)) {
      throw new PemFileException(
          what,
          file,
          "expected an EC key on the P-256 curve (openssl genpkey -algorithm EC -pkeyopt"
              + " ec_paramgen_curve:P-256), found a "
              + key.getAlgorithm()
              + " key"
              + (key instanceof ECKey ? " on another curve" : ""));
    }
  }

  private static PrivateKey privateKey(String what, Path file, Object block) {
    try {
      return switch (block) {
        case PrivateKeyInfo info -> KEYS.getPrivateKey(info);
        case PEMKeyPair pair -> KEYS.getKeyPair(pair).getPrivate();
        case PEMEncryptedKeyPair ignored -> throw encrypted(what, file);
        case PKCS8EncryptedPrivateKeyInfo ignored -> throw encrypted(what, file);
        default ->
            throw new PemFileException(what, file, "expected a private key, found " + kind(block));
      };
    } catch (IOException e) {
      throw new PemFileException(
          what, file, "its private key is malformed or of an unknown type", e);
    }
  }

  private static PemFileException encrypted(String what, Path file) {
    return new PemFileException(
        what,
        file,
        "the private key is encrypted; give an unencrypted key (e.g. openssl pkey -in KEY -out"
            + " PLAIN) and protect the file with its permissions");
  }

  private static List<Object> read(String what, Path file) {
    requireNonNull(what, "what is null");
    requireNonNull(file, "file is null");
    List<Object> blocks = new ArrayList<>();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      for (Object block = parser.readObject(); block != null; block = parser.readObject()) {
        blocks.add(block);
      }
    } catch (NoSuchFileException e) {
      throw new PemFileException(what, file, "no such file", e);
    } catch (AccessDeniedException e) {
      throw new PemFileException(what, file, "permission denied", e);
    } catch (IOException | RuntimeException e) {
      // Bouncy Castle's messages describe the structure, never the bytes; still, say it ourselves.
      throw new PemFileException(
          what, file, "it is not a readable PEM file (" + e.getClass().getSimpleName() + ")", e);
    }
    return blocks;
  }

  /** What a PEM block holds, in words, never its contents. */
  private static String kind(Object block) {
    return switch (block) {
      case X509CertificateHolder ignored -> "a certificate";
      case PrivateKeyInfo ignored -> "a private key";
      case PEMKeyPair ignored -> "a private key";
      case PEMEncryptedKeyPair ignored -> "an encrypted private key";
      case PKCS8EncryptedPrivateKeyInfo ignored -> "an encrypted private key";
      case SubjectPublicKeyInfo ignored -> "a public key";
      case ASN1ObjectIdentifier ignored -> "EC parameters";
      default -> "a PEM block of another kind";
    };
  }
}
