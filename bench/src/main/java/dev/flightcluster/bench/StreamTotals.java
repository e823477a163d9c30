package dev.flightcluster.bench;

/** What one stream moved in one run. */
record StreamTotals(long rows, long arrowBytes, long batches) {
  static StreamTotals sum(Iterable<StreamTotals> parts) {
    long rows = 0;
    long bytes = 0;
    long batches = 0;
    for (StreamTotals part : parts) {
      rows += part.rows;
      bytes += part.arrowBytes;
      batches += part.batches;
    }
    return new StreamTotals(rows, bytes, batches);
  }
}
