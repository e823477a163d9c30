package dev.flightcluster.auth;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECPublicKeySpec;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Reads the token keys from PEM files as {@code openssl} and {@code flight-cluster keys init} write
 * them: an EC P-256 private key (PKCS#8 or SEC1) to sign, a SubjectPublicKeyInfo public key to
 * verify. Bouncy Castle reads the private key (a PKCS#8 file holds no public key, which a
 * coordinator needs too, so it is derived); nimbus reads the public one.
 */
public final class TokenKeys {
  private TokenKeys() {}

  /**
   * The signing key of {@code file}: a P-256 private key, with its public half, which a coordinator
   * needs to accept its own tokens.
   *
   * @throws IllegalArgumentException when the file holds no P-256 private key (the message never
   *     quotes the file)
   */
  public static ECKey signingKey(Path file) throws IOException {
    requireNonNull(file, "file is null");
    Object parsed;
    try (PEMParser parser =
        new PEMParser(Files.newBufferedReader(file, StandardCharsets.US_ASCII))) {
      parsed = parser.readObject();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          file + " is not a PEM EC P-256 key (token signing key): " + e.getClass().getSimpleName(),
          e);
    }
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    PrivateKey privateKey;
    if (parsed instanceof PEMKeyPair pair) {
      // SEC1 ("BEGIN EC PRIVATE KEY").
      privateKey = converter.getPrivateKey(pair.getPrivateKeyInfo());
    } else if (parsed instanceof PrivateKeyInfo info) {
      // PKCS#8 ("BEGIN PRIVATE KEY"), which carries no public key of its own.
      privateKey = converter.getPrivateKey(info);
    } else if (parsed instanceof SubjectPublicKeyInfo) {
      throw new IllegalArgumentException(
          file
              + " holds a public key; --token-signing-key needs the private key (token-signing-key.pem)");
    } else {
      throw new IllegalArgumentException(
          file + " is not a PEM EC P-256 private key (token signing key)");
    }
    if (!(privateKey instanceof java.security.interfaces.ECPrivateKey ec)) {
      throw new IllegalArgumentException(file + " is not an EC key; tokens are signed with ES256");
    }
    try {
      return new ECKey.Builder(Curve.P_256, publicHalf(ec)).privateKey(ec).build();
    } catch (IllegalStateException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          file + " is not an EC P-256 key; tokens are signed with ES256", e);
    }
  }

  /** The public key Q = d·G of a private key, with Bouncy Castle's curve arithmetic. */
  private static ECPublicKey publicHalf(java.security.interfaces.ECPrivateKey key)
      throws GeneralSecurityException {
    X9ECParameters curve = ECNamedCurveTable.getByName("secp256r1");
    if (!key.getParams()
            .getCurve()
            .getField()
            .equals(EC5Util.convertCurve(curve.getCurve(), null).getField())
        || key.getParams().getOrder().compareTo(curve.getN()) != 0) {
      throw new IllegalStateException("not P-256");
    }
    ECPoint q = curve.getG().multiply(key.getS()).normalize();
    java.security.spec.ECPoint w =
        new java.security.spec.ECPoint(
            q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
    return (ECPublicKey)
        KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, key.getParams()));
  }

  /**
   * The verification key of {@code file}: a P-256 public key. A private key is refused: a data
   * server must never hold what can sign tokens.
   */
  public static ECKey verifyKey(Path file) throws IOException {
    ECKey key = read(file, "token verify key");
    if (key == null || key.isPrivate()) {
      throw new IllegalArgumentException(
          file
              + " holds a private key; --token-verify-key takes the public key only (token-verify-key.pem),"
              + " so that a data server cannot sign tokens");
    }
    return key;
  }

  /** The public key of a PEM file; null when it holds a private key. */
  private static ECKey read(Path file, String what) throws IOException {
    requireNonNull(file, "file is null");
    String pem = Files.readString(file, StandardCharsets.US_ASCII);
    if (pem.contains("PRIVATE KEY-----")) {
      return null;
    }
    JWK jwk;
    try {
      jwk = JWK.parseFromPEMEncodedObjects(pem);
    } catch (JOSEException | RuntimeException e) {
      throw new IllegalArgumentException(
          file + " is not a PEM EC P-256 key (" + what + "): " + e.getClass().getSimpleName(), e);
    }
    if (!(jwk instanceof ECKey ec) || !Curve.P_256.equals(ec.getCurve())) {
      throw new IllegalArgumentException(
          file + " is not an EC P-256 key; tokens are signed with ES256 (" + what + ")");
    }
    return ec;
  }
}
