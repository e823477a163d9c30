package dev.flightcluster.protocol;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The content identity of a dataset: a SHA-256 over its schema, row count, byte size and a digest
 * of its Parquet footers. Two servers hold replicas of a dataset when the names and fingerprints
 * agree; the same name with another fingerprint is a conflict.
 *
 * <p>It travels in the {@code app_metadata} of the FlightInfo a data server lists, as JSON {@code
 * {"fingerprint": "<hex>"}}.
 */
public record DatasetFingerprint(@JsonProperty("fingerprint") String value) {
  public DatasetFingerprint {
    requireNonNull(value, "value is null");
  }

  /**
   * Computes the fingerprint of a dataset.
   *
   * @param footerDigest a digest of the Parquet footer bytes of every file, in name order
   */
  public static DatasetFingerprint compute(
      Schema schema, long rows, long bytes, byte[] footerDigest) {
    requireNonNull(schema, "schema is null");
    requireNonNull(footerDigest, "footerDigest is null");
    MessageDigest sha = sha256();
    sha.update(schema.toJson().getBytes(StandardCharsets.UTF_8));
    sha.update(ByteBuffer.allocate(16).putLong(rows).putLong(bytes).flip());
    sha.update(footerDigest);
    return new DatasetFingerprint(HexFormat.of().formatHex(sha.digest()));
  }

  /** The {@code app_metadata} bytes that carry this fingerprint. */
  public byte[] toAppMetadata() {
    return Messages.encode(this);
  }

  /**
   * Reads the fingerprint from a FlightInfo's {@code app_metadata}.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException INVALID_ARGUMENT when it holds none
   */
  public static DatasetFingerprint fromAppMetadata(byte[] appMetadata) {
    if (appMetadata == null || appMetadata.length == 0) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription("FlightInfo has no app_metadata fingerprint")
          .toRuntimeException();
    }
    return Messages.decode(appMetadata, DatasetFingerprint.class);
  }

  /** A new SHA-256 digest. */
  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return value.length() > 12 ? value.substring(0, 12) : value;
  }
}
