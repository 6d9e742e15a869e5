package io.followermaze.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/** Small JSON objects for the admin API, written with Jackson's streaming generator. */
final class AdminJson {

  private static final JsonFactory JSON = JsonFactory.builder().build();

  private AdminJson() {}

  /** Writes the fields of one object. */
  interface Fields {
    void write(JsonGenerator generator) throws IOException;
  }

  static String object(Fields fields) {
    StringWriter out = new StringWriter();
    try (JsonGenerator generator = JSON.createGenerator(out)) {
      generator.writeStartObject();
      fields.write(generator);
      generator.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  static String error(String message) {
    return object(g -> g.writeStringField("error", message));
  }
}
