package dev.flightcluster.coordinator;

import static java.util.Objects.requireNonNull;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The hive partition values of one file of a folder dataset, read from the {@code key=value}
 * directories of its path ({@code year=2024/month=1/part-0.parquet}) the way the data server reads
 * them: the key up to the first {@code =}, both sides percent-decoded ({@code +} stays a plus),
 * {@code __HIVE_DEFAULT_PARTITION__} null, and typed by the served schema (an int64 partition
 * column's values are {@link Long}s, any other column's {@link String}s).
 *
 * <p>The values only prune files that cannot match a filter, so when in doubt a value is left out
 * (unknown) rather than guessed: a segment that does not decode, a key that is not a column of the
 * schema, or a value that does not parse as its column's type. A wrong value would drop rows; a
 * missing one only scans a file for nothing.
 */
final class PartitionValues {
  private static final String NULL_VALUE = "__HIVE_DEFAULT_PARTITION__";

  private PartitionValues() {}

  /**
   * The partition values of {@code path}, by column name; {@code null} values are in the map.
   *
   * @param path the file's {@code /}-separated path inside the dataset's folder
   * @param schema the dataset's served schema, partition columns included
   */
  static Map<String, Object> of(String path, Schema schema) {
    requireNonNull(path, "path is null");
    requireNonNull(schema, "schema is null");
    Map<String, Object> values = new HashMap<>();
    String[] segments = path.split("/", -1);
    // The last segment is the file's own name, never a partition.
    for (int i = 0; i < segments.length - 1; i++) {
      String segment = segments[i];
      int eq = segment.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String key = decode(segment.substring(0, eq));
      String raw = decode(segment.substring(eq + 1));
      if (key == null || raw == null || values.containsKey(key)) {
        continue;
      }
      Field field = field(schema, key);
      if (field == null) {
        continue;
      }
      if (NULL_VALUE.equals(raw)) {
        values.put(key, null);
      } else if (field.getType() instanceof ArrowType.Int) {
        try {
          values.put(key, Long.valueOf(raw));
        } catch (NumberFormatException e) {
          // Not what the server typed it as: unknown.
        }
      } else if (field.getType() instanceof ArrowType.Utf8) {
        values.put(key, raw);
      }
    }
    return values;
  }

  private static Field field(Schema schema, String name) {
    for (Field field : schema.getFields()) {
      if (field.getName().equals(name)) {
        return field;
      }
    }
    return null;
  }

  /** Percent-decodes a segment; null when it holds a malformed escape, whose value is unknown. */
  private static String decode(String segment) {
    if (segment.indexOf('%') < 0) {
      return segment;
    }
    try {
      // URLDecoder turns '+' into a space, which hive paths do not mean.
      return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
