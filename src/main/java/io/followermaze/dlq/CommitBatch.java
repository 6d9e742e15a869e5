package io.followermaze.dlq;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The blocks of the flusher's next commit, with their letters and bytes, and the fences to complete
 * once it is stored. Flusher thread only.
 */
final class CommitBatch {

  final List<DeadLetterBlock> blocks = new ArrayList<>();
  final List<CompletableFuture<Void>> fences = new ArrayList<>();
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

  /** Completes the fences (the batch was stored) and empties it. */
  void stored() {
    fences.forEach(fence -> fence.complete(null));
    clear();
  }

  /** Fails the fences (the batch is given up on) and empties it. */
  void givenUp(RuntimeException why) {
    fences.forEach(fence -> fence.completeExceptionally(why));
    clear();
  }

  void clear() {
    fences.clear();
    blocks.clear();
    letters = 0;
    bytes = 0;
  }
}
