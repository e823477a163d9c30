/**
 * Parquet files through arrow-dataset: streaming, atomic writes of Arrow streams ({@link
 * dev.flightcluster.server.parquet.ParquetFiles}), shared by the data server and the CLI.
 */
package dev.flightcluster.server.parquet;
