package dev.flightcluster.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemFilesTest {
  @TempDir Path dir;

  @Test
  void readsAnOpensslPkcs8KeyItsSec1FormAndItsPublicKeyAsTheSameKey() throws Exception {
    Openssl.assumeInstalled();
    Openssl.run(
        dir,
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        "pkcs8.pem");
    Openssl.run(dir, "pkey", "-in", "pkcs8.pem", "-traditional", "-out", "sec1.pem");
    Openssl.run(dir, "pkey", "-in", "pkcs8.pem", "-pubout", "-out", "public.pem");
    assertThat(Files.readString(dir.resolve("pkcs8.pem")))
        .startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(Files.readString(dir.resolve("sec1.pem")))
        .startsWith("-----BEGIN EC PRIVATE KEY-----");

    PrivateKey pkcs8 = PemFiles.readP256PrivateKey("key", dir.resolve("pkcs8.pem"));
    PrivateKey sec1 = PemFiles.readP256PrivateKey("key", dir.resolve("sec1.pem"));
    PublicKey publicKey = PemFiles.readP256PublicKey("key", dir.resolve("public.pem"));

    assertThat(((ECPrivateKey) sec1).getS()).isEqualTo(((ECPrivateKey) pkcs8).getS());
    assertThat(publicKey).isInstanceOf(ECPublicKey.class);
    // What Netty is given: PKCS#8, whatever form the file had.
    assertThat(new String(PemEncoding.privateKey(sec1), "US-ASCII"))
        .startsWith("-----BEGIN PRIVATE KEY-----");
  }

  @Test
  void readsTheSec1KeyOfOpensslEcparamWithItsParametersBlock() throws Exception {
    Openssl.assumeInstalled();
    Openssl.run(dir, "ecparam", "-name", "prime256v1", "-genkey", "-out", "ecparam.pem");
    assertThat(Files.readString(dir.resolve("ecparam.pem")))
        .startsWith("-----BEGIN EC PARAMETERS-----");

    assertThat(PemFiles.readP256PrivateKey("key", dir.resolve("ecparam.pem")).getAlgorithm())
        .isEqualTo("EC");
  }

  @Test
  void readsAnOpensslCertificateChainInOrder() throws Exception {
    Openssl.assumeInstalled();
    Openssl.run(
        dir,
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        "key.pem");
    Openssl.run(
        dir,
        "req",
        "-x509",
        "-new",
        "-key",
        "key.pem",
        "-subj",
        "/CN=first",
        "-days",
        "1",
        "-out",
        "first.pem");
    Openssl.run(
        dir,
        "req",
        "-x509",
        "-new",
        "-key",
        "key.pem",
        "-subj",
        "/CN=second",
        "-days",
        "1",
        "-out",
        "second.pem");
    Files.writeString(
        dir.resolve("chain.pem"),
        Files.readString(dir.resolve("first.pem")) + Files.readString(dir.resolve("second.pem")));

    List<X509Certificate> chain = PemFiles.readCertificates("chain", dir.resolve("chain.pem"));

    assertThat(chain)
        .extracting(c -> c.getSubjectX500Principal().getName())
        .containsExactly("CN=first", "CN=second");
  }

  @Test
  void aMissingFileIsNamed() {
    Path missing = dir.resolve("nope.pem");

    assertThatThrownBy(() -> PemFiles.readCertificates("TLS certificate", missing))
        .isInstanceOf(PemFileException.class)
        .hasMessage("Cannot use the TLS certificate " + missing + ": no such file");
  }

  @Test
  void aFileWithoutPemIsNamed() throws Exception {
    Path text = Files.writeString(dir.resolve("text.pem"), "hello\n");

    assertThatThrownBy(() -> PemFiles.readPrivateKey("TLS private key", text))
        .isInstanceOf(PemFileException.class)
        .hasMessageContaining(text.toString())
        .hasMessageContaining("holds no PEM private key");
  }

  @Test
  void aKeyWhereACertificateBelongsIsRefusedWithoutQuotingIt() throws Exception {
    ClusterKeys.write(dir, List.of(), Instant.now());
    Path key = dir.resolve(ClusterKeys.NODE_KEY);
    String secret = Files.readAllLines(key).get(1);

    assertThatThrownBy(() -> PemFiles.readCertificates("TLS certificate", key))
        .isInstanceOf(PemFileException.class)
        .hasMessage(
            "Cannot use the TLS certificate "
                + key
                + ": expected only certificates (BEGIN CERTIFICATE), found a private key")
        .message()
        .doesNotContain(secret);
  }

  @Test
  void aCertificateWhereAKeyBelongsIsRefused() throws Exception {
    ClusterKeys.write(dir, List.of(), Instant.now());
    Path certificate = dir.resolve(ClusterKeys.NODE_CERTIFICATE);

    assertThatThrownBy(() -> PemFiles.readPrivateKey("TLS private key", certificate))
        .isInstanceOf(PemFileException.class)
        .hasMessageEndingWith(": expected a private key, found a certificate");
    assertThatThrownBy(() -> PemFiles.readPublicKey("token verify key", certificate))
        .isInstanceOf(PemFileException.class)
        .hasMessageEndingWith(": expected one public key (BEGIN PUBLIC KEY), found a certificate");
  }

  @Test
  void anEncryptedKeyIsRefusedWithAHowTo() throws Exception {
    Openssl.assumeInstalled();
    Openssl.run(
        dir,
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-aes256",
        "-pass",
        "pass:secret",
        "-out",
        "encrypted.pem");

    assertThatThrownBy(
            () -> PemFiles.readPrivateKey("TLS private key", dir.resolve("encrypted.pem")))
        .isInstanceOf(PemFileException.class)
        .hasMessageContaining("the private key is encrypted");
  }

  @Test
  void anotherCurveIsNotP256() throws Exception {
    Openssl.assumeInstalled();
    Openssl.run(
        dir,
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-384",
        "-out",
        "p384.pem");
    Openssl.run(
        dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.pem");

    assertThatThrownBy(
            () -> PemFiles.readP256PrivateKey("token signing key", dir.resolve("p384.pem")))
        .isInstanceOf(PemFileException.class)
        .hasMessageContaining("found a EC key on another curve");
    assertThatThrownBy(
            () -> PemFiles.readP256PrivateKey("token signing key", dir.resolve("rsa.pem")))
        .isInstanceOf(PemFileException.class)
        .hasMessageContaining("found a RSA key");
    // Any algorithm is fine for TLS.
    assertThat(PemFiles.readPrivateKey("TLS private key", dir.resolve("rsa.pem")).getAlgorithm())
        .isEqualTo("RSA");
  }
}
