package dev.flightcluster.client;

/**
 * Hears how far a {@code get} or {@code put} has come, after every record batch, on the thread
 * doing the transfer: enough to draw a progress bar. Keep it quick; an exception thrown here ends
 * the transfer like a failure of the stream would.
 */
@FunctionalInterface
public interface ProgressListener {
  /**
   * Called after each record batch.
   *
   * @param rows rows transferred so far by this call
   * @param bytes Arrow buffer bytes transferred so far by this call
   */
  void onProgress(long rows, long bytes);

  /** A listener that ignores progress. */
  static ProgressListener none() {
    return (rows, bytes) -> {};
  }
}
