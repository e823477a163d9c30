package dev.flightcluster.server.parquet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.KeyValue;
import org.apache.parquet.format.Util;
import org.junit.jupiter.api.Test;

class ArrowSchemaFooterTest {
  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.nullable("s", ArrowType.LargeUtf8.INSTANCE),
              Field.nullable(
                  "t", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "America/New_York")),
              new Field(
                  "d",
                  new FieldType(
                      true,
                      ArrowType.Utf8.INSTANCE,
                      new DictionaryEncoding(3, false, new ArrowType.Int(32, true))),
                  List.of())),
          Map.of("k", "v"));

  @Test
  void theEncodingIsTheIpcSchemaMessageInBase64WithItsContinuationMarker() throws IOException {
    byte[] message = java.util.Base64.getDecoder().decode(ArrowSchemaFooter.encode(SCHEMA));

    // Arrow C++'s SerializeSchema: 0xFFFFFFFF, the flatbuffer's length, the flatbuffer, padded to
    // 8.
    assertThat(message).startsWith(0xFF, 0xFF, 0xFF, 0xFF);
    int length =
        java.nio.ByteBuffer.wrap(message, 4, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
    assertThat(message.length).isEqualTo(8 + length);
    assertThat(message.length % 8).isZero();
    assertThat(
            ArrowSchemaFooter.read(footer(ArrowSchemaFooter.KEY, ArrowSchemaFooter.encode(SCHEMA))))
        .contains(SCHEMA);
  }

  @Test
  void theExactSchemaWinsOverTheReadableOne() throws IOException {
    Schema readable = new Schema(List.of(Field.nullable("s", ArrowType.Utf8.INSTANCE)));
    FileMetaData metadata = metadata();
    metadata.addToKey_value_metadata(
        keyValue(ArrowSchemaFooter.KEY, ArrowSchemaFooter.encode(readable)));
    metadata.addToKey_value_metadata(
        keyValue(ArrowSchemaFooter.EXACT_KEY, ArrowSchemaFooter.encode(SCHEMA)));

    assertThat(ArrowSchemaFooter.read(bytes(metadata))).contains(SCHEMA);
  }

  @Test
  void aFooterWithoutASchemaHasNone() throws IOException {
    assertThat(ArrowSchemaFooter.read(bytes(metadata()))).isEmpty();
  }

  @Test
  void aBrokenStoredSchemaIsAnIoExceptionNotACrash() {
    assertThatThrownBy(() -> ArrowSchemaFooter.read(footer(ArrowSchemaFooter.KEY, "not base64 !")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not base64");
    assertThatThrownBy(() -> ArrowSchemaFooter.read(footer(ArrowSchemaFooter.KEY, "AAAAAAAAAAA=")))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> ArrowSchemaFooter.read(new byte[] {1, 2, 3}))
        .isInstanceOf(IOException.class);
  }

  private static byte[] footer(String key, String value) throws IOException {
    FileMetaData metadata = metadata();
    metadata.addToKey_value_metadata(keyValue(key, value));
    return bytes(metadata);
  }

  private static FileMetaData metadata() {
    return new FileMetaData(
        1, List.of(new org.apache.parquet.format.SchemaElement("schema")), 0, List.of());
  }

  private static KeyValue keyValue(String key, String value) {
    KeyValue entry = new KeyValue(key);
    entry.setValue(value);
    return entry;
  }

  private static byte[] bytes(FileMetaData metadata) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Util.writeFileMetaData(metadata, out);
    return out.toByteArray();
  }
}
