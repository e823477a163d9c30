import dev.flightcluster.cli.demo.SampleData;
import dev.flightcluster.cli.demo.SampleTable;
import dev.flightcluster.server.parquet.ParquetFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Writes the demo's sample tables into DIR as Parquet, as a data server would, with the row counts
 * given: {@code java -cp 'DIST/lib/*' e2e/compose/GenerateDatasets.java DIR taxi_trips.parquet=30000 ...}.
 * The compose suite mounts DIR into every server, so each dataset has every server as a replica, and
 * checks that each is read back with exactly these counts.
 */
public class GenerateDatasets {
  public static void main(String[] args) throws Exception {
    Path dir = Files.createDirectories(Path.of(args[0]));
    try (BufferAllocator allocator = new RootAllocator()) {
      for (int i = 1; i < args.length; i++) {
        String[] nameRows = args[i].split("=", 2);
        SampleTable table = tableNamed(nameRows[0]);
        long rows = Long.parseLong(nameRows[1]);
        try (SampleData data = SampleData.reader(allocator, table, rows, SampleData.DEFAULT_BATCH_ROWS)) {
          ParquetFiles.write(allocator, data, dir.resolve(table.fileName()));
        }
      }
    }
  }

  private static SampleTable tableNamed(String fileName) {
    for (SampleTable table : SampleTable.values()) {
      if (table.fileName().equals(fileName)) {
        return table;
      }
    }
    throw new IllegalArgumentException("no sample table " + fileName);
  }
}
