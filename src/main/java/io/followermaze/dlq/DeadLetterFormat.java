package io.followermaze.dlq;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * How stored dead letters are shown: one JSON object per letter (for {@code --json} and the admin
 * API) or one line of text. The payload appears as text with control bytes escaped, and as base64
 * too in JSON, so bytes that are not valid UTF-8 survive exactly.
 */
public final class DeadLetterFormat {

  private static final JsonFactory JSON = JsonFactory.builder().build();

  private DeadLetterFormat() {}

  /** One JSON object, without a line break. */
  public static String json(StoredDeadLetter stored) {
    DeadLetter letter = stored.letter();
    StringWriter out = new StringWriter();
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeNumberField("id", stored.id());
      json.writeStringField("reason", letter.reason().name());
      json.writeStringField("category", letter.reason().category().name());
      if (letter.sequence() != DeadLetter.NONE) {
        json.writeNumberField("sequence", letter.sequence());
      }
      if (letter.recipient() != DeadLetter.NONE) {
        json.writeNumberField("recipient", letter.recipient());
      }
      if (letter.type() != null) {
        json.writeStringField("type", letter.type().name());
      }
      json.writeStringField("time", Instant.ofEpochMilli(letter.timestampMillis()).toString());
      json.writeStringField("origin", letter.origin());
      json.writeNumberField("attempt", letter.attempt());
      json.writeStringField("payload", text(letter.payload()));
      json.writeStringField("payloadBase64", Base64.getEncoder().encodeToString(letter.payload()));
      json.writeNumberField("payloadLength", letter.payloadLength());
      if (letter.error() != null) {
        json.writeStringField("error", letter.error());
      }
      if (stored.redrivenAtMillis() != 0) {
        json.writeStringField(
            "redrivenAt", Instant.ofEpochMilli(stored.redrivenAtMillis()).toString());
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** One line: id, time, reason, sequence, recipient, payload, error. */
  public static String line(StoredDeadLetter stored) {
    DeadLetter letter = stored.letter();
    return String.format(
        "%-8d %s %-18s seq=%-10s to=%-8s %-24s %s%s",
        stored.id(),
        Instant.ofEpochMilli(letter.timestampMillis()),
        letter.reason(),
        letter.sequence() == DeadLetter.NONE ? "-" : Long.toString(letter.sequence()),
        letter.recipient() == DeadLetter.NONE ? "-" : Integer.toString(letter.recipient()),
        '"'
            + text(letter.payload())
            + '"'
            + (letter.payloadLength() > letter.payload().length ? "..." : ""),
        letter.error() == null ? "" : letter.error(),
        stored.redrivenAtMillis() != 0 ? " [redriven]" : "");
  }

  /** Every field, one per line. */
  public static String details(StoredDeadLetter stored) {
    DeadLetter letter = stored.letter();
    StringBuilder out = new StringBuilder();
    out.append("id:          ").append(stored.id()).append('\n');
    out.append("reason:      ")
        .append(letter.reason())
        .append(" (")
        .append(letter.reason().category())
        .append(")\n");
    out.append("sequence:    ")
        .append(letter.sequence() == DeadLetter.NONE ? "-" : letter.sequence())
        .append('\n');
    out.append("recipient:   ")
        .append(letter.recipient() == DeadLetter.NONE ? "-" : letter.recipient())
        .append('\n');
    out.append("type:        ").append(letter.type() == null ? "-" : letter.type()).append('\n');
    out.append("time:        ").append(Instant.ofEpochMilli(letter.timestampMillis())).append('\n');
    out.append("origin:      ").append(letter.origin()).append('\n');
    out.append("attempt:     ").append(letter.attempt()).append('\n');
    out.append("payload:     \"")
        .append(text(letter.payload()))
        .append("\" (")
        .append(letter.payloadLength())
        .append(" bytes")
        .append(
            letter.payloadLength() > letter.payload().length
                ? ", first " + letter.payload().length + " kept"
                : "")
        .append(")\n");
    out.append("error:       ").append(letter.error() == null ? "-" : letter.error()).append('\n');
    out.append("redriven:    ")
        .append(
            stored.redrivenAtMillis() == 0
                ? "no"
                : Instant.ofEpochMilli(stored.redrivenAtMillis()));
    return out.toString();
  }

  /** The payload as text: UTF-8, with the terminator dropped and control bytes escaped. */
  public static String text(byte[] payload) {
    String raw = new String(payload, StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(raw.length());
    int end =
        raw.endsWith("\r\n")
            ? raw.length() - 2
            : raw.endsWith("\n") ? raw.length() - 1 : raw.length();
    for (int i = 0; i < end; i++) {
      char c = raw.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\x%02x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
