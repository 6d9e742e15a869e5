package io.followermaze.admin;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.followermaze.dlq.DeadLetterCollector;
import io.followermaze.dlq.DlqOperations;
import io.followermaze.dlq.LoggingDeadLetterSink;
import io.followermaze.lifecycle.Roles;
import io.followermaze.server.Server;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP server: {@code GET /health} (alive), {@code GET /ready} (listening and, with a
 * durable store, its last commit succeeded), {@code GET /metrics} (Prometheus text format) and
 * {@code GET /stats?window_size=N} (rates over the last N seconds, totals, per minute), and the
 * dead-letter queue under {@code /dlq} ({@link DlqEndpoints}), and the dashboard page at {@code /}.
 * An optional bearer token guards everything but {@code /health} and the page itself (which holds
 * no data; it sends the token from {@code /#token=...} with its calls); without one, changes are
 * refused on a non-loopback port. Binds to loopback unless told otherwise. Requests run on virtual
 * threads; a sampler records totals once a second for the windows (one hour kept).
 */
public final class AdminServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

  /** Connections the admin API holds open at once (idle ones included); more are closed at once. */
  static final int MAX_CONNECTIONS = 256;

  /**
   * Platform threads that handle admin requests. Not virtual threads: those share the carriers the
   * client writers run on, and a store query (native code) pins its carrier for as long as it runs,
   * so a long dry run would stall delivery and handshakes.
   */
  static final int THREADS = 4;

  /**
   * Time a client has to send a request's headers and body, in milliseconds (against slow-loris
   * clients).
   */
  static final int MAX_REQUEST_MILLIS = 10_000;

  static {
    // The JDK's HTTP server reads these once, when it is first used; an operator's -D setting wins.
    setIfAbsent("jdk.httpserver.maxConnections", Integer.toString(MAX_CONNECTIONS));
    setIfAbsent("sun.net.httpserver.maxReqTime", Integer.toString(MAX_REQUEST_MILLIS));
  }

  private static void setIfAbsent(String property, String value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, value);
    }
  }

  private static final String DASHBOARD = Replies.resource("/admin/index.html");

  /**
   * Where and how the admin API listens.
   *
   * @param bind the address (loopback by default)
   * @param port the port, 0 for a free one
   * @param token when not null, every endpoint but {@code /health} needs {@code Authorization:
   *     Bearer <token>}
   * @param allowedHosts host names a request's {@code Host} may carry besides loopback names and IP
   *     literals
   */
  public record Options(String bind, int port, String token, java.util.Set<String> allowedHosts) {
    /** No host names allowed beyond loopback names and IP literals. */
    public Options(String bind, int port, String token) {
      this(bind, port, token, java.util.Set.of());
    }
  }

  private final Server server;
  private final LoggingDeadLetterSink deadLetters;
  private final DeadLetterCollector collector;
  private final DlqEndpoints dlq;
  private final DlqOperations dlqOperations;
  private final ServerMetrics metrics;
  private final RequestGuard guard;
  private final HttpServer http;
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final StatsEndpoint stats;
  private AutoCloseable sampler;
  private ExecutorService executor;

  /**
   * Binds, and starts serving on the server's roles; owns {@code dlq} from now on. The metrics take
   * the store's size and the stored letters' depth per reason from {@code dlq} when it keeps local
   * files, and the redriven count from {@code redriven}. {@code collector}, {@code dlq} and {@code
   * redriven} are null without a durable store (the {@code /dlq} endpoints then answer 404).
   */
  public static AdminServer start(
      Options options,
      Server server,
      LoggingDeadLetterSink deadLetters,
      DeadLetterCollector collector,
      DlqOperations dlq,
      java.util.function.LongSupplier redriven) {
    AdminServer admin =
        new AdminServer(
            options,
            server,
            deadLetters,
            collector,
            dlq,
            new ServerMetrics(server, deadLetters, collector, dlq, redriven));
    admin.serve();
    return admin;
  }

  private AdminServer(
      Options options,
      Server server,
      LoggingDeadLetterSink deadLetters,
      DeadLetterCollector collector,
      DlqOperations dlq,
      ServerMetrics metrics) {
    this.server = server;
    this.deadLetters = deadLetters;
    this.collector = collector;
    this.dlq = dlq == null ? null : new DlqEndpoints(dlq);
    this.dlqOperations = dlq;
    this.stats = new StatsEndpoint(server, deadLetters);
    String bind = options.bind();
    int port = options.port();
    this.guard = new RequestGuard(options.allowedHosts(), options.token(), bind);
    this.metrics = metrics;
    metrics.bindTo(registry);
    try {
      this.http = HttpServer.create(new InetSocketAddress(bind, port), 64);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen for the admin API on " + bind + ":" + port + ": " + e.getMessage(), e);
    }
  }

  private void serve() {
    executor = server.roles().workers("admin", THREADS);
    http.setExecutor(executor);
    http.createContext("/", this::handle);
    http.start();
    stats.sample();
    sampler = server.roles().every("stats-sampler", java.time.Duration.ofSeconds(1), stats::sample);
    log.info(
        "admin API on http://{}:{}/ (health, ready, metrics, stats)",
        http.getAddress().getHostString(),
        port());
  }

  /** The port the admin API listens on. */
  public int port() {
    return http.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      route(exchange);
    }
  }

  private void route(HttpExchange exchange) throws IOException {
    try {
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      Headers headers = exchange.getRequestHeaders();
      RequestGuard.Refusal refusal =
          guard.refusal(
              method,
              path,
              headers.getFirst("Host"),
              headers.getFirst("Authorization"),
              headers.getFirst("Origin"),
              headers.getFirst("Sec-Fetch-Site"));
      if (refusal != null) {
        if (refusal.status() == 401) {
          exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
        }
        Replies.json(exchange, refusal.status(), AdminJson.error(refusal.message()));
        return;
      }
      boolean mutating = !method.equals("GET");
      if (path.equals("/dlq") || path.startsWith("/dlq/")) {
        dlq(exchange, method, path);
        return;
      }
      if (mutating) {
        Replies.json(
            exchange,
            405,
            AdminJson.error("method " + method + " not allowed on " + path + "; use GET"));
        return;
      }
      switch (path) {
        case "/", "/index.html" ->
            Replies.text(exchange, 200, "text/html; charset=utf-8", DASHBOARD);
        case "/health" -> Replies.json(exchange, 200, "{\"status\":\"UP\"}");
        case "/ready" -> ready(exchange);
        case "/metrics" ->
            Replies.text(
                exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
        case "/stats" -> stats(exchange);
        default ->
            Replies.json(
                exchange,
                404,
                AdminJson.error("no such endpoint: " + exchange.getRequestURI().getPath()));
      }
    } catch (IllegalArgumentException e) {
      Replies.json(exchange, 400, AdminJson.error(e.getMessage()));
    } catch (DlqOperations.Busy e) {
      exchange.getResponseHeaders().set("Retry-After", "5");
      Replies.json(exchange, 503, AdminJson.error(e.getMessage()));
    } catch (RuntimeException e) {
      log.warn("admin request {} failed", exchange.getRequestURI(), e);
      Replies.json(exchange, 500, AdminJson.error("internal error: " + e.getMessage()));
    }
  }

  private void dlq(HttpExchange exchange, String method, String path) throws IOException {
    if (dlq == null) {
      Replies.json(
          exchange, 404, AdminJson.error("no dead-letter store: the server runs with --dlq log"));
      return;
    }
    DlqEndpoints.Answer answer =
        dlq.handle(method, path, new QueryParameters(exchange.getRequestURI().getRawQuery()));
    Replies.json(exchange, answer.status(), answer.json());
  }

  /**
   * How long indexing may keep failing before the server says it is not ready: letters committed
   * meanwhile are counted but cannot be listed, shown or redriven.
   */
  static final java.time.Duration INDEX_FAILING_NOT_READY = java.time.Duration.ofSeconds(30);

  private void ready(HttpExchange exchange) throws IOException {
    boolean storeWritable = collector == null || collector.healthy();
    boolean indexing =
        collector == null || collector.indexFailingFor().compareTo(INDEX_FAILING_NOT_READY) < 0;
    boolean listening = server.eventPort() > 0 && server.clientPort() > 0;
    Roles.Death death = server.roles().death();
    boolean ready = storeWritable && indexing && listening && death == null;
    String body =
        AdminJson.object(
            g -> {
              g.writeStringField("status", ready ? "READY" : "NOT_READY");
              g.writeBooleanField("listening", listening);
              g.writeBooleanField("storeWritable", storeWritable);
              g.writeBooleanField("indexing", indexing);
              g.writeBooleanField("rolesAlive", death == null);
              if (death != null) {
                g.writeStringField("roleDied", death.describe());
              }
            });
    Replies.json(exchange, ready ? 200 : 503, body);
  }

  private void stats(HttpExchange exchange) throws IOException {
    Replies.json(
        exchange, 200, stats.json(new QueryParameters(exchange.getRequestURI().getRawQuery())));
  }

  @Override
  public void close() {
    try {
      sampler.close();
    } catch (Exception e) {
      log.warn("stopping the stats sampler failed: {}", e.toString());
    }
    http.stop(0);
    executor.shutdownNow(); // a request still running is not waited for: the stop goes on
    registry.close();
    metrics.close();
    if (dlqOperations != null) {
      dlqOperations.close();
    }
  }
}
