package dev.flightcluster.client;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryEncoder;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.Text;

/** The rows the fakes serve and the tests expect: row {@code i} is {@code (i, "row-i")}. */
final class TestData {
  static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.nullable("id", new ArrowType.Int(64, true)),
              Field.nullable("name", ArrowType.Utf8.INSTANCE)));

  private TestData() {}

  /** One row, as the tests compare them: values in column order, strings as {@link String}. */
  record Row(List<Object> values) {
    static Row of(Object... values) {
      return new Row(List.of(values));
    }
  }

  /** Fills {@code root} (of {@link #SCHEMA}) with rows {@code firstId} ... */
  static void fill(VectorSchemaRoot root, long firstId, int rows) {
    BigIntVector id = (BigIntVector) root.getVector("id");
    VarCharVector name = (VarCharVector) root.getVector("name");
    id.allocateNew(rows);
    name.allocateNew(rows);
    for (int i = 0; i < rows; i++) {
      id.set(i, firstId + i);
      name.setSafe(i, ("row-" + (firstId + i)).getBytes(StandardCharsets.UTF_8));
    }
    root.setRowCount(rows);
  }

  /** The rows {@code firstId} ... {@code firstId + count - 1}, as {@link #fill} writes them. */
  static List<Row> expectedRows(long firstId, int count) {
    List<Row> rows = new ArrayList<>();
    for (long id = firstId; id < firstId + count; id++) {
      rows.add(Row.of(id, "row-" + id));
    }
    return rows;
  }

  /** The rows of a batch, dictionary-encoded columns decoded with {@code dictionaries}. */
  static List<Row> rows(VectorSchemaRoot batch, DictionaryProvider dictionaries) {
    List<ValueVector> columns = new ArrayList<>();
    List<ValueVector> decoded = new ArrayList<>();
    try {
      for (FieldVector vector : batch.getFieldVectors()) {
        DictionaryEncoding encoding = vector.getField().getDictionary();
        if (encoding == null) {
          columns.add(vector);
        } else {
          Dictionary dictionary = dictionaries.lookup(encoding.getId());
          ValueVector plain = DictionaryEncoder.decode(vector, dictionary);
          decoded.add(plain);
          columns.add(plain);
        }
      }
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < batch.getRowCount(); i++) {
        List<Object> values = new ArrayList<>();
        for (ValueVector column : columns) {
          Object value = column.getObject(i);
          values.add(value instanceof Text text ? text.toString() : value);
        }
        rows.add(new Row(values));
      }
      return rows;
    } finally {
      decoded.forEach(ValueVector::close);
    }
  }

  /** The rows of a batch without dictionary-encoded columns. */
  static List<Row> rows(VectorSchemaRoot batch) {
    return rows(batch, new DictionaryProvider.MapDictionaryProvider());
  }

  /** A reader over {@code batches} batches of {@code rowsPerBatch} rows, ids counting from 0. */
  static ArrowStreamReader reader(BufferAllocator allocator, int batches, int rowsPerBatch) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator);
        ArrowStreamWriter writer = new ArrowStreamWriter(root, null, bytes)) {
      writer.start();
      for (int b = 0; b < batches; b++) {
        fill(root, (long) b * rowsPerBatch, rowsPerBatch);
        writer.writeBatch();
      }
      writer.end();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new ArrowStreamReader(new ByteArrayInputStream(bytes.toByteArray()), allocator);
  }

  /**
   * A reader of one batch per element of {@code batches}, with a column {@code city} that is
   * dictionary-encoded over {@code dictionaryValues}.
   */
  static ArrowStreamReader dictionaryReader(
      BufferAllocator allocator, List<String> dictionaryValues, List<List<String>> batches) {
    DictionaryEncoding encoding = new DictionaryEncoding(1L, false, new ArrowType.Int(32, true));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (VarCharVector dictionaryVector = new VarCharVector("city-dictionary", allocator)) {
      dictionaryVector.allocateNew();
      for (int i = 0; i < dictionaryValues.size(); i++) {
        dictionaryVector.setSafe(i, dictionaryValues.get(i).getBytes(StandardCharsets.UTF_8));
      }
      dictionaryVector.setValueCount(dictionaryValues.size());
      Dictionary dictionary = new Dictionary(dictionaryVector, encoding);
      DictionaryProvider.MapDictionaryProvider provider =
          new DictionaryProvider.MapDictionaryProvider(dictionary);
      // In memory a dictionary-encoded column holds the indices; its field names the dictionary.
      Field city =
          new Field("city", new FieldType(true, new ArrowType.Int(32, true), encoding), null);
      try (VectorSchemaRoot root =
              new VectorSchemaRoot(List.of(city), List.of(city.createVector(allocator)), 0);
          ArrowStreamWriter writer = new ArrowStreamWriter(root, provider, bytes)) {
        writer.start();
        for (List<String> batch : batches) {
          try (VarCharVector plain = new VarCharVector("city", allocator)) {
            plain.allocateNew();
            for (int i = 0; i < batch.size(); i++) {
              plain.setSafe(i, batch.get(i).getBytes(StandardCharsets.UTF_8));
            }
            plain.setValueCount(batch.size());
            try (ValueVector indices = DictionaryEncoder.encode(plain, dictionary)) {
              indices.makeTransferPair(root.getVector(0)).transfer();
            }
          }
          root.setRowCount(batch.size());
          writer.writeBatch();
        }
        writer.end();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new ArrowStreamReader(new ByteArrayInputStream(bytes.toByteArray()), allocator);
  }

  /** A location nothing listens on: a port bound and released again, so connecting is refused. */
  static Location deadLocation() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return Location.forGrpcInsecure("127.0.0.1", socket.getLocalPort());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
