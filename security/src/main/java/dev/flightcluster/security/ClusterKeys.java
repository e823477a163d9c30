package dev.flightcluster.security;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.IPAddress;

/**
 * Makes the key material of a secure cluster in one directory ({@code flight-cluster keys init}): a
 * CA, a certificate and key for the cluster's hosts signed by it (usable both to serve TLS and as a
 * client certificate for mutual TLS), and an ES256 key pair for signing and verifying tokens. Every
 * key is EC P-256; certificates are built with Bouncy Castle. Files that exist are never
 * overwritten: if any of them exists, nothing is written.
 */
public final class ClusterKeys {
  /** The CA certificate: what every process trusts ({@code --tls-ca}, {@code --tls-client-ca}). */
  public static final String CA_CERTIFICATE = "ca.pem";

  /** The CA's private key, needed only to sign more certificates: keep it off the cluster. */
  public static final String CA_KEY = "ca-key.pem";

  /** The hosts' certificate ({@code --tls-cert}). */
  public static final String NODE_CERTIFICATE = "node.pem";

  /** The hosts' private key ({@code --tls-key}), PKCS#8. */
  public static final String NODE_KEY = "node-key.pem";

  /** The ES256 private key that coordinators sign tokens with, PKCS#8. */
  public static final String TOKEN_SIGNING_KEY = "token-signing-key.pem";

  /** The ES256 public key that every node verifies tokens with, SubjectPublicKeyInfo. */
  public static final String TOKEN_VERIFY_KEY = "token-verify-key.pem";

  /** The names every node certificate has besides the hosts asked for. */
  public static final List<String> LOCAL_NAMES = List.of("localhost", "127.0.0.1");

  /** How long the CA is valid. */
  public static final Duration CA_VALIDITY = Duration.ofDays(3650);

  /** How long the node certificate is valid. */
  public static final Duration NODE_VALIDITY = Duration.ofDays(825);

  /** How far before now certificates become valid, for clocks a little behind ours. */
  private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

  private static final String SIGNATURE = "SHA256withECDSA";
  private static final SecureRandom RANDOM = new SecureRandom();

  private ClusterKeys() {}

  /**
   * Writes the six files into {@code directory}, creating it if needed. Private keys get
   * permissions 0600 where the file system has POSIX permissions.
   *
   * @param hosts the names and IP addresses the node certificate is for, besides {@link
   *     #LOCAL_NAMES}
   * @param now when the certificates become valid (less a few minutes of clock skew)
   * @return the files written
   * @throws FileAlreadyExistsException when one of the files exists (its name is the exception's
   *     file); then nothing is written
   * @throws IllegalArgumentException when a host is blank or holds white space
   * @throws IOException when writing fails; the files written before are deleted again
   */
  public static List<Path> write(Path directory, List<String> hosts, Instant now)
      throws IOException {
    requireNonNull(directory, "directory is null");
    requireNonNull(hosts, "hosts is null");
    requireNonNull(now, "now is null");
    Set<String> names = new LinkedHashSet<>();
    for (String host : hosts) {
      requireNonNull(host, "a host is null");
      if (host.isBlank() || host.chars().anyMatch(Character::isWhitespace)) {
        throw new IllegalArgumentException("Not a host name or IP address: '" + host + "'");
      }
      names.add(host);
    }
    names.addAll(LOCAL_NAMES);
    for (String name : fileNames()) {
      Path file = directory.resolve(name);
      if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new FileAlreadyExistsException(
            file.toString(),
            null,
            "keys init never overwrites a file; move it away or choose another directory");
      }
    }

    KeyPair ca = newKeyPair();
    KeyPair node = newKeyPair();
    KeyPair token = newKeyPair();
    X500Name caName = name("flight-cluster CA");
    X509Certificate caCertificate =
        certificate(caName, ca, caName, ca, now, CA_VALIDITY, caExtensions(ca));
    X509Certificate nodeCertificate =
        certificate(
            name(names.iterator().next()),
            node,
            caName,
            ca,
            now,
            NODE_VALIDITY,
            nodeExtensions(node, caCertificate, List.copyOf(names)));

    Files.createDirectories(directory);
    List<Path> written = new ArrayList<>();
    try {
      publicFile(
          directory, CA_CERTIFICATE, PemEncoding.certificates(List.of(caCertificate)), written);
      privateFile(directory, CA_KEY, PemEncoding.privateKey(ca.getPrivate()), written);
      publicFile(
          directory, NODE_CERTIFICATE, PemEncoding.certificates(List.of(nodeCertificate)), written);
      privateFile(directory, NODE_KEY, PemEncoding.privateKey(node.getPrivate()), written);
      privateFile(
          directory, TOKEN_SIGNING_KEY, PemEncoding.privateKey(token.getPrivate()), written);
      publicFile(directory, TOKEN_VERIFY_KEY, PemEncoding.publicKey(token.getPublic()), written);
    } catch (IOException | RuntimeException e) {
      for (Path file : written) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
    return List.copyOf(written);
  }

  /** The names of the files {@link #write} makes, in the order it writes them. */
  public static List<String> fileNames() {
    return List.of(
        CA_CERTIFICATE, CA_KEY, NODE_CERTIFICATE, NODE_KEY, TOKEN_SIGNING_KEY, TOKEN_VERIFY_KEY);
  }

  private interface Extensions {
    void add(X509v3CertificateBuilder builder) throws CertIOException, GeneralSecurityException;
  }

  private static Extensions caExtensions(KeyPair ca) {
    return builder -> {
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      builder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      builder.addExtension(
          Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(ca.getPublic()));
    };
  }

  private static Extensions nodeExtensions(
      KeyPair node, X509Certificate caCertificate, List<String> names) {
    return builder -> {
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(
          Extension.extendedKeyUsage,
          false,
          new ExtendedKeyUsage(
              new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              names.stream()
                  .map(
                      host ->
                          new GeneralName(
                              IPAddress.isValid(host) ? GeneralName.iPAddress : GeneralName.dNSName,
                              host))
                  .toArray(GeneralName[]::new)));
      builder.addExtension(
          Extension.subjectKeyIdentifier,
          false,
          utils.createSubjectKeyIdentifier(node.getPublic()));
      builder.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          utils.createAuthorityKeyIdentifier(caCertificate));
    };
  }

  private static X509Certificate certificate(
      X500Name subject,
      KeyPair subjectKeys,
      X500Name issuer,
      KeyPair issuerKeys,
      Instant now,
      Duration validity,
      Extensions extensions) {
    try {
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              issuer,
              new BigInteger(159, RANDOM).add(BigInteger.ONE),
              Date.from(now.minus(CLOCK_SKEW)),
              Date.from(now.plus(validity)),
              subject,
              subjectKeys.getPublic());
      extensions.add(builder);
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(new JcaContentSignerBuilder(SIGNATURE).build(issuerKeys.getPrivate())));
    } catch (GeneralSecurityException | CertIOException | OperatorCreationException e) {
      throw new IllegalStateException("Could not build a certificate with this JDK", e);
    }
  }

  private static X500Name name(String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec(P256Curve.NAME), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("This JDK cannot make P-256 keys", e);
    }
  }

  private static void publicFile(Path directory, String name, byte[] pem, List<Path> written)
      throws IOException {
    Path file = directory.resolve(name);
    Files.write(file, pem, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    written.add(file);
  }

  private static void privateFile(Path directory, String name, byte[] pem, List<Path> written)
      throws IOException {
    Path file = directory.resolve(name);
    // Created 0600 before a byte is written, so the key is never readable by others, not even
    // briefly.
    if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.createFile(file);
    }
    written.add(file);
    Files.write(file, pem, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
  }
}
