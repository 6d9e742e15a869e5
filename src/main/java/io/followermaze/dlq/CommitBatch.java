package io.followermaze.dlq;

import java.util.ArrayList;
import java.util.List;

/** The blocks of the flusher's next commit, with their letters and bytes. Flusher thread only. */
final class CommitBatch {

  final List<DeadLetterBlock> blocks = new ArrayList<>();
  long letters;
  long bytes;

  void add(DeadLetterBlock block) {
    blocks.add(block);
    letters += block.size();
    bytes += block.bytes();
  }

  boolean isEmpty() {
    return blocks.isEmpty();
  }

  void clear() {
    blocks.clear();
    letters = 0;
    bytes = 0;
  }
}
