package io.followermaze.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.followermaze.deadletter.DeadLetterCollector;
import io.followermaze.deadletter.LoggingDeadLetterSink;
import io.followermaze.engine.EngineStats;
import io.followermaze.server.Server;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP server: {@code GET /health} (alive), {@code GET /ready} (listening and, with a
 * durable store, its last commit succeeded), {@code GET /metrics} (Prometheus text format) and
 * {@code GET /stats?window_size=N} (rates over the last N seconds, totals, per minute). Binds to
 * loopback unless told otherwise. Requests run on virtual threads; a sampler records totals once a
 * second for the windows (one hour kept).
 */
public final class AdminServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
  private static final JsonFactory JSON = JsonFactory.builder().build();
  private static final int DEFAULT_WINDOW = 60;

  private final Server server;
  private final LoggingDeadLetterSink deadLetters;
  private final DeadLetterCollector collector;
  private final HttpServer http;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final RateWindow window = new RateWindow(3600);
  private final ScheduledExecutorService sampler =
      Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("stats-sampler").daemon().factory());

  /** Binds {@code bind:port} (0: a free port) and starts serving. */
  public AdminServer(String bind, int port, Server server, LoggingDeadLetterSink deadLetters, DeadLetterCollector collector,
      ServerMetrics metrics) {
    this.server = server;
    this.deadLetters = deadLetters;
    this.collector = collector;
    metrics.bindTo(registry);
    try {
      this.http = HttpServer.create(new InetSocketAddress(bind, port), 64);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen for the admin API on " + bind + ":" + port + ": " + e.getMessage(), e);
    }
    http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    http.createContext("/", this::handle);
    http.start();
    sample();
    sampler.scheduleAtFixedRate(this::sample, 1, 1, TimeUnit.SECONDS);
    log.info("admin API on http://{}:{}/ (health, ready, metrics, stats)", bind, port());
  }

  /** The port the admin API listens on. */
  public int port() {
    return http.getAddress().getPort();
  }

  private void sample() {
    EngineStats stats = server.stats();
    window.record(stats.eventsReceived(), stats.eventsDelivered(), deadLetters.total());
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestMethod().equals("GET")) {
        send(exchange, 405, error("method " + exchange.getRequestMethod() + " not allowed; use GET"));
        return;
      }
      switch (exchange.getRequestURI().getPath()) {
        case "/health" -> send(exchange, 200, "{\"status\":\"UP\"}");
        case "/ready" -> ready(exchange);
        case "/metrics" -> sendText(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
        case "/stats" -> stats(exchange);
        default -> send(exchange, 404, error("no such endpoint: " + exchange.getRequestURI().getPath()));
      }
    } catch (RuntimeException e) {
      log.warn("admin request {} failed", exchange.getRequestURI(), e);
      send(exchange, 500, error("internal error: " + e.getMessage()));
    }
  }

  private void ready(HttpExchange exchange) throws IOException {
    boolean storeWritable = collector == null || collector.healthy();
    boolean listening = server.eventPort() > 0 && server.clientPort() > 0;
    String body = json(g -> {
      g.writeStringField("status", storeWritable && listening ? "READY" : "NOT_READY");
      g.writeBooleanField("listening", listening);
      g.writeBooleanField("storeWritable", storeWritable);
    });
    send(exchange, storeWritable && listening ? 200 : 503, body);
  }

  private void stats(HttpExchange exchange) throws IOException {
    int seconds = DEFAULT_WINDOW;
    String query = exchange.getRequestURI().getQuery();
    if (query != null) {
      for (String pair : query.split("&")) {
        if (pair.startsWith("window_size=")) {
          String value = pair.substring("window_size=".length());
          try {
            seconds = Integer.parseInt(value);
          } catch (NumberFormatException e) {
            seconds = -1;
          }
          if (seconds < 1 || seconds > window.capacity()) {
            send(exchange, 400, error("window_size must be a whole number of seconds from 1 to " + window.capacity() + ", was '" + value + "'"));
            return;
          }
        }
      }
    }
    RateWindow.Rates rates = window.window(seconds);
    EngineStats totals = server.stats();
    int asked = seconds;
    send(exchange, 200, json(g -> {
      g.writeNumberField("windowSize", asked);
      g.writeNumberField("secondsCovered", rates.seconds());
      g.writeObjectFieldStart("perSecond");
      g.writeNumberField("received", rates.received());
      g.writeNumberField("delivered", rates.delivered());
      g.writeNumberField("deadLettered", rates.deadLettered());
      g.writeEndObject();
      g.writeObjectFieldStart("perMinute");
      g.writeNumberField("received", rates.received() * 60);
      g.writeNumberField("delivered", rates.delivered() * 60);
      g.writeNumberField("deadLettered", rates.deadLettered() * 60);
      g.writeEndObject();
      g.writeObjectFieldStart("totals");
      g.writeNumberField("received", totals.eventsReceived());
      g.writeNumberField("delivered", totals.eventsDelivered());
      g.writeNumberField("malformed", totals.linesMalformed());
      g.writeNumberField("notifications", totals.notificationsQueued());
      g.writeNumberField("deadLettered", deadLetters.total());
      g.writeNumberField("connectedClients", totals.connectedClients());
      g.writeNumberField("reorderDepth", totals.reorderDepth());
      g.writeEndObject();
    }));
  }

  private interface Fields {
    void write(JsonGenerator generator) throws IOException;
  }

  private static String json(Fields fields) {
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

  private static String error(String message) {
    return json(g -> g.writeStringField("error", message));
  }

  private static void send(HttpExchange exchange, int status, String json) throws IOException {
    sendText(exchange, status, "application/json", json);
  }

  private static void sendText(HttpExchange exchange, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    sampler.shutdownNow();
    http.stop(0);
    registry.close();
  }
}
