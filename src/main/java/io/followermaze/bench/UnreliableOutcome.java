package io.followermaze.bench;

import java.util.Map;

/**
 * What the bench's unreliable clients (churning, stuck, slow) saw.
 *
 * @param connections connections they made in all
 * @param received non-broadcast lines they received in all
 * @param missing per user, the sequence numbers meant for them that they did not receive; each must
 *     be a dead letter on the server
 */
public record UnreliableOutcome(long connections, long received, Map<Integer, long[]> missing) {

  /** No unreliable clients. */
  public static final UnreliableOutcome NONE = new UnreliableOutcome(0, 0, Map.of());

  /**
   * How many notifications they missed in all: what the server must have dead-lettered for them.
   */
  public long missingCount() {
    return missing.values().stream().mapToLong(sequences -> sequences.length).sum();
  }
}
