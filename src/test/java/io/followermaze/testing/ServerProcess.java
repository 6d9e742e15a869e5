package io.followermaze.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The real server jar in its own process, on free loopback ports, with its log collected. */
public final class ServerProcess implements AutoCloseable {

  private static final Pattern LISTENING =
      Pattern.compile("event source on 127.0.0.1:(\\d+) and user clients on 127.0.0.1:(\\d+)");
  private static final Pattern ADMIN = Pattern.compile("admin API on http://127.0.0.1:(\\d+)");

  public final Process process;
  public final List<String> log = new CopyOnWriteArrayList<>();
  public volatile int eventPort;
  public volatile int clientPort;
  public volatile int adminPort;
  private volatile boolean ready;

  /** Starts {@code serve} on {@code dataDir} with {@code extraArgs}; waits until it listens. */
  public ServerProcess(Path dataDir, String... extraArgs) throws IOException {
    this(0, dataDir, extraArgs);
  }

  /**
   * As {@link #ServerProcess(Path, String...)}, with the process's open-file limit set to {@code
   * openFileLimit} ({@code ulimit -n}; 0 leaves it as it is).
   */
  public ServerProcess(int openFileLimit, Path dataDir, String... extraArgs) throws IOException {
    Path jar = Path.of("target", "followermaze.jar");
    assertThat(jar).exists();
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx128m",
                "-XX:MaxDirectMemorySize=256m",
                "-jar",
                jar.toString(),
                "serve",
                "--bind",
                "127.0.0.1",
                "--event-port",
                "0",
                "--client-port",
                "0",
                "--status-interval",
                "0s",
                "--data-dir",
                dataDir.toString(),
                "--dlq-flush-interval",
                "50ms",
                "--admin-port",
                "0"));
    command.addAll(List.of(extraArgs));
    if (openFileLimit > 0) {
      command.addAll(
          0, List.of("sh", "-c", "ulimit -n " + openFileLimit + " && exec \"$@\"", "sh"));
    }
    process = new ProcessBuilder(command).redirectErrorStream(true).start();
    Thread.ofVirtual()
        .start(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                  log.add(line);
                  Matcher m = LISTENING.matcher(line);
                  if (m.find()) {
                    eventPort = Integer.parseInt(m.group(1));
                    clientPort = Integer.parseInt(m.group(2));
                  }
                  if (line.contains("ready (SIGTERM")) {
                    ready = true;
                  }
                  Matcher admin = ADMIN.matcher(line);
                  if (admin.find()) {
                    adminPort = Integer.parseInt(admin.group(1));
                  }
                }
              } catch (IOException ignored) {
                // The process is gone.
              }
            });
    // Ready: listening, and the shutdown hook is in place (a SIGTERM before it would exit with
    // 143).
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> (clientPort != 0 && ready) || !process.isAlive());
    assertThat(process.isAlive()).as("server started: %s", log).isTrue();
  }

  /** Log lines at ERROR level. */
  public List<String> errors() {
    return log.stream().filter(line -> line.contains(" ERROR ")).toList();
  }

  /** SIGTERM, and the exit status once it has stopped. */
  public int stop() throws InterruptedException {
    process.destroy();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s").isTrue();
    return process.exitValue();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
