package dev.flightcluster.bench;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.util.AutoCloseables;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.TransferPair;

/**
 * A dataset held in memory as unloaded record batches, so that a benchmark can send the same
 * batches again and again without any I/O or decoding: what is left is the cost of Arrow Flight
 * itself.
 *
 * <p>It is read from an Arrow IPC file rather than from Parquet because the IPC file format allows
 * one dictionary per column for the whole file: every batch then refers to the same dictionary,
 * which a Flight stream started with {@code start(root, dictionaries)} requires (Arrow Java sends
 * dictionaries once, when the stream starts). The batches may be shared by several concurrent
 * streams: loading one into a {@link VectorSchemaRoot} only retains its buffers.
 */
public final class PreloadedDataset implements AutoCloseable {
  private final Schema schema;
  private final DictionaryProvider.MapDictionaryProvider dictionaries;
  private final List<ArrowRecordBatch> batches;
  private final long rows;
  private final long arrowBytes;

  private PreloadedDataset(
      Schema schema,
      DictionaryProvider.MapDictionaryProvider dictionaries,
      List<ArrowRecordBatch> batches,
      long rows,
      long arrowBytes) {
    this.schema = schema;
    this.dictionaries = dictionaries;
    this.batches = Collections.unmodifiableList(batches);
    this.rows = rows;
    this.arrowBytes = arrowBytes;
  }

  /**
   * Reads every batch of an Arrow IPC file into memory allocated from {@code allocator}.
   *
   * <p>The caller closes the dataset before it closes the allocator.
   */
  public static PreloadedDataset load(BufferAllocator allocator, Path ipcFile) throws IOException {
    requireNonNull(allocator, "allocator is null");
    requireNonNull(ipcFile, "ipcFile is null");
    List<ArrowRecordBatch> batches = new ArrayList<>();
    var dictionaries = new DictionaryProvider.MapDictionaryProvider();
    try (FileChannel channel = FileChannel.open(ipcFile, StandardOpenOption.READ);
        ArrowFileReader reader = new ArrowFileReader(channel, allocator)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      Schema schema = root.getSchema();
      long rows = 0;
      long bytes = 0;
      while (reader.loadNextBatch()) {
        rows += root.getRowCount();
        bytes += ArrowBytes.of(root);
        // The unloaded batch retains the buffers, which the next loadNextBatch would otherwise
        // free.
        batches.add(new VectorUnloader(root, true, true).getRecordBatch());
      }
      // The reader owns its dictionary vectors and frees them on close: move them out first.
      for (Map.Entry<Long, Dictionary> entry : reader.getDictionaryVectors().entrySet()) {
        Dictionary dictionary = entry.getValue();
        TransferPair transfer = dictionary.getVector().getTransferPair(allocator);
        transfer.transfer();
        dictionaries.put(new Dictionary((FieldVector) transfer.getTo(), dictionary.getEncoding()));
      }
      return new PreloadedDataset(schema, dictionaries, batches, rows, bytes);
    } catch (Throwable t) {
      AutoCloseables.close(t, batches);
      AutoCloseables.close(t, dictionaries);
      throw t;
    }
  }

  /** The schema, with the dictionary encodings of its dictionary-encoded fields. */
  public Schema schema() {
    return schema;
  }

  /** The dictionaries the batches refer to; owned by this dataset. */
  public DictionaryProvider dictionaries() {
    return dictionaries;
  }

  /** The batches, in file order; owned by this dataset. */
  public List<ArrowRecordBatch> batches() {
    return batches;
  }

  /** Rows in all batches. */
  public long rows() {
    return rows;
  }

  /** Arrow bytes in all batches, as {@link ArrowBytes} counts them. */
  public long arrowBytes() {
    return arrowBytes;
  }

  @Override
  public void close() {
    try {
      batches.forEach(ArrowRecordBatch::close);
    } finally {
      dictionaries.close();
    }
  }
}
