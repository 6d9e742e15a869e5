package io.followermaze.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.followermaze.bench.Bench;
import io.followermaze.bench.BenchOptions;
import io.followermaze.bench.BenchResult;
import io.followermaze.testing.DurableServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped monitoring (docs/monitoring) speaks of metrics the server really exports: every
 * metric name in the Grafana dashboard and in the alert rules appears in a live scrape of /metrics.
 */
class MonitoringIT {

  private static final Pattern METRIC = Pattern.compile("followermaze_[a-z_]+");

  @TempDir Path dir;

  private static Set<String> namesIn(Path file) throws Exception {
    Set<String> names = new TreeSet<>();
    Matcher m = METRIC.matcher(Files.readString(file));
    while (m.find()) {
      names.add(m.group());
    }
    return names;
  }

  @Test
  void everyMetricTheDashboardAndTheAlertsUseIsExported() throws Exception {
    try (DurableServer server = new DurableServer(dir, false)) {
      int adminPort = server.startAdmin(null);
      BenchResult result =
          Bench.run(
              new BenchOptions(
                  "127.0.0.1",
                  server.server().eventPort(),
                  server.server().clientPort(),
                  20_000,
                  10,
                  100,
                  100,
                  3,
                  Duration.ofMinutes(1),
                  Duration.ZERO),
              new PrintStream(new ByteArrayOutputStream()));
      assertThat(result.passed()).isTrue();
      String scrape =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      Set<String> exported = new TreeSet<>();
      for (String line : scrape.lines().toList()) {
        if (!line.startsWith("#") && !line.isBlank()) {
          exported.add(line.split("[{ ]", 2)[0]);
        }
      }
      Set<String> dashboard = namesIn(Path.of("docs", "monitoring", "grafana-dashboard.json"));
      Set<String> alerts = namesIn(Path.of("docs", "monitoring", "alerts.yml"));
      assertThat(dashboard).as("the dashboard uses metrics").hasSizeGreaterThan(10);
      assertThat(exported).as("dashboard metrics in a live scrape").containsAll(dashboard);
      assertThat(exported).as("alert metrics in a live scrape").containsAll(alerts);
      assertThat(scrape).contains("followermaze_ready 1.0");
    }
  }
}
