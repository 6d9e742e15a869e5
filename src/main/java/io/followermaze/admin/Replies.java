package io.followermaze.admin;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * How the admin API answers: a JSON or text body with its length and type, and the bundled page.
 */
final class Replies {

  private Replies() {}

  /** Answers {@code status} with a JSON body. */
  static void json(HttpExchange exchange, int status, String json) throws IOException {
    text(exchange, status, "application/json", json);
  }

  /** Answers {@code status} with {@code body} of content type {@code type}. */
  static void text(HttpExchange exchange, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** A resource of the jar as text (the dashboard page), or a note that it is missing. */
  static String resource(String name) {
    try (var in = Replies.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException | NullPointerException e) {
      return "<p>dashboard missing from the jar</p>";
    }
  }
}
