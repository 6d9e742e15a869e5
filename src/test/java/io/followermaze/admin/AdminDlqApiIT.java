package io.followermaze.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.sqlite.SqliteDeadLetterStore;
import io.followermaze.server.Server;
import io.followermaze.testing.DurableServer;
import io.followermaze.testing.EventSource;
import io.followermaze.testing.UserClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DLQ over HTTP, against a running server with its durable store; with a bearer token. */
class AdminDlqApiIT {

  private static final String TOKEN = "s3cret";

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private DurableServer durable;
  private Server server;
  private int adminPort;
  private SqliteDeadLetterStore reader;

  @BeforeEach
  void start() {
    durable = new DurableServer(dir, false);
    server = durable.server();
    reader = durable.reader();
    adminPort = durable.startAdmin(TOKEN);
  }

  @AfterEach
  void stop() {
    durable.close();
  }

  private HttpResponse<String> call(String method, String path, String token) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> call(String method, String path) throws Exception {
    return call(method, path, TOKEN);
  }

  private void park(String... lines) {
    try (EventSource source = new EventSource(server.eventPort())) {
      source.send(lines);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    await().until(() -> reader.list(DeadLetterFilter.ALL, 0, lines.length).size() >= lines.length);
  }

  private long idOf(DeadLetterFilter filter) {
    return reader.list(filter, 0, 1).getFirst().id();
  }

  @Test
  void everyEndpointButHealthNeedsTheToken() throws Exception {
    assertThat(call("GET", "/health", null).statusCode()).isEqualTo(200);
    for (String path : new String[] {"/ready", "/metrics", "/stats", "/dlq", "/dlq/stats"}) {
      HttpResponse<String> denied = call("GET", path, null);
      assertThat(denied.statusCode()).as(path).isEqualTo(401);
      assertThat(denied.body()).contains("Authorization: Bearer");
      assertThat(call("GET", path, "wrong").statusCode()).as(path).isEqualTo(401);
      assertThat(call("GET", path).statusCode()).as(path).isEqualTo(200);
    }
  }

  @Test
  void listsFiltersPagesAndShowsDeadLetters() throws Exception {
    park("1|P|2|3", "2|P|2|4", "3|P|2|4", "4|Z");
    HttpResponse<String> page = call("GET", "/dlq?reason=user_not_connected&limit=2");
    assertThat(page.statusCode()).isEqualTo(200);
    java.util.regex.Matcher next =
        java.util.regex.Pattern.compile("\"nextAfterId\":(\\d+)").matcher(page.body());
    assertThat(next.find()).isTrue();
    long cursor = Long.parseLong(next.group(1));
    assertThat(cursor).isPositive();
    String rest = call("GET", "/dlq?reason=USER_NOT_CONNECTED&after_id=" + cursor).body();
    assertThat(rest).contains("\"nextAfterId\":0");
    assertThat(page.body().split("\"reason\":").length + rest.split("\"reason\":").length - 2)
        .as("3 letters in 2 pages")
        .isEqualTo(3);
    assertThat(page.body() + rest).contains("1|P|2|3", "2|P|2|4", "3|P|2|4");
    assertThat(call("GET", "/dlq?user=4").body())
        .contains("2|P|2|4", "3|P|2|4")
        .doesNotContain("1|P|2|3");
    assertThat(call("GET", "/dlq/stats").body())
        .contains("\"total\":4", "\"USER_NOT_CONNECTED\":3", "\"UNKNOWN_TYPE\":1");
    long malformed =
        idOf(
            DeadLetterFilter.ALL.withReasons(
                java.util.Set.of(io.followermaze.dlq.Reason.UNKNOWN_TYPE)));
    assertThat(call("GET", "/dlq/" + malformed).body())
        .contains("\"reason\":\"UNKNOWN_TYPE\"", "\"payload\":\"4|Z\"");
    assertThat(call("GET", "/dlq/" + (malformed + 999)).statusCode()).isEqualTo(404);
  }

  @Test
  void badParametersGet400WithTheReason() throws Exception {
    assertThat(call("GET", "/dlq?reason=nonsense"))
        .satisfies(
            r -> {
              assertThat(r.statusCode()).isEqualTo(400);
              assertThat(r.body()).contains("reason 'nonsense' is not one of");
            });
    assertThat(call("GET", "/dlq?limit=0").body())
        .contains("limit must be a whole number from 1 to 10000");
    assertThat(call("GET", "/dlq?since=yesterday").body())
        .contains("since must be an ISO-8601 time");
    assertThat(call("DELETE", "/dlq").body()).contains("DELETE /dlq needs a filter");
    assertThat(call("POST", "/dlq/redrive?rate=0").statusCode()).isEqualTo(400);
  }

  @Test
  void redrivesOverHttpAndReportsProgress() throws Exception {
    park("1|P|2|7", "2|P|3|7");
    UserClient late = UserClient.connect(server.clientPort(), 7);
    await().until(() -> server.stats().clientsRegistered() == 1);
    assertThat(call("POST", "/dlq/redrive?user=7&dry_run=true").body())
        .contains("\"dryRun\":true", "\"matching\":2");
    HttpResponse<String> accepted = call("POST", "/dlq/redrive?user=7&rate=100");
    assertThat(accepted.statusCode()).isEqualTo(202);
    assertThat(accepted.body()).contains("\"redriveId\":1");
    assertThat(late.awaitLines(2)).containsExactly("1|P|2|7", "2|P|3|7");
    await().until(() -> call("GET", "/dlq/redrive/1").body().contains("\"status\":\"done\""));
    assertThat(call("GET", "/dlq/redrive/1").body()).contains("\"redriven\":2", "\"leftParked\":0");
  }

  @Test
  void purgesByFilter() throws Exception {
    park("1|P|2|3", "2|Q");
    HttpResponse<String> purged = call("DELETE", "/dlq?reason=UNKNOWN_TYPE");
    assertThat(purged.statusCode()).isEqualTo(200);
    assertThat(purged.body()).isEqualTo("{\"purged\":1}");
    assertThat(reader.count(DeadLetterFilter.ALL)).isEqualTo(1);
    assertThat(call("DELETE", "/dlq?all=true").body()).isEqualTo("{\"purged\":1}");
  }

  private HttpResponse<String> fromPage(String method, String path, String origin)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .header("Authorization", "Bearer " + TOKEN)
            .header("Origin", origin)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String rawStatusLine(String host) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", adminPort)) {
      socket
          .getOutputStream()
          .write(
              ("GET /dlq/stats HTTP/1.1\r\nHost: "
                      + host
                      + "\r\nAuthorization: Bearer "
                      + TOKEN
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream()))
          .readLine();
    }
  }

  @Test
  void aForeignWebPageCanNeitherRedriveNorPurge() throws Exception {
    park("1|P|2|3", "2|Q");
    HttpResponse<String> redrive = fromPage("POST", "/dlq/redrive?user=3", "http://evil.example");
    assertThat(redrive.statusCode()).isEqualTo(403);
    assertThat(redrive.body()).contains("Origin 'http://evil.example' is not this admin API");
    assertThat(fromPage("DELETE", "/dlq?all=true", "http://evil.example").statusCode())
        .isEqualTo(403);
    assertThat(reader.count(DeadLetterFilter.ALL)).as("nothing purged").isEqualTo(2);
    assertThat(
            fromPage("DELETE", "/dlq?reason=UNKNOWN_TYPE", "http://127.0.0.1:" + adminPort)
                .statusCode())
        .as("the admin API's own page may")
        .isEqualTo(200);
    assertThat(call("DELETE", "/dlq?all=true").statusCode()).as("a local curl may").isEqualTo(200);
  }

  @Test
  void aRequestForAnotherHostNameIsRefusedAgainstDnsRebinding() throws Exception {
    assertThat(rawStatusLine("evil.example")).contains(" 403 ");
    assertThat(rawStatusLine("evil.example:" + adminPort)).contains(" 403 ");
    assertThat(rawStatusLine("localhost:" + adminPort)).contains(" 200 ");
    assertThat(rawStatusLine("127.0.0.1:" + adminPort)).contains(" 200 ");
  }
}
