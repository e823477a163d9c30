package dev.flightcluster.server.stream;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.DatasetTicket;
import dev.flightcluster.protocol.ResumePosition;
import dev.flightcluster.server.store.Dataset;
import dev.flightcluster.server.store.DatasetStore;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flight.CallStatus;

/**
 * What one DoGet streams: a ticket checked against the dataset as this server lists it. The files
 * are the ticket's, in its order (every file of the dataset when it names none), and the stream
 * starts at the first of them, or right after the ticket's resume position.
 *
 * @param files indices into {@code dataset.files()}, in stream order
 * @param first the index into {@code files} of the file the stream starts in
 * @param skipRows how many rows of that file were delivered already
 */
record StreamPlan(Dataset dataset, List<Integer> files, int first, long skipRows) {
  StreamPlan {
    requireNonNull(dataset, "dataset is null");
    files = List.copyOf(files);
  }

  /**
   * Checks {@code ticket} against {@code dataset}.
   *
   * @throws org.apache.arrow.flight.FlightRuntimeException NOT_FOUND naming a file the dataset does
   *     not have here; INVALID_ARGUMENT for a file that leads outside the data dir, a resume
   *     position in a file the stream does not read, or past the end of its file
   */
  static StreamPlan of(Dataset dataset, DatasetTicket ticket, DatasetStore store) {
    requireNonNull(ticket, "ticket is null");
    List<Integer> files = new ArrayList<>();
    if (ticket.files().isEmpty()) {
      for (int i = 0; i < dataset.files().size(); i++) {
        files.add(i);
      }
    } else {
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
    }
    ResumePosition resume = ticket.resume();
    if (resume == null) {
      return new StreamPlan(dataset, files, 0, 0);
    }
    int index = dataset.indexOf(resume.file());
    int first = files.indexOf(index);
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
    return new StreamPlan(dataset, files, first, resume.row());
  }

  /** The path (as tickets name it) of the {@code k}-th file of the stream. */
  String path(int k) {
    return dataset.filePaths().get(files.get(k));
  }
}
