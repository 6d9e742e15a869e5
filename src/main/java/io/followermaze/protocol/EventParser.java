package io.followermaze.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * Parses one line of the event stream ({@code seq|type[|from[|to]]}, LF or CRLF terminated) into an
 * {@link Event} or a {@link Malformed} verdict. Strict: no spaces, signs or empty fields. Stateless
 * and allocation-free apart from the result.
 */
public final class EventParser {

  private static final int MAX_SEQUENCE_DIGITS = 18;
  private static final int MAX_USER_ID_DIGITS = 10;
  private static final int MAX_FIELDS = 4;

  private EventParser() {}

  /** Parses a complete line; {@code line} may end in LF or CRLF, and is kept, not copied. */
  public static ParseResult parse(byte[] line) {
    int end = contentEnd(line);
    if (end == 0) {
      return malformed(Malformation.EMPTY_LINE, Malformed.NO_SEQUENCE, line, "empty line");
    }
    int fields = countFields(line, end);
    int sequenceEnd = fieldEnd(line, 0, end);
    long sequence = parseNumber(line, 0, sequenceEnd, MAX_SEQUENCE_DIGITS);
    boolean readable = sequence > 0;
    long seqOrNone = readable ? sequence : Malformed.NO_SEQUENCE;
    if (!isAscii(line, end) && !isUtf8(line, end)) {
      return malformed(Malformation.INVALID_UTF8, seqOrNone, line, "not valid UTF-8");
    }
    if (!readable) {
      String why =
          sequence == 0 ? "sequence number must be positive" : "sequence number is not a number";
      return malformed(Malformation.BAD_SEQUENCE, Malformed.NO_SEQUENCE, line, why);
    }
    if (fields < 2) {
      return malformed(Malformation.WRONG_FIELD_COUNT, sequence, line, "no type field");
    }
    int typeStart = sequenceEnd + 1;
    int typeEnd = fieldEnd(line, typeStart, end);
    EventType type = typeEnd - typeStart == 1 ? EventType.ofCode(line[typeStart]) : null;
    if (type == null) {
      return malformed(Malformation.UNKNOWN_TYPE, sequence, line, "unknown event type");
    }
    if (fields != type.fieldCount()) {
      String why =
          type
              + " takes "
              + type.fieldCount()
              + " fields, got "
              + (fields > MAX_FIELDS ? "more" : fields);
      return malformed(Malformation.WRONG_FIELD_COUNT, sequence, line, why);
    }
    int fromEnd = fields > 2 ? fieldEnd(line, typeEnd + 1, end) : typeEnd;
    int from = fields > 2 ? userId(line, typeEnd + 1, fromEnd) : 0;
    int to = fields > 3 ? userId(line, fromEnd + 1, end) : 0;
    if (from < 0 || to < 0) {
      return malformed(
          Malformation.BAD_USER_ID, sequence, line, "user id is not a number in range");
    }
    return switch (type) {
      case FOLLOW -> new Event.Follow(sequence, from, to, line);
      case UNFOLLOW -> new Event.Unfollow(sequence, from, to, line);
      case BROADCAST -> new Event.Broadcast(sequence, line);
      case PRIVATE_MESSAGE -> new Event.PrivateMessage(sequence, from, to, line);
      case STATUS_UPDATE -> new Event.StatusUpdate(sequence, from, line);
    };
  }

  /**
   * The sequence number at the start of {@code bytes[0, length)} (digits up to the first '|' or the
   * end), or {@link Malformed#NO_SEQUENCE} when there is none.
   */
  public static long leadingSequence(byte[] bytes, int length) {
    long value = parseNumber(bytes, 0, fieldEnd(bytes, 0, length), MAX_SEQUENCE_DIGITS);
    return value > 0 ? value : Malformed.NO_SEQUENCE;
  }

  /** The index just past the line's content, without its LF or CRLF terminator. */
  public static int contentEnd(byte[] line) {
    int end = line.length;
    if (end > 0 && line[end - 1] == '\n') {
      end--;
      if (end > 0 && line[end - 1] == '\r') {
        end--;
      }
    }
    return end;
  }

  /**
   * Reads a non-negative decimal number of at most {@code maxDigits} digits from {@code [from,
   * to)}: the value, or -1 when the range is empty, too long or holds anything but digits.
   */
  static long parseNumber(byte[] bytes, int from, int to, int maxDigits) {
    int digits = to - from;
    if (digits <= 0 || digits > maxDigits) {
      return -1;
    }
    long value = 0;
    for (int i = from; i < to; i++) {
      int d = bytes[i] - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      value = value * 10 + d;
    }
    return value;
  }

  private static int userId(byte[] bytes, int from, int to) {
    long value = parseNumber(bytes, from, to, MAX_USER_ID_DIGITS);
    return value > Integer.MAX_VALUE ? -1 : (int) value;
  }

  /** Counts '|'-separated fields in {@code [0, end)}, stopping once there are too many. */
  private static int countFields(byte[] line, int end) {
    int fields = 1;
    for (int i = 0; i < end && fields <= MAX_FIELDS; i++) {
      if (line[i] == '|') {
        fields++;
      }
    }
    return fields;
  }

  /** The index of the next '|' at or after {@code from}, or {@code end} if there is none. */
  private static int fieldEnd(byte[] line, int from, int end) {
    for (int i = from; i < end; i++) {
      if (line[i] == '|') {
        return i;
      }
    }
    return end;
  }

  private static boolean isAscii(byte[] bytes, int end) {
    for (int i = 0; i < end; i++) {
      if (bytes[i] < 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean isUtf8(byte[] bytes, int end) {
    try {
      StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes, 0, end));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  private static Malformed malformed(
      Malformation problem, long sequence, byte[] line, String detail) {
    return new Malformed(problem, sequence, line, line.length, detail);
  }
}
