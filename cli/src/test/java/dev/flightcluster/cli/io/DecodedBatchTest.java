package dev.flightcluster.cli.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryEncoder;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecodedBatchTest {
  private static final DictionaryEncoding ENCODING =
      new DictionaryEncoding(7, false, new ArrowType.Int(32, true));

  @TempDir Path dir;

  @Test
  void aSinkWritesTheValuesOfADictionaryColumnNotItsIndices() throws Exception {
    Path target = dir.resolve("colors.arrow");
    try (BufferAllocator allocator = new RootAllocator();
        VarCharVector values = new VarCharVector("dictionary", allocator);
        VarCharVector plain = new VarCharVector("color", allocator)) {
      values.allocateNew();
      values.setSafe(0, "red".getBytes(StandardCharsets.UTF_8));
      values.setSafe(1, "green".getBytes(StandardCharsets.UTF_8));
      values.setValueCount(2);
      Dictionary dictionary = new Dictionary(values, ENCODING);
      plain.allocateNew();
      plain.setSafe(0, "green".getBytes(StandardCharsets.UTF_8));
      plain.setNull(1);
      plain.setSafe(2, "red".getBytes(StandardCharsets.UTF_8));
      plain.setValueCount(3);
      DictionaryProvider.MapDictionaryProvider provider =
          new DictionaryProvider.MapDictionaryProvider(dictionary);
      try (IntVector indices = (IntVector) DictionaryEncoder.encode(plain, dictionary);
          VectorSchemaRoot batch = new VectorSchemaRoot(List.of(indices))) {
        batch.setRowCount(3);
        assertThat(DecodedBatch.hasDictionaries(batch)).isTrue();
        try (BatchSink sink =
            OutputFormat.forPath(target).open(allocator, target, (a, r, p) -> {})) {
          sink.write(batch, provider);
          sink.finish(DecodedBatch.withoutDictionaries(batch.getSchema()));
        }
        // The batch stays usable: decoding shared nothing it owns.
        assertThat(indices.get(0)).isEqualTo(1);
      }
      try (ArrowFileReader reader = new ArrowFileReader(Files.newByteChannel(target), allocator)) {
        assertThat(reader.loadNextBatch()).isTrue();
        VectorSchemaRoot read = reader.getVectorSchemaRoot();
        assertThat(read.getSchema().getFields().get(0).getDictionary()).isNull();
        VarCharVector colors = (VarCharVector) read.getVector(0);
        assertThat(colors.getObject(0)).hasToString("green");
        assertThat(colors.isNull(1)).isTrue();
        assertThat(colors.getObject(2)).hasToString("red");
      }
    }
  }

  @Test
  void aDictionaryTheStreamDidNotSendIsAnErrorNotIndices() throws Exception {
    Field field = new Field("color", new FieldType(true, ArrowType.Utf8.INSTANCE, ENCODING), null);
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot batch = VectorSchemaRoot.create(new Schema(List.of(field)), allocator)) {
      batch.setRowCount(0);
      assertThatThrownBy(
              () -> DecodedBatch.decode(batch, new DictionaryProvider.MapDictionaryProvider()))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("'color'")
          .hasMessageContaining("dictionary 7");
      assertThat(DecodedBatch.withoutDictionaries(batch.getSchema()).getFields().get(0))
          .isEqualTo(Field.nullable("color", ArrowType.Utf8.INSTANCE));
    }
  }
}
