package dev.flightcluster.server.store;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * The hive-style partition columns of a folder dataset, read from the {@code key=value} directories
 * its files live under ({@code trips/year=2024/month=1/part-0.parquet}): arrow-dataset Java has no
 * partitioning discovery, so the server adds these columns itself.
 *
 * <p>Parsing follows pyarrow's {@code partitioning="hive"}: every directory segment holding a
 * {@code =} is a key (up to the first {@code =}) and a value, both percent-decoded as UTF-8 ({@code
 * +} stays a plus, a malformed escape stays as written); {@code __HIVE_DEFAULT_PARTITION__} is
 * null; other segments are ignored. Unlike pyarrow, every file must name the same keys in the same
 * order, and a key whose values are all decimal integers is int64 (pyarrow infers int32), else
 * utf8.
 *
 * @param fields one nullable field per key, in path order; empty for a dataset without partitions
 * @param values per file (in the dataset's file order), the value of each field: a {@link Long}, a
 *     {@link String} or null
 */
public record Partitions(List<Field> fields, List<List<Object>> values) {
  /** No partition columns. */
  public static final Partitions NONE = new Partitions(List.of(), List.of());

  static final String NULL_VALUE = "__HIVE_DEFAULT_PARTITION__";

  private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");

  public Partitions {
    fields = List.copyOf(fields);
    List<List<Object>> copy = new ArrayList<>(values.size());
    for (List<Object> fileValues : values) {
      if (fileValues.size() != fields.size()) {
        throw new IllegalArgumentException("one value per field is needed, got " + fileValues);
      }
      copy.add(Collections.unmodifiableList(new ArrayList<>(fileValues))); // values may be null
    }
    values = Collections.unmodifiableList(copy);
  }

  /** True for a dataset whose files lie under no {@code key=value} directory. */
  public boolean isEmpty() {
    return fields.isEmpty();
  }

  /**
   * Reads the partitions of a folder dataset from where its files lie.
   *
   * @param files each file's path relative to the dataset's folder, in the dataset's file order
   * @return {@link #NONE} when no file lies under a {@code key=value} directory
   * @throws IllegalArgumentException when the files do not all name the same keys in the same
   *     order, a path names a key twice, or a segment is not UTF-8 once decoded; the message says
   *     where
   */
  public static Partitions discover(List<Path> files) {
    List<String> keys = null;
    Path first = null;
    List<List<String>> raw = new ArrayList<>(files.size());
    for (Path file : files) {
      List<String> fileKeys = new ArrayList<>();
      List<String> fileValues = new ArrayList<>();
      Path dir = file.getParent();
      for (int i = 0; dir != null && i < dir.getNameCount(); i++) {
        String segment = dir.getName(i).toString();
        int eq = segment.indexOf('=');
        if (eq < 0) {
          continue;
        }
        String key = decode(segment.substring(0, eq), file);
        String value = decode(segment.substring(eq + 1), file);
        if (fileKeys.contains(key)) {
          throw new IllegalArgumentException(
              file + " names partition key '" + key + "' twice; a key may appear once per path");
        }
        fileKeys.add(key);
        fileValues.add(NULL_VALUE.equals(value) ? null : value);
      }
      if (keys == null) {
        keys = fileKeys;
        first = file;
      } else if (!keys.equals(fileKeys)) {
        throw new IllegalArgumentException(
            "its files lie under different partition keys: "
                + first
                + " has "
                + keys
                + " but "
                + file
                + " has "
                + fileKeys
                + "; every file must be under the same key=value"
                + " directories, in the same order");
      }
      raw.add(fileValues);
    }
    if (keys == null || keys.isEmpty()) {
      return NONE;
    }
    List<Field> fields = new ArrayList<>(keys.size());
    boolean[] integer = new boolean[keys.size()];
    for (int k = 0; k < keys.size(); k++) {
      boolean all = true;
      boolean any = false;
      for (List<String> fileValues : raw) {
        String value = fileValues.get(k);
        if (value != null) {
          any = true;
          all &= isLong(value);
        }
      }
      // A key that is null everywhere has nothing to infer from: utf8 (pyarrow refuses it).
      integer[k] = any && all;
      fields.add(
          Field.nullable(
              keys.get(k), integer[k] ? new ArrowType.Int(64, true) : new ArrowType.Utf8()));
    }
    List<List<Object>> values = new ArrayList<>(raw.size());
    for (List<String> fileValues : raw) {
      List<Object> typed = new ArrayList<>(keys.size());
      for (int k = 0; k < keys.size(); k++) {
        String value = fileValues.get(k);
        typed.add(value == null || !integer[k] ? value : Long.valueOf(value));
      }
      values.add(typed);
    }
    return new Partitions(fields, values);
  }

  /**
   * The values of file {@code file} (in the dataset's file order) by column name, in column order;
   * a value may be null.
   */
  public Map<String, Object> valuesOf(int file) {
    Map<String, Object> known = new LinkedHashMap<>();
    List<Object> fileValues = values.get(file);
    for (int k = 0; k < fields.size(); k++) {
      known.put(fields.get(k).getName(), fileValues.get(k));
    }
    return Collections.unmodifiableMap(known);
  }

  /**
   * Adds the partition values to a content digest: the schema alone cannot tell {@code year=2024}
   * from {@code year=2025}.
   */
  void digestInto(MessageDigest digest) {
    requireNonNull(digest, "digest is null");
    for (List<Object> fileValues : values) {
      for (Object value : fileValues) {
        if (value == null) {
          digest.update(ByteBuffer.allocate(4).putInt(-1).flip());
        } else {
          byte[] bytes = value.toString().getBytes(StandardCharsets.UTF_8);
          digest.update(ByteBuffer.allocate(4).putInt(bytes.length).flip());
          digest.update(bytes);
        }
      }
    }
  }

  private static boolean isLong(String value) {
    if (!INTEGER.matcher(value).matches()) {
      return false;
    }
    try {
      Long.parseLong(value);
      return true;
    } catch (NumberFormatException e) {
      return false; // out of range
    }
  }

  /** Percent-decodes a path segment as UTF-8, as pyarrow's URI segment encoding does. */
  static String decode(String segment, Path file) {
    if (segment.indexOf('%') < 0) {
      return segment;
    }
    byte[] in = segment.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
    for (int i = 0; i < in.length; i++) {
      if (in[i] == '%' && i + 2 < in.length && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
        out.write(hex(in[i + 1]) << 4 | hex(in[i + 2]));
        i += 2;
      } else {
        out.write(in[i]);
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(out.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(
          file + ": partition segment '" + segment + "' is not UTF-8 once percent-decoded");
    }
  }

  private static int hex(byte b) {
    if (b >= '0' && b <= '9') {
      return b - '0';
    }
    if (b >= 'a' && b <= 'f') {
      return b - 'a' + 10;
    }
    if (b >= 'A' && b <= 'F') {
      return b - 'A' + 10;
    }
    return -1;
  }

  @Override
  public String toString() {
    return "Partitions" + fields.stream().map(Field::getName).toList();
  }
}
