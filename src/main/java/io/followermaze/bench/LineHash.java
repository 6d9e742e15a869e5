package io.followermaze.bench;

/** FNV-1a over a line's bytes: how the verifier checks a line byte for byte without keeping it. */
final class LineHash {

  private LineHash() {}

  static int of(byte[] bytes, int from, int to) {
    int hash = 0x811c9dc5;
    for (int i = from; i < to; i++) {
      hash ^= bytes[i] & 0xff;
      hash *= 0x01000193;
    }
    return hash;
  }
}
