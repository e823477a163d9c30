package dev.flightcluster.auth;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/** Token key pairs written as PEM files, as keys init and openssl write them. */
final class TestKeys {
  private TestKeys() {}

  /** Writes {@code signing.pem} (PKCS#8) and {@code verify.pem} (SubjectPublicKeyInfo) into dir. */
  static Path[] write(Path dir, String prefix) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair pair = generator.generateKeyPair();
    Path signing = dir.resolve(prefix + "-signing.pem");
    Path verify = dir.resolve(prefix + "-verify.pem");
    Files.writeString(signing, pem(new JcaPKCS8Generator(pair.getPrivate(), null)));
    Files.writeString(verify, pem(pair.getPublic()));
    return new Path[] {signing, verify};
  }

  private static String pem(Object object) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(object);
    }
    return text.toString();
  }
}
