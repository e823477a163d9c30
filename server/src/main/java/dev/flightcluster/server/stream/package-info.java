/**
 * The DoGet path of a data server: a ticket checked against the store, its pushdown included
 * ({@code StreamPlan}, {@code Projection}), read file by file ({@code FileSequenceReader}), one
 * native scan each ({@code FileScan}), within the scan memory budget ({@code ScanBudget}), sent at
 * the client's pace ({@code StreamGate}) with a resume token on every batch, by {@link
 * dev.flightcluster.server.stream.DoGetStreams}.
 */
package dev.flightcluster.server.stream;
