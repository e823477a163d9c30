import dev.flightcluster.cli.demo.SampleData;
import dev.flightcluster.cli.demo.SampleTable;
import dev.flightcluster.server.parquet.ParquetFiles;
import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Writes the demo's taxi_trips sample table with ROWS rows to FILE, as a data server would:
 * {@code java -cp 'DIST/lib/*' bench/lifecycle/GenerateSample.java FILE ROWS}.
 */
public class GenerateSample {
  public static void main(String[] args) throws Exception {
    Path target = Path.of(args[0]);
    long rows = Long.parseLong(args[1]);
    try (BufferAllocator allocator = new RootAllocator();
        SampleData data = SampleData.reader(allocator, SampleTable.TAXI_TRIPS, rows, SampleData.DEFAULT_BATCH_ROWS)) {
      ParquetFiles.write(allocator, data, target);
    }
  }
}
