package dev.flightcluster.coordinator.write;

import static java.util.Objects.requireNonNull;

import dev.flightcluster.protocol.PutParts;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The rule that keeps a half-committed parallel put out of sight: the committed parts of one put
 * ({@link PutParts#committed}) are served only when the files of the dataset, over every live
 * server, hold all {@code count} of them with one count. Any other file is not a part and is served
 * as it is. The rule needs only the file paths, so every coordinator applies it alike with no state
 * of its own (D63).
 */
public final class PutVisibility {
  private PutVisibility() {}

  /**
   * The paths among {@code paths} (the files of one dataset over every live server, each path once
   * or more) that must not be served: every part of a put that is not complete.
   */
  public static Set<String> hidden(Collection<String> paths) {
    requireNonNull(paths, "paths is null");
    Map<String, Group> groups = new HashMap<>();
    for (String path : paths) {
      PutParts.committed(path)
          .ifPresent(
              part -> groups.computeIfAbsent(part.putId(), id -> new Group()).add(path, part));
    }
    Set<String> hidden = new HashSet<>();
    groups
        .values()
        .forEach(
            group -> {
              if (!group.complete()) {
                hidden.addAll(group.paths);
              }
            });
    return hidden;
  }

  /** Whether {@code path} may be served, given every path of its dataset. */
  public static boolean visible(String path, Collection<String> paths) {
    return !hidden(paths).contains(requireNonNull(path, "path is null"));
  }

  /** The parts of one put seen so far. */
  private static final class Group {
    private final Set<String> paths = new HashSet<>();
    private final BitSet indices = new BitSet();
    private int count = -1;
    private boolean mixedCounts;

    void add(String path, PutParts.Part part) {
      paths.add(path);
      indices.set(part.index());
      if (count == -1) {
        count = part.count();
      } else if (count != part.count()) {
        mixedCounts = true;
      }
    }

    boolean complete() {
      return !mixedCounts && indices.cardinality() == count;
    }
  }
}
