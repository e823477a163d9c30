package dev.flightcluster.server.upload;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flatbuf.DictionaryBatch;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.flatbuf.Schema;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * The order an upload's messages must come in: a descriptor with or before the one schema, then
 * dictionaries and record batches. Flight accepts other orders and then waits for ever (a batch
 * before any schema, a schema without a descriptor) or replaces its root mid-stream (a second
 * schema).
 */
final class MessageOrder {
  private boolean descriptor;
  private boolean schema;
  private List<Field> columns;
  private Map<Long, Field> dictionaries;

  /**
   * Takes the next message.
   *
   * @return what is wrong with it, for a person, or null when it is in order
   */
  String accept(FlightDataFraming.Frame frame) {
    descriptor |= frame.descriptor();
    if (frame.header() == null) {
      return null; // a descriptor or application metadata alone
    }
    try {
      return accept(
          Message.getRootAsMessage(ByteBuffer.wrap(frame.header()).order(ByteOrder.LITTLE_ENDIAN)),
          frame.bodyLength());
    } catch (RuntimeException e) {
      // Flatbuffers read lazily and unchecked: a broken one fails with whatever the bad offset
      // hits.
      return "its data_header is not a valid Arrow IPC message (a flatbuffer that points outside itself)";
    }
  }

  private String accept(Message message, long bodyLength) {
    byte type = message.headerType();
    switch (type) {
      case MessageHeader.Schema -> {
        if (schema) {
          return "it is a second schema; an upload has exactly one";
        }
        if (!descriptor) {
          return "it is the schema, but no flight_descriptor came with it or before it to name the dataset";
        }
        if (bodyLength > 0) {
          return "it is the schema, which has no body, but carries a data_body of "
              + bodyLength
              + " bytes";
        }
        org.apache.arrow.vector.types.pojo.Schema decoded =
            org.apache.arrow.vector.types.pojo.Schema.convertSchema(
                (Schema) message.header(new Schema()));
        columns = decoded.getFields();
        dictionaries = new HashMap<>();
        collectDictionaries(columns);
        schema = true;
        return null;
      }
      case MessageHeader.RecordBatch -> {
        if (!schema) {
          return "it is a record batch, but no schema came before it";
        }
        return BatchHeaderCheck.check(
            (RecordBatch) message.header(new RecordBatch()), bodyLength, columns);
      }
      case MessageHeader.DictionaryBatch -> {
        if (!schema) {
          return "it is a dictionary, but no schema came before it";
        }
        DictionaryBatch dictionary = (DictionaryBatch) message.header(new DictionaryBatch());
        Field values = dictionaries.get(dictionary.id());
        if (values == null) {
          return "it is a dictionary with id "
              + dictionary.id()
              + ", which no column of the schema uses";
        }
        RecordBatch data = dictionary.data();
        return data == null
            ? "it is a dictionary without data"
            : BatchHeaderCheck.check(data, bodyLength, List.of(values));
      }
      default -> {
        return "its data_header is an Arrow IPC message of type "
            + type
            + ", which an upload cannot hold";
      }
    }
  }

  /** The value column of each dictionary, as a dictionary batch carries it. */
  private void collectDictionaries(List<Field> fields) {
    for (Field field : fields) {
      DictionaryEncoding encoding = field.getDictionary();
      if (encoding != null) {
        dictionaries.put(
            encoding.getId(),
            new Field(
                field.getName(),
                new FieldType(field.isNullable(), field.getType(), null, null),
                field.getChildren()));
      }
      collectDictionaries(field.getChildren());
    }
  }
}
