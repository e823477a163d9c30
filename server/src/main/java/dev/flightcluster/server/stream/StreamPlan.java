package dev.flightcluster.server.stream;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.DatasetTicket;
import dev.flightcluster.protocol.Pushdown;
import dev.flightcluster.protocol.ResumePosition;
import dev.flightcluster.query.RowFilter;
import dev.flightcluster.server.store.Dataset;
import dev.flightcluster.server.store.DatasetStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.flight.CallStatus;

/**
 * What one DoGet streams: a ticket checked against the dataset as this server lists it. The files
 * are the ticket's, in its order (every file of the dataset when it names none), from the first of
 * them or from the ticket's resume position on, less the files whose partition values the filter
 * cannot match: those are never opened (decisions D79).
 *
 * @param files indices into {@code dataset.files()} of the files to read, in stream order
 * @param skipRows how many rows of the first of them were delivered already (rows that passed the
 *     filter, with one)
 * @param projection the columns sent
 * @param filter the rows sent; empty for every row
 * @param limit the most rows the stream sends; {@link Long#MAX_VALUE} for no limit
 * @param pruned how many files the filter ruled out by their partition values alone
 */
record StreamPlan(
    Dataset dataset,
    List<Integer> files,
    long skipRows,
    Projection projection,
    Optional<RowFilter> filter,
    long limit,
    int pruned) {
  StreamPlan {
    requireNonNull(dataset, "dataset is null");
    files = List.copyOf(files);
    requireNonNull(projection, "projection is null");
    requireNonNull(filter, "filter is null");
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be 0 or more: " + limit);
    }
  }

  /**
   * Checks {@code ticket} against {@code dataset}: its files, its resume position, and its pushdown
   * (the columns exist, the filter parses against the dataset's schema).
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException NOT_FOUND naming a file the dataset does
   *     not have here; INVALID_ARGUMENT for a file that leads outside the data dir, a resume
   *     position in a file the stream does not read or past the end of its file, an unknown column
   *     or a filter that does not parse or type-check
   */
  static StreamPlan of(Dataset dataset, DatasetTicket ticket, DatasetStore store) {
    requireNonNull(ticket, "ticket is null");
    Pushdown pushdown = ticket.pushdown();
    Projection projection = Projection.of(dataset, pushdown.columns());
    Optional<RowFilter> filter =
        Optional.ofNullable(pushdown.filter()).map(sql -> RowFilter.parse(sql, dataset.schema()));
    long limit = pushdown.limit() == null ? Long.MAX_VALUE : pushdown.limit();

    List<Integer> listed = listed(dataset, ticket, store);
    int first = 0;
    long skipRows = 0;
    ResumePosition resume = ticket.resume();
    if (resume != null) {
      first = resumeFile(dataset, listed, resume);
      skipRows = resume.row();
    }
    List<Integer> files = new ArrayList<>(listed.size() - first);
    int pruned = 0;
    for (int k = first; k < listed.size(); k++) {
      int file = listed.get(k);
      if (filter.isPresent() && !filter.get().canMatch(partitionValues(dataset, file))) {
        pruned++;
        if (k == first) {
          skipRows = 0; // no row of it can pass: none was delivered
        }
      } else {
        files.add(file);
      }
    }
    return new StreamPlan(dataset, files, skipRows, projection, filter, limit, pruned);
  }

  /** The ticket's files, as indices into {@code dataset.files()}. */
  private static List<Integer> listed(Dataset dataset, DatasetTicket ticket, DatasetStore store) {
    List<Integer> files = new ArrayList<>();
    if (ticket.files().isEmpty()) {
      for (int i = 0; i < dataset.files().size(); i++) {
        files.add(i);
      }
      return files;
    }
    for (String path : ticket.files()) {
      int index = dataset.indexOf(path);
      if (index < 0) {
        throw store.notInDataset(dataset, path);
      }
      if (files.contains(index)) {
        throw CallStatus.INVALID_ARGUMENT
            .withDescription(
                "the ticket names file '" + path + "' of dataset '" + dataset.name() + "' twice")
            .toRuntimeException();
      }
      files.add(index);
    }
    return files;
  }

  /** Where in {@code listed} the stream resumes. */
  private static int resumeFile(Dataset dataset, List<Integer> listed, ResumePosition resume) {
    int index = dataset.indexOf(resume.file());
    int first = listed.indexOf(index);
    if (index < 0 || first < 0) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription(
              "the resume position names file '"
                  + resume.file()
                  + "', which this stream of dataset '"
                  + dataset.name()
                  + "' does not read: the token is another dataset's or another endpoint's")
          .toRuntimeException();
    }
    long rows = dataset.files().get(index).rows();
    if (resume.row() > rows) {
      throw CallStatus.INVALID_ARGUMENT
          .withDescription(
              "the resume position is row "
                  + resume.row()
                  + " of file '"
                  + resume.file()
                  + "' of dataset '"
                  + dataset.name()
                  + "', which has "
                  + rows
                  + " rows")
          .toRuntimeException();
    }
    return first;
  }

  /** The partition values of file {@code file} by column name; empty without partitions. */
  static Map<String, Object> partitionValues(Dataset dataset, int file) {
    return dataset.partitions().isEmpty() ? Map.of() : dataset.partitions().valuesOf(file);
  }

  /** The path (as tickets name it) of the {@code k}-th file of the stream. */
  String path(int k) {
    return dataset.filePaths().get(files.get(k));
  }
}
