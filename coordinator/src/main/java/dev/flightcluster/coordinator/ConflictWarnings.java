package dev.flightcluster.coordinator;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.DatasetConflict;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs each conflict once: a WARN when a name becomes conflicted (or its set of variants changes),
 * an INFO when it is resolved. Conflicts are re-derived after every registry change, and repeating
 * the warning on each heartbeat of each server would bury everything else in the log.
 *
 * <p>Not thread-safe: the registry calls it under its lock.
 */
final class ConflictWarnings {
  private static final Logger log = LoggerFactory.getLogger(ConflictWarnings.class);

  /** Dataset name to the fingerprints last warned about. */
  private final Map<String, Set<String>> warned = new HashMap<>();

  void update(List<DatasetConflict> conflicts) {
    requireNonNull(conflicts, "conflicts is null");
    Map<String, Set<String>> current = new HashMap<>();
    for (DatasetConflict conflict : conflicts) {
      Set<String> fingerprints =
          conflict.variants().stream()
              .map(DatasetConflict.Variant::fingerprint)
              .collect(Collectors.toUnmodifiableSet());
      current.put(conflict.dataset(), fingerprints);
      if (!fingerprints.equals(warned.get(conflict.dataset()))) {
        log.warn(describe(conflict));
      }
    }
    for (String dataset : warned.keySet()) {
      if (!current.containsKey(dataset)) {
        log.info("Dataset '{}' is no longer in conflict: its live holders agree now", dataset);
      }
    }
    warned.clear();
    warned.putAll(current);
  }

  private static String describe(DatasetConflict conflict) {
    StringBuilder message =
        new StringBuilder("Dataset '")
            .append(conflict.dataset())
            .append("' has different contents on different live servers:");
    for (DatasetConflict.Variant variant : conflict.variants()) {
      boolean serving = variant.fingerprint().equals(conflict.servingFingerprint());
      message
          .append(serving ? " serving " : "; excluded ")
          .append(abbreviate(variant.fingerprint()))
          .append(" on ")
          .append(variant.serverIds());
    }
    return message
        .append(". Make the copies identical or rename one; DoAction list_conflicts shows all.")
        .toString();
  }

  private static String abbreviate(String fingerprint) {
    return fingerprint.length() > 12 ? fingerprint.substring(0, 12) : fingerprint;
  }
}
