package dev.flightcluster.otel;

import io.opentelemetry.api.common.AttributeKey;

/** Attribute keys of the application spans around Flight calls. */
public final class FlightAttributes {
  /** The dataset a call reads or writes. */
  public static final AttributeKey<String> DATASET = AttributeKey.stringKey("flight.dataset");

  /** Rows streamed. */
  public static final AttributeKey<Long> ROWS = AttributeKey.longKey("flight.rows");

  /** Record batches streamed. */
  public static final AttributeKey<Long> BATCHES = AttributeKey.longKey("flight.batches");

  /** Arrow buffer bytes streamed. */
  public static final AttributeKey<Long> BYTES = AttributeKey.longKey("flight.bytes");

  /** The share of the data server's scan memory budget a DoGet held, in bytes. */
  public static final AttributeKey<Long> SCAN_MEMORY_RESERVED =
      AttributeKey.longKey("flight.scan_memory_reserved");

  /** Files a DoGet opened and scanned. */
  public static final AttributeKey<Long> FILES_OPENED = AttributeKey.longKey("flight.files_opened");

  /** Files a DoGet left unopened because the filter cannot match their partition values. */
  public static final AttributeKey<Long> FILES_PRUNED = AttributeKey.longKey("flight.files_pruned");

  /** The data server a span ran on or talked to. */
  public static final AttributeKey<String> SERVER_ID = AttributeKey.stringKey("server.id");

  /** Rows received, under the name the original example's client used. */
  public static final AttributeKey<Long> NUM_ROWS = AttributeKey.longKey("num_rows");

  /** The Flight status code of a failed call. */
  public static final AttributeKey<String> STATUS_CODE =
      AttributeKey.stringKey("flight.status_code");

  private FlightAttributes() {}
}
