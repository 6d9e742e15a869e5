package io.followermaze.dlq;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The origins (connections) a compact block's entries refer to, each written once in its trailer
 * and referred to by index. Consecutive entries mostly share an origin object, so the last one is
 * checked by identity before the map. Confined to one thread.
 */
public final class OriginTable {

  private final List<String> names = new ArrayList<>();
  private final Map<String, Integer> indexes = new HashMap<>();
  private String last;
  private int lastIndex;

  /** The index of {@code origin} (null counts as ""), adding it if new. */
  public int indexOf(String origin) {
    if (origin != last || origin == null) {
      String name = origin == null ? "" : origin;
      Integer index = indexes.get(name);
      if (index == null) {
        index = names.size();
        names.add(name);
        indexes.put(name, index);
      }
      last = origin;
      lastIndex = index;
    }
    return lastIndex;
  }

  /** The names, by index. */
  public List<String> names() {
    return names;
  }

  /** Forgets every origin. */
  public void clear() {
    names.clear();
    indexes.clear();
    last = null;
  }
}
