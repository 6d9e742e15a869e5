package io.followermaze.storage;

import io.followermaze.deadletter.DeadLetter;
import io.followermaze.deadletter.Reason;
import io.followermaze.protocol.EventType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;

/**
 * The compact binary form of a committed batch of dead letters: per letter, time, sequence,
 * recipient, packed kind (reason code, type, origin id), attempt, payload length, payload, and the
 * error text when it is not the reason's usual one. Used so that a batch costs one row on the hot
 * path; {@link SqliteDeadLetterStore} expands it into per-letter rows when idle.
 */
final class BatchCodec {

  /** time, sequence, recipient, kind, attempt, payload length, payload array length. */
  private static final int FIXED_BYTES = 8 + 8 + 4 + 8 + 4 + 8 + 4;

  private BatchCodec() {}

  static byte[] encode(List<DeadLetter> batch, Map<Reason, Integer> reasonCodes, ToIntFunction<String> originId) {
    int size = 0;
    for (DeadLetter letter : batch) {
      size += FIXED_BYTES + letter.payload().length + 4 + (hasOwnError(letter) ? 3 * letter.error().length() : 0);
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    for (DeadLetter letter : batch) {
      long type = letter.type() == null ? 0 : letter.type().code();
      out.putLong(letter.timestampMillis()).putLong(letter.sequence()).putInt(letter.recipient())
          .putLong(reasonCodes.get(letter.reason()) | type << 8 | (long) originId.applyAsInt(letter.origin()) << 16)
          .putInt(letter.attempt()).putLong(letter.payloadLength()).putInt(letter.payload().length).put(letter.payload());
      if (hasOwnError(letter)) {
        byte[] error = letter.error().getBytes(StandardCharsets.UTF_8);
        out.putInt(error.length).put(error);
      } else {
        out.putInt(-1);
      }
    }
    return java.util.Arrays.copyOf(out.array(), out.position());
  }

  static List<DeadLetter> decode(byte[] data, IntFunction<Reason> reasonOf, IntFunction<String> originOf) {
    ByteBuffer in = ByteBuffer.wrap(data);
    List<DeadLetter> letters = new ArrayList<>();
    while (in.hasRemaining()) {
      long time = in.getLong();
      long sequence = in.getLong();
      int recipient = in.getInt();
      long kind = in.getLong();
      int attempt = in.getInt();
      long payloadLength = in.getLong();
      byte[] payload = new byte[in.getInt()];
      in.get(payload);
      int errorLength = in.getInt();
      Reason reason = reasonOf.apply((int) (kind & 255));
      String error = reason.usualError();
      if (errorLength >= 0) {
        byte[] bytes = new byte[errorLength];
        in.get(bytes);
        error = new String(bytes, StandardCharsets.UTF_8);
      }
      int type = (int) ((kind >> 8) & 255);
      letters.add(new DeadLetter(reason, payload, payloadLength, sequence, recipient, type == 0 ? null : EventType.ofCode(type),
          time, originOf.apply((int) (kind >> 16)), attempt, error));
    }
    return letters;
  }

  private static boolean hasOwnError(DeadLetter letter) {
    return letter.error() != null && !letter.error().equals(letter.reason().usualError());
  }
}
