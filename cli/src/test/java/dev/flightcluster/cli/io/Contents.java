package dev.flightcluster.cli.io;

import java.io.IOException;
import org.apache.arrow.vector.ipc.ArrowReader;

/** Reads a whole reader into comparable text, for round-trip tests. */
public final class Contents {
  private Contents() {}

  /** All rows as TSV (no header), and the row count. */
  public static String of(ArrowReader reader) throws IOException {
    StringBuilder out = new StringBuilder();
    while (reader.loadNextBatch()) {
      String tsv = reader.getVectorSchemaRoot().contentToTSVString();
      out.append(tsv, tsv.indexOf('\n') + 1, tsv.length());
    }
    return out.toString();
  }
}
