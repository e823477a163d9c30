package dev.flightcluster.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenKeysTest {
  @TempDir Path dir;

  @Test
  void readsPkcs8SigningKeyWithItsPublicHalfAndAPublicVerifyKey() throws Exception {
    Path[] keys = TestKeys.write(dir, "a");
    assertThat(TokenKeys.signingKey(keys[0]).isPrivate()).isTrue();
    assertThat(TokenKeys.signingKey(keys[0]).toPublicJWK()).isEqualTo(TokenKeys.verifyKey(keys[1]));
    assertThat(TokenKeys.verifyKey(keys[1]).isPrivate()).isFalse();
  }

  @Test
  void refusesAPrivateKeyAsVerifyKeyAndAPublicKeyAsSigningKey() throws Exception {
    Path[] keys = TestKeys.write(dir, "a");
    assertThatThrownBy(() -> TokenKeys.verifyKey(keys[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("public key only");
    assertThatThrownBy(() -> TokenKeys.signingKey(keys[1]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs the private key");
  }

  @Test
  void refusesAFileThatIsNoKey() throws Exception {
    Path file = Files.writeString(dir.resolve("junk.pem"), "not a key\n");
    assertThatThrownBy(() -> TokenKeys.verifyKey(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a PEM EC P-256 key");
  }
}
