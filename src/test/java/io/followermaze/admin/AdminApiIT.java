package io.followermaze.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.followermaze.bench.Bench;
import io.followermaze.bench.BenchOptions;
import io.followermaze.bench.BenchResult;
import io.followermaze.dlq.LoggingDeadLetterSink;
import io.followermaze.lifecycle.Roles;
import io.followermaze.server.Server;
import io.followermaze.testing.EventSource;
import io.followermaze.testing.TestServerConfig;
import io.followermaze.testing.UserClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin API against a running server over real HTTP. */
class AdminApiIT {

  private final HttpClient http = HttpClient.newHttpClient();
  private LoggingDeadLetterSink deadLetters;
  private Server server;
  private AdminServer admin;

  @BeforeEach
  void start() {
    deadLetters = new LoggingDeadLetterSink(0);
    server = Server.start(TestServerConfig.loopback(), new Roles(), deadLetters);
    admin =
        AdminServer.start(
            new AdminServer.Options("127.0.0.1", 0, null), server, deadLetters, null, null, null);
  }

  @AfterEach
  void stop() {
    admin.close();
    server.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthAndReadinessAnswerJson() throws Exception {
    assertThat(get("/health"))
        .satisfies(
            r -> {
              assertThat(r.statusCode()).isEqualTo(200);
              assertThat(r.body()).isEqualTo("{\"status\":\"UP\"}");
            });
    assertThat(get("/ready"))
        .satisfies(
            r -> {
              assertThat(r.statusCode()).isEqualTo(200);
              assertThat(r.body())
                  .contains("\"status\":\"READY\"", "\"listening\":true", "\"storeWritable\":true");
              assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
            });
  }

  @Test
  void adminRequestsRunOnPlatformThreadsNotOnTheCarriersOfTheClientWriters() throws Exception {
    java.util.List<Thread> handledOn = new java.util.concurrent.CopyOnWriteArrayList<>();
    io.followermaze.dlq.DlqOperations recording =
        (io.followermaze.dlq.DlqOperations)
            java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {io.followermaze.dlq.DlqOperations.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("close")) {
                    return null;
                  }
                  if (method.getName().equals("bytesOnDisk")) {
                    return java.util.OptionalLong.empty(); // asked when the metrics are built
                  }
                  handledOn.add(Thread.currentThread());
                  throw new IllegalArgumentException("recorded");
                });
    try (AdminServer withDlq =
        AdminServer.start(
            new AdminServer.Options("127.0.0.1", 0, null),
            server,
            deadLetters,
            null,
            recording,
            null)) {
      HttpResponse<String> answer =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + withDlq.port() + "/dlq/stats"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).isEqualTo(400);
    }
    assertThat(handledOn).isNotEmpty().noneMatch(Thread::isVirtual);
  }

  @Test
  void aRoleThatDiesMakesTheServerNotReadyAndSaysWhich() throws Exception {
    server
        .roles()
        .start(
            new org.agrona.concurrent.Agent() {
              @Override
              public int doWork() {
                throw new LinkageError("class went missing");
              }

              @Override
              public String roleName() {
                return "presence";
              }
            },
            org.agrona.concurrent.NoOpIdleStrategy.INSTANCE);
    org.awaitility.Awaitility.await().until(() -> server.roles().death() != null);
    assertThat(get("/ready"))
        .satisfies(
            r -> {
              assertThat(r.statusCode()).isEqualTo(503);
              assertThat(r.body())
                  .contains(
                      "\"status\":\"NOT_READY\"",
                      "\"rolesAlive\":false",
                      "role 'presence' died",
                      "class went missing");
            });
    assertThat(get("/health").statusCode()).as("alive, but not ready").isEqualTo(200);
  }

  @Test
  void metricsCountWhatTheServerDidInPrometheusFormat() throws Exception {
    UserClient client = UserClient.connect(server.clientPort(), 1);
    Awaitility.await().until(() -> server.stats().clientsRegistered() == 1);
    try (EventSource source = new EventSource(server.eventPort())) {
      source.send("1|B", "2|P|1|9", "bad", "3|P|9|1");
    }
    client.awaitLines(2);
    Awaitility.await().until(() -> server.stats().eventsDelivered() == 3);

    HttpResponse<String> metrics = get("/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    String body = metrics.body();
    assertThat(value(body, "followermaze_events_received_total")).isEqualTo(3.0);
    assertThat(value(body, "followermaze_events_delivered_total")).isEqualTo(3.0);
    assertThat(value(body, "followermaze_lines_malformed_total")).isEqualTo(1.0);
    assertThat(value(body, "followermaze_notifications_sent_total")).isEqualTo(2.0);
    assertThat(
            value(
                body,
                "followermaze_dead_letters_total{category=\"undeliverable\",reason=\"user_not_connected\"}"))
        .isEqualTo(1.0);
    assertThat(
            value(
                body,
                "followermaze_dead_letters_total{category=\"malformed\",reason=\"bad_sequence\"}"))
        .isEqualTo(1.0);
    assertThat(value(body, "followermaze_clients_connected")).isEqualTo(1.0);
    assertThat(body)
        .contains(
            "# HELP followermaze_events_received_total",
            "# TYPE followermaze_events_received_total counter",
            "jvm_memory_used_bytes");
    assertThat(new PrometheusText(body).samples).isNotEmpty();
  }

  @Test
  void metricsScrapedAfterABenchAreValidAndMatchItsTotals() throws Exception {
    BenchResult result =
        Bench.run(
            new BenchOptions(
                "127.0.0.1",
                server.eventPort(),
                server.clientPort(),
                20_000,
                20,
                200,
                100,
                11,
                Duration.ofMinutes(2),
                Duration.ZERO),
            new PrintStream(new ByteArrayOutputStream()));
    assertThat(result.passed()).as(result.summary()).isTrue();
    Awaitility.await().until(() -> deadLetters.total() == result.expectedOffline());

    PrometheusText metrics = new PrometheusText(get("/metrics").body());
    assertThat(metrics.types)
        .containsEntry("followermaze_events_received_total", "counter")
        .containsEntry("followermaze_clients_connected", "gauge");
    assertThat(metrics.value("followermaze_events_received_total")).isEqualTo(20_000.0);
    assertThat(metrics.value("followermaze_events_delivered_total")).isEqualTo(20_000.0);
    assertThat(
            metrics.value(
                "followermaze_dead_letters_total{category=\"undeliverable\",reason=\"user_not_connected\"}"))
        .isEqualTo((double) result.expectedOffline());
    assertThat(metrics.value("followermaze_notifications_sent_total"))
        .as("every line the clients verified, plus the warm-up broadcasts")
        .isGreaterThanOrEqualTo((double) result.notifications());
    assertThat(metrics.value("followermaze_lines_malformed_total")).isZero();
  }

  @Test
  void statsGiveTotalsAndRatesOverTheAskedWindow() throws Exception {
    try (EventSource source = new EventSource(server.eventPort())) {
      source.send("1|B", "2|B");
    }
    Awaitility.await().until(() -> server.stats().eventsReceived() == 2);
    HttpResponse<String> stats = get("/stats?window_size=5");
    assertThat(stats.statusCode()).isEqualTo(200);
    assertThat(stats.body())
        .contains("\"windowSize\":5", "\"perSecond\":{", "\"perMinute\":{", "\"received\":2");
    assertThat(get("/stats").body()).contains("\"windowSize\":60");
  }

  @Test
  void badParametersAndUnknownPathsGetJsonErrors() throws Exception {
    HttpResponse<String> bad = get("/stats?window_size=abc");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body())
        .contains("\"error\":\"window_size must be a whole number from 1 to 3600, was 'abc'\"");
    assertThat(get("/stats?window_size=0").statusCode()).isEqualTo(400);
    assertThat(get("/stats?window_size=3601").statusCode()).isEqualTo(400);
    HttpResponse<String> missing = get("/nope");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).contains("no such endpoint: /nope");
    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + "/health"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(get("/dlq").statusCode()).as("no durable store here").isEqualTo(404);
  }

  @Test
  void changesAreRefusedOnANonLoopbackPortWithoutAToken() throws Exception {
    try (AdminServer wide =
        AdminServer.start(
            new AdminServer.Options("0.0.0.0", 0, null), server, deadLetters, null, null, null)) {
      URI base = URI.create("http://127.0.0.1:" + wide.port());
      HttpResponse<String> change =
          http.send(
              HttpRequest.newBuilder(base.resolve("/dlq/redrive"))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(change.statusCode()).isEqualTo(403);
      assertThat(change.body()).contains("need --admin-token");
      HttpResponse<String> read =
          http.send(
              HttpRequest.newBuilder(base.resolve("/stats")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(read.statusCode()).isEqualTo(200);
    }
  }

  @Test
  void connectionsBeyondTheCapAreClosedAndTheApiStillAnswers() throws Exception {
    java.util.List<java.net.Socket> idle = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < AdminServer.MAX_CONNECTIONS + 44; i++) {
        idle.add(new java.net.Socket("127.0.0.1", admin.port()));
      }
      long closedByServer = 0;
      for (java.net.Socket socket : idle.subList(AdminServer.MAX_CONNECTIONS, idle.size())) {
        socket.setSoTimeout(5_000);
        try {
          if (socket.getInputStream().read() < 0) {
            closedByServer++;
          }
        } catch (java.net.SocketException reset) {
          closedByServer++;
        }
      }
      assertThat(closedByServer).as("connections beyond the cap are closed").isEqualTo(44);
    } finally {
      for (java.net.Socket socket : idle) {
        socket.close();
      }
    }
    org.awaitility.Awaitility.await()
        .untilAsserted(() -> assertThat(get("/health").statusCode()).isEqualTo(200));
  }

  @Test
  void servesTheDashboardPage() throws Exception {
    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
    assertThat(page.body())
        .contains("<canvas id=\"chart\"", "/stats?window_size=60", "/dlq/redrive");
  }

  private static double value(String metrics, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(metrics);
    assertThat(m.find()).as("series %s in%n%s", series, metrics).isTrue();
    return Double.parseDouble(m.group(1));
  }
}
