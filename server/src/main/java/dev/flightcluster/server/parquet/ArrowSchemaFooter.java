package dev.flightcluster.server.parquet;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.KeyValue;
import org.apache.parquet.format.Util;

/**
 * The Arrow schema a Parquet file carries in its footer, under the key {@code ARROW:schema}, as
 * Arrow C++ writes it with {@code store_schema}: the IPC schema message (continuation marker,
 * length, flatbuffer, padding), base64-encoded. Arrow readers (pyarrow, arrow-dataset, Arrow Go)
 * use it to restore the types Parquet cannot name on its own: large and view types, dictionaries,
 * time zones, durations, fixed-size lists.
 *
 * <p>arrow-dataset's Java writer cannot ask for it (decisions D36), so uploads get it by a footer
 * rewrite: the column chunks precede the footer and stay untouched, only the Thrift file metadata
 * after them is replaced.
 */
public final class ArrowSchemaFooter {
  /** The footer key Arrow's Parquet readers and writers use. */
  public static final String KEY = "ARROW:schema";

  /**
   * The exact sent schema, where it differs from the one under {@link #KEY}: Arrow C++ 18 casts a
   * column back to a {@code fixed_size_list} named there and fails on its null entries, so {@link
   * #KEY} names those columns lists and the server restores them from this key (decisions D37).
   */
  public static final String EXACT_KEY = "flight-cluster:arrow_schema";

  private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);

  private ArrowSchemaFooter() {}

  /** The schema as Arrow C++ stores it: base64 of the serialized IPC schema message. */
  static String encode(Schema schema) {
    requireNonNull(schema, "schema is null");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      MessageSerializer.serialize(
          new WriteChannel(Channels.newChannel(out)), schema, IpcOption.DEFAULT);
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory cannot fail", e);
    }
    return Base64.getEncoder().encodeToString(out.toByteArray());
  }

  /**
   * The Arrow schema stored in a Parquet footer, if any.
   *
   * @param footer the Thrift-encoded file metadata, as {@link ParquetFiles#footer} returns it
   * @throws IOException when the footer or the stored schema cannot be decoded
   */
  public static Optional<Schema> read(byte[] footer) throws IOException {
    FileMetaData metadata = parse(footer);
    if (metadata.getKey_value_metadata() == null) {
      return Optional.empty();
    }
    Optional<Schema> exact = read(metadata, EXACT_KEY);
    return exact.isPresent() ? exact : read(metadata, KEY);
  }

  private static Optional<Schema> read(FileMetaData metadata, String key) throws IOException {
    for (KeyValue entry : metadata.getKey_value_metadata()) {
      if (key.equals(entry.getKey()) && entry.getValue() != null) {
        byte[] message;
        try {
          message = Base64.getDecoder().decode(entry.getValue().strip());
        } catch (IllegalArgumentException e) {
          throw new IOException("the footer's " + key + " is not base64", e);
        }
        try {
          return Optional.of(
              MessageSerializer.deserializeSchema(
                  new ReadChannel(Channels.newChannel(new ByteArrayInputStream(message)))));
        } catch (RuntimeException e) {
          throw new IOException("the footer's " + key + " is not an Arrow schema message", e);
        }
      }
    }
    return Optional.empty();
  }

  /** Parses a Parquet footer's Thrift file metadata. */
  public static FileMetaData parse(byte[] footer) throws IOException {
    requireNonNull(footer, "footer is null");
    try {
      return Util.readFileMetaData(new ByteArrayInputStream(footer));
    } catch (RuntimeException e) {
      throw new IOException("cannot decode the Parquet footer", e);
    }
  }

  /**
   * Stores {@code readable} under {@link #KEY} and, when it differs, {@code exact} under {@link
   * #EXACT_KEY} in the footer of {@code file}, in place, replacing any stored before. Only for a
   * file nobody else can see yet: it is rewritten without a copy.
   */
  static void store(Path file, Schema exact, Schema readable) throws IOException {
    requireNonNull(file, "file is null");
    String encoded = encode(readable);
    String exactEncoded = exact.equals(readable) ? null : encode(exact);
    rewrite(
        file,
        metadata -> {
          List<KeyValue> entries = new ArrayList<>();
          if (metadata.getKey_value_metadata() != null) {
            metadata.getKey_value_metadata().stream()
                .filter(e -> !KEY.equals(e.getKey()) && !EXACT_KEY.equals(e.getKey()))
                .forEach(entries::add);
          }
          KeyValue entry = new KeyValue(KEY);
          entry.setValue(encoded);
          entries.add(entry);
          if (exactEncoded != null) {
            KeyValue exactEntry = new KeyValue(EXACT_KEY);
            exactEntry.setValue(exactEncoded);
            entries.add(exactEntry);
          }
          metadata.setKey_value_metadata(entries);
        },
        false);
  }

  /**
   * Turns a written file into one with no rows but the same schema: the footer keeps the schema and
   * loses its row groups, and the column data goes. Arrow's writer cannot write a file without
   * rows, so an empty upload is written as one row and then emptied here.
   */
  static void dropRowGroups(Path file) throws IOException {
    rewrite(
        file,
        metadata -> {
          metadata.setRow_groups(new ArrayList<>());
          metadata.setNum_rows(0);
        },
        true);
  }

  private interface Edit {
    void apply(FileMetaData metadata);
  }

  private static void rewrite(Path file, Edit edit, boolean dropData) throws IOException {
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      byte[] footer = ParquetFiles.footer(file);
      long footerStart = channel.size() - 8 - footer.length;
      FileMetaData metadata = parse(footer);
      edit.apply(metadata);
      ByteArrayOutputStream out = new ByteArrayOutputStream(footer.length + 1024);
      Util.writeFileMetaData(metadata, out);
      byte[] rewritten = out.toByteArray();
      ByteBuffer tail = ByteBuffer.allocate(rewritten.length + 8).order(ByteOrder.LITTLE_ENDIAN);
      tail.put(rewritten).putInt(rewritten.length).put(MAGIC).flip();
      long position = dropData ? MAGIC.length : footerStart;
      channel.truncate(position);
      while (tail.hasRemaining()) {
        position += channel.write(tail, position);
      }
      channel.force(true);
    }
  }
}
