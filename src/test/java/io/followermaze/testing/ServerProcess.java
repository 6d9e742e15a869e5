package io.followermaze.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** The real server jar in its own process, on free loopback ports, with its log collected. */
public final class ServerProcess implements AutoCloseable {

  public final Process process;
  public final List<String> log = new CopyOnWriteArrayList<>();
  public final int eventPort;
  public final int clientPort;
  public final int adminPort;

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
    Path portsFile = Files.createTempFile("followermaze", ".ports");
    Files.delete(portsFile); // it appears once the server is ready
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
                "0",
                "--ports-file",
                portsFile.toString()));
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
                }
              } catch (IOException ignored) {
                // The process is gone.
              }
            });
    // Ready: listening, and the shutdown hook is in place (a SIGTERM before it would exit with
    // 143): the ports file appears.
    Properties ports = new Properties();
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> Files.exists(portsFile) || !process.isAlive());
      assertThat(process.isAlive()).as("server started: %s", log).isTrue();
      try (var in = Files.newBufferedReader(portsFile)) {
        ports.load(in);
      }
      eventPort = Integer.parseInt(ports.getProperty("event"));
      clientPort = Integer.parseInt(ports.getProperty("client"));
    } catch (RuntimeException | IOException | AssertionError e) {
      process.destroyForcibly(); // a server that did not start right is not left behind
      throw e;
    }
    adminPort = Integer.parseInt(ports.getProperty("admin", "-1"));
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
