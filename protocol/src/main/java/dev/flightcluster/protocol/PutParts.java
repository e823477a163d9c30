package dev.flightcluster.protocol;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.arrow.flight.CallStatus;

/**
 * How the files of a parallel put are named. A shard is uploaded with DoPut under the descriptor
 * path {@code [NAME, part-<put id>-<index>.parquet]} ({@link #stagedName}), which a data server
 * stages without listing it; {@link ClusterActions#COMMIT_PUT} publishes it into the folder dataset
 * {@code NAME} as {@code part-<put id>-<index>-of-<count>.parquet} ({@link #committedName}). The
 * count in every committed name is what lets any coordinator, with no state of its own, serve a put
 * only when all its parts are present (D63).
 */
public final class PutParts {
  /** The most shards one put writes: the width of the index in a part's name. */
  public static final int MAX_SHARDS = 99_999;

  private static final String PUT_ID = "[0-9a-f]{16}";
  private static final Pattern PUT_ID_PATTERN = Pattern.compile(PUT_ID);
  private static final Pattern STAGED = Pattern.compile("part-(" + PUT_ID + ")-(\\d{5})\\.parquet");
  private static final Pattern COMMITTED =
      Pattern.compile("part-(" + PUT_ID + ")-(\\d{5})-of-(\\d{5})\\.parquet");
  private static final SecureRandom RANDOM = new SecureRandom();

  private PutParts() {}

  /** A fresh put id: 16 lowercase hex digits, random, so ids from any coordinator never meet. */
  public static String newPutId() {
    byte[] bytes = new byte[8];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /**
   * Checks the form of a put id from a caller.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException INVALID_ARGUMENT when it is not 16
   *     lowercase hex digits
   */
  public static String checkPutId(String putId) {
    if (putId == null || !PUT_ID_PATTERN.matcher(putId).matches()) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription("a put id is 16 lowercase hex digits, as plan_put returns it")
          .toRuntimeException();
    }
    return putId;
  }

  /** The file name a shard is uploaded and staged under. */
  public static String stagedName(String putId, int index) {
    checkPutId(putId);
    checkIndex(index, MAX_SHARDS);
    return String.format("part-%s-%05d.parquet", putId, index);
  }

  /** The file name a committed shard has in its folder dataset. */
  public static String committedName(String putId, int index, int count) {
    checkPutId(putId);
    checkIndex(index, count);
    return String.format("part-%s-%05d-of-%05d.parquet", putId, index, count);
  }

  /** The shard index a staged file name carries, if it is one. */
  public static Optional<Integer> stagedIndex(String putId, String fileName) {
    requireNonNull(fileName, "fileName is null");
    Matcher matcher = STAGED.matcher(fileName);
    if (!matcher.matches() || !matcher.group(1).equals(putId)) {
      return Optional.empty();
    }
    return Optional.of(Integer.parseInt(matcher.group(2)));
  }

  /** The put a staged file name belongs to, if it is one. */
  public static Optional<String> stagedPutId(String fileName) {
    requireNonNull(fileName, "fileName is null");
    Matcher matcher = STAGED.matcher(fileName);
    return matcher.matches() ? Optional.of(matcher.group(1)) : Optional.empty();
  }

  /**
   * The part a committed file name describes, if it is one. Only the last path segment counts:
   * {@code a/b/part-...parquet} is a part too.
   */
  public static Optional<Part> committed(String path) {
    requireNonNull(path, "path is null");
    String fileName = path.substring(path.lastIndexOf('/') + 1);
    Matcher matcher = COMMITTED.matcher(fileName);
    if (!matcher.matches()) {
      return Optional.empty();
    }
    int index = Integer.parseInt(matcher.group(2));
    int count = Integer.parseInt(matcher.group(3));
    if (count < 1 || index >= count) {
      return Optional.empty();
    }
    return Optional.of(new Part(matcher.group(1), index, count));
  }

  /** One committed part: shard {@code index} of the {@code count} shards of put {@code putId}. */
  public record Part(String putId, int index, int count) {}

  private static void checkIndex(int index, int count) {
    if (count < 1 || count > MAX_SHARDS || index < 0 || index >= count) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription("shard index " + index + " is outside 0.." + (count - 1))
          .toRuntimeException();
    }
  }
}
