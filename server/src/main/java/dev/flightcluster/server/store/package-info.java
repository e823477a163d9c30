/**
 * The datasets of a data dir: what is on disk ({@code DataDir}), what each Parquet file holds
 * ({@code FileInspections}), a dataset made of its files ({@code DatasetAssembler}, {@code
 * Fingerprints}), uploads ({@code Uploads}), behind one facade, {@link
 * dev.flightcluster.server.store.DatasetStore}, that hands out immutable {@link
 * dev.flightcluster.server.store.Listing} snapshots.
 */
package dev.flightcluster.server.store;
