package dev.flightcluster.security;

import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;

/** The NIST P-256 curve, the only curve of ES256 and of the keys {@code keys init} makes. */
final class P256Curve {
  /** The curve's name as the JDK knows it. */
  static final String NAME = "secp256r1";

  private P256Curve() {}

  static ECParameterSpec parameters() {
    try {
      AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
      parameters.init(new ECGenParameterSpec(NAME));
      return parameters.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("This JDK does not know the P-256 curve", e);
    }
  }

  /** Whether {@code spec} is the curve {@code p256} (ECParameterSpec has no equals of its own). */
  static boolean matches(ECParameterSpec spec, ECParameterSpec p256) {
    return spec != null
        && spec.getCurve().equals(p256.getCurve())
        && spec.getGenerator().equals(p256.getGenerator())
        && spec.getOrder().equals(p256.getOrder())
        && spec.getCofactor() == p256.getCofactor();
  }
}
