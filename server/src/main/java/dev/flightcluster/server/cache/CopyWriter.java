package dev.flightcluster.server.cache;

import dev.flightcluster.server.parquet.ParquetFiles;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.dataset.file.FileSystemDatasetFactory;
import org.apache.arrow.dataset.scanner.ScanOptions;
import org.apache.arrow.dataset.scanner.Scanner;
import org.apache.arrow.dataset.source.Dataset;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.util.AutoCloseables;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.compare.VectorEqualsVisitor;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.TransferPair;

/**
 * Writes the Arrow IPC copy of one Parquet file: the batches the DoGet scan of that file gives
 * (same schema, same batch size), one at a time, into {@code NAME.tmp}, synced, then renamed to its
 * name in one step, so a copy is whole or absent. The footer's metadata names the Parquet file, its
 * key and the scan layout, so a restarted server can check a copy without its Parquet file's
 * listing.
 */
final class CopyWriter {
  static final String TMP_SUFFIX = ".tmp";
  static final String SOURCE = "flight-cluster.cache.source";
  static final String KEY = "flight-cluster.cache.key";
  static final String LAYOUT = "flight-cluster.cache.layout";

  private CopyWriter() {}

  /** A file that the IPC file format cannot hold as it is scanned. */
  static final class NotCacheable extends Exception {
    NotCacheable(String message) {
      super(message);
    }
  }

  /**
   * Writes the copy of {@code key}'s file to {@code dir}.
   *
   * @return the copy, written and synced
   * @throws NotCacheable when a dictionary column changes its dictionary between batches: the IPC
   *     file format holds one dictionary per column
   * @throws InterruptedIOException when the thread was interrupted between batches; nothing is left
   */
  static Path write(
      BufferAllocator allocator,
      CacheKey key,
      Schema scanSchema,
      String layout,
      int batchRows,
      Path dir)
      throws IOException, NotCacheable {
    String name = key.newFileName();
    Path target = dir.resolve(name);
    Path tmp = dir.resolve(name + TMP_SUFFIX);
    Map<String, String> footer =
        Map.of(SOURCE, key.source().toString(), KEY, key.digest(), LAYOUT, layout);
    boolean done = false;
    try {
      FileSystemDatasetFactory factory =
          ParquetFiles.datasetFactory(allocator, List.of(key.source()));
      Dataset dataset = null;
      Scanner scanner = null;
      ArrowReader reader = null;
      FirstDictionaries dictionaries = null;
      try {
        dataset = factory.finish(scanSchema);
        scanner = dataset.newScan(new ScanOptions(batchRows));
        reader = scanner.scanBatches();
        VectorSchemaRoot root = reader.getVectorSchemaRoot();
        dictionaries = new FirstDictionaries(allocator, reader);
        try (FileChannel channel =
                FileChannel.open(
                    tmp,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
            ArrowFileWriter writer =
                new ArrowFileWriter(root, reader, channel, footer, IpcOption.DEFAULT)) {
          writer.start();
          while (reader.loadNextBatch()) {
            if (Thread.currentThread().isInterrupted()) {
              throw new InterruptedIOException("interrupted while writing " + tmp);
            }
            dictionaries.check(root);
            writer.writeBatch();
          }
          writer.end();
          channel.force(true);
        }
      } finally {
        AutoCloseables.close(dictionaries, reader, scanner, dataset, factory);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      ParquetFiles.fsync(dir);
      done = true;
      return target;
    } catch (IOException | NotCacheable | RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("closing the scan of " + key.source(), e);
    } finally {
      if (!done) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  /**
   * The dictionaries of the first batch, which the IPC file holds (Arrow Java writes a file's
   * dictionaries once), and the check that every later batch has the same.
   */
  private static final class FirstDictionaries implements AutoCloseable {
    private final BufferAllocator allocator;
    private final ArrowReader reader;
    private final List<FieldVector> first = new ArrayList<>();
    private final Map<Long, FieldVector> byId = new HashMap<>();

    FirstDictionaries(BufferAllocator allocator, ArrowReader reader) {
      this.allocator = allocator;
      this.reader = reader;
    }

    void check(VectorSchemaRoot root) throws IOException, NotCacheable {
      for (FieldVector vector : root.getFieldVectors()) {
        DictionaryEncoding encoding = vector.getField().getDictionary();
        if (encoding == null) {
          continue;
        }
        Dictionary dictionary = reader.lookup(encoding.getId());
        if (dictionary == null) {
          throw new IOException("the scan sent no dictionary for column " + vector.getName());
        }
        FieldVector seen = byId.get(encoding.getId());
        if (seen == null) {
          // A slice holds references of its own to the batch's buffers.
          TransferPair pair = dictionary.getVector().getTransferPair(allocator);
          pair.splitAndTransfer(0, dictionary.getVector().getValueCount());
          FieldVector copy = (FieldVector) pair.getTo();
          first.add(copy);
          byId.put(encoding.getId(), copy);
        } else if (!VectorEqualsVisitor.vectorEquals(seen, dictionary.getVector())) {
          throw new NotCacheable(
              "column " + vector.getName() + " changes its dictionary between batches");
        }
      }
    }

    @Override
    public void close() {
      AutoCloseables.closeNoChecked(() -> AutoCloseables.close(first));
    }
  }
}
