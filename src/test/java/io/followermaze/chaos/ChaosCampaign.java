package io.followermaze.chaos;

import io.followermaze.chaos.ConservationLaw.Verdict;
import io.followermaze.chaos.CycleScript.Fault;
import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.StoredDeadLetter;
import io.followermaze.dlq.sqlite.SqliteDeadLetterStore;
import io.followermaze.testing.ServerProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The process chaos checker: cycles of a real server process on one data directory, each cycle
 * streaming a seeded workload to real clients while it is killed ({@code kill -9}) or stopped
 * (SIGTERM) at a random moment, or runs to the end; the disk fills up and frees again, users purged
 * and parked letters redriven, admin requests in parallel. Each cycle is then checked against
 * {@link ConservationLaw} from what its clients received and what the restarted server's store
 * holds.
 *
 * <p>{@code bin/chaos --seed S --cycles N} runs a campaign and prints its report; {@code
 * ChaosCampaignIT} runs a short one in CI. Timing is the machine's, so a seed fixes the workload,
 * the faults and where in the stream they land, not the exact interleaving.
 */
public final class ChaosCampaign {

  /**
   * How long before a {@code kill -9} a line may have been sent and its letters still be lost: the
   * flush interval (200 ms) plus a second for reading, ordering and routing on a busy machine.
   */
  static final long KILL_WINDOW_MILLIS = 1_200;

  private static final Pattern NUMBER_FIELD = Pattern.compile("\"(\\w+)\":(\\d+)");
  private static final int REDRIVE_RATE = 2_000;

  /** Parked letters the server redrives to a user in one go when it connects. */
  private static final int ON_CONNECT_BATCH = 32_768;

  /** What a campaign found. */
  public record Report(
      long seed,
      int cycles,
      Map<Fault, Integer> faults,
      int diskFulls,
      int redriveCycles,
      int purges,
      long events,
      long notifications,
      long letters,
      long crashLost,
      long redriven,
      long redriveInFlight,
      long adminRequests,
      long adminSlowestMillis,
      long millis,
      List<String> violations) {

    /** The report as printed. */
    public String summary() {
      StringBuilder out = new StringBuilder();
      out.append(
          String.format(
              "chaos campaign seed %d: %d cycles (%s), %d with the disk full, %d with redrives,"
                  + " %d purges, in %.1f s%n",
              seed, cycles, faults, diskFulls, redriveCycles, purges, millis / 1000.0));
      out.append(
          String.format(
              "  checked: %d events, %d notifications received, %d dead letters, %d parked letters"
                  + " redriven%n",
              events, notifications, letters, redriven));
      out.append(
          String.format(
              "  within the kill -9 bounds: %d (event, user) pairs lost uncommitted, %d redriven"
                  + " letters in flight%n",
              crashLost, redriveInFlight));
      out.append(
          String.format(
              "  admin requests in parallel: %d, slowest %d ms%n",
              adminRequests, adminSlowestMillis));
      out.append("  violations: ").append(violations.size()).append(System.lineSeparator());
      violations.forEach(v -> out.append("    ").append(v).append(System.lineSeparator()));
      return out.toString();
    }
  }

  private final long seed;
  private final int cycles;
  private final Path work;
  private final PrintStream log;
  private final Random random;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final List<String> violations = new ArrayList<>();
  private final Map<Fault, Integer> faults = new EnumMap<>(Fault.class);
  private final AtomicLong adminRequests = new AtomicLong();
  private final AtomicLong adminSlowest = new AtomicLong();
  private long events;
  private long notifications;
  private long letters;
  private long crashLost;
  private long redriven;
  private long redriveInFlight;
  private int diskFulls;
  private int redriveCycles;
  private int purges;

  private ChaosCampaign(long seed, int cycles, Path work, PrintStream log) {
    this.seed = seed;
    this.cycles = cycles;
    this.work = work;
    this.log = log;
    this.random = new Random(seed);
  }

  /**
   * Runs {@code cycles} cycles from {@code seed} in {@code work}, logging progress to {@code log}.
   */
  public static Report run(long seed, int cycles, Path work, PrintStream log) throws Exception {
    return new ChaosCampaign(seed, cycles, work, log).run();
  }

  /**
   * {@code --seed S --cycles N [--work DIR]}: runs a campaign, prints the report, exit 1 on a
   * violation.
   */
  public static void main(String[] args) throws Exception {
    long seed = System.nanoTime() % 1_000_000;
    int cycles = 20;
    Path work = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--cycles" -> cycles = Integer.parseInt(args[++i]);
        case "--work" -> work = Path.of(args[++i]);
        default -> {
          System.err.println("usage: chaos [--seed S] [--cycles N] [--work DIR]");
          System.exit(2);
        }
      }
    }
    Path dir = work != null ? work : Files.createTempDirectory("followermaze-chaos");
    Report report = run(seed, cycles, dir, System.out);
    System.out.print(report.summary());
    System.exit(report.violations().isEmpty() ? 0 : 1);
  }

  private Report run() throws Exception {
    long started = System.nanoTime();
    log.printf("chaos campaign seed %d, %d cycles, in %s%n", seed, cycles, work);
    try (FullDisk disk = FullDisk.mount(work.resolve("disk"), 512)) {
      Path dataDir = disk.available() ? disk.dataDir() : work.resolve("data");
      if (!disk.available()) {
        log.println("  (no tmpfs could be mounted: the disk-full faults are left out)");
      }
      long cursor = 0;
      CycleScript previous = null;
      CycleOutcome previousOutcome = null;
      Map<Integer, List<StoredDeadLetter>> parkedBefore = Map.of();
      Map<Integer, Long> purgeCandidates = new HashMap<>();
      List<Integer> verifiedOffline = new ArrayList<>();
      Map<Integer, Long> purgedLeft = new HashMap<>();
      for (int cycle = 0; cycle <= cycles; cycle++) {
        List<Integer> returners = new ArrayList<>();
        if (previous != null && random.nextInt(3) > 0) {
          List<Integer> offline = new ArrayList<>(previous.offline());
          java.util.Collections.shuffle(offline, random);
          returners.addAll(offline.subList(0, 1 + random.nextInt(3)));
        }
        int purgeUser = 0;
        if (!verifiedOffline.isEmpty() && random.nextInt(3) == 0) {
          purgeUser = verifiedOffline.remove(random.nextInt(verifiedOffline.size()));
        }
        CycleScript script =
            cycle < cycles
                ? CycleScript.draw(random, cycle, returners, purgeUser, disk.available())
                : null;
        List<String> flags = script == null ? List.of() : script.serverFlags();
        ServerProcess server = new ServerProcess(dataDir, flags.toArray(String[]::new));
        try {
          try (SqliteDeadLetterStore reader = SqliteDeadLetterStore.open(dataDir)) {
            awaitIndexed(reader);
            for (Map.Entry<Integer, Long> purged : purgedLeft.entrySet()) {
              long left = reader.count(DeadLetterFilter.ALL.forRecipient(purged.getKey()));
              if (left != 0 && left != purged.getValue()) {
                violations.add("purged user " + purged.getKey() + " has " + left + " letters left");
              }
            }
            purgedLeft.clear();
            if (previous != null) {
              List<StoredDeadLetter> committed = lettersAfter(reader, cursor);
              Map<Integer, List<StoredDeadLetter>> parkedAfter = new HashMap<>();
              for (int user : previous.returners()) {
                parkedAfter.put(user, lettersOf(reader, user));
              }
              Verdict verdict =
                  ConservationLaw.check(
                      previous,
                      previousOutcome.received(),
                      committed,
                      parkedBefore,
                      parkedAfter,
                      previousOutcome.lossFrom(),
                      ON_CONNECT_BATCH + REDRIVE_RATE / 10);
              record(previous, verdict);
              cursor = committed.isEmpty() ? cursor : committed.getLast().id();
              for (int user : previous.offline()) {
                if (!returners.contains(user)) {
                  verifiedOffline.add(user);
                }
              }
            }
            if (script == null) {
              int status = stop(server);
              if (status != 0) {
                violations.add("the settling server did not stop cleanly: status " + status);
              }
              break;
            }
            Map<Integer, List<StoredDeadLetter>> before = new HashMap<>();
            for (int user : script.returners()) {
              before.put(user, lettersOf(reader, user));
            }
            parkedBefore = before;
            if (purgeUser > 0) {
              purgeCandidates.put(
                  purgeUser, reader.count(DeadLetterFilter.ALL.forRecipient(purgeUser)));
            }
          }
          log.printf("  %s (t=%.1f s)%n", script.describe(), (System.nanoTime() - started) / 1e9);
          previousOutcome = runCycle(script, server, disk, purgeCandidates, purgedLeft);
          previous = script;
        } finally {
          server.close();
          server.process.waitFor(30, TimeUnit.SECONDS);
          Files.write(work.resolve("server-" + cycle + ".log"), server.log);
        }
      }
    }
    return new Report(
        seed,
        cycles,
        faults,
        diskFulls,
        redriveCycles,
        purges,
        events,
        notifications,
        letters,
        crashLost,
        redriven,
        redriveInFlight,
        adminRequests.get(),
        adminSlowest.get(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
        List.copyOf(violations));
  }

  private static int stop(ServerProcess server) throws InterruptedException {
    server.process.destroy();
    return server.process.waitFor(40, TimeUnit.SECONDS) ? server.process.exitValue() : -1;
  }

  private void record(CycleScript script, Verdict verdict) {
    faults.merge(script.fault(), 1, Integer::sum);
    events += script.events();
    notifications += verdict.notifications();
    letters += verdict.letters();
    crashLost += verdict.crashLost();
    redriven += verdict.redriven();
    redriveInFlight += verdict.redriveInFlight();
    violations.addAll(verdict.violations());
    log.printf(
        "    checked: %d notifications, %d letters, %d refused lines, %d lost to the kill, %d"
            + " redriven, %d in flight; violations %d%n",
        verdict.notifications(),
        verdict.letters(),
        verdict.linesRefused(),
        verdict.crashLost(),
        verdict.redriven(),
        verdict.redriveInFlight(),
        verdict.violations().size());
  }

  /**
   * What a cycle left for the check.
   *
   * @param received each user's received lines
   * @param lossFrom the first line whose letters a {@code kill -9} may take with it: those sent
   *     within {@link #KILL_WINDOW_MILLIS} of the kill (0 when the disk was full: then only the
   *     byte bound holds)
   */
  record CycleOutcome(Map<Integer, List<String>> received, int lossFrom) {}

  private CycleOutcome runCycle(
      CycleScript script,
      ServerProcess server,
      FullDisk disk,
      Map<Integer, Long> purgeCandidates,
      Map<Integer, Long> purgedLeft)
      throws Exception {
    List<ChaosClient> clients = new ArrayList<>();
    Map<Integer, ChaosClient> leavers = new HashMap<>();
    for (int user : script.stable()) {
      clients.add(ChaosClient.connect(server.clientPort, user, 0, 0));
    }
    for (int user : script.slow()) {
      clients.add(
          ChaosClient.connect(
              server.clientPort, user, random.nextInt(50), 1_500 + random.nextInt(1_500)));
    }
    for (int user : script.leavers()) {
      ChaosClient client = ChaosClient.connect(server.clientPort, user, 0, 0);
      clients.add(client);
      leavers.put(random.nextInt(script.lines().size()), client);
    }
    for (int user : script.returners()) {
      clients.add(ChaosClient.connect(server.clientPort, user, 0, 0));
    }
    int registered = clients.size();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (total(server, "connectedClients") < registered) {
      if (System.nanoTime() > deadline) {
        violations.add(
            "cycle " + script.cycle() + ": " + registered + " clients never all registered");
        break;
      }
      Thread.sleep(20);
    }
    Map<Integer, Integer> joiners = new HashMap<>();
    for (int user : script.joiners()) {
      joiners.put(random.nextInt(script.lines().size()), user);
    }
    List<Thread> helpers = new ArrayList<>();
    java.util.concurrent.atomic.AtomicBoolean running =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    if (script.adminLoad()) {
      helpers.add(Thread.ofVirtual().start(() -> adminLoad(server, running)));
    }
    if (!script.returners().isEmpty() && !script.redriveOnConnect()) {
      redriveCycles++;
      long at = random.nextInt((int) script.sendMillis());
      helpers.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    sleep(at);
                    for (int user : script.returners()) {
                      admin(server, "POST", "/dlq/redrive?rate=" + REDRIVE_RATE + "&user=" + user);
                    }
                  }));
    } else if (script.redriveOnConnect()) {
      redriveCycles++;
    }
    if (script.purgeUser() > 0) {
      purges++;
      long at = random.nextInt((int) script.sendMillis());
      int user = script.purgeUser();
      long expected = purgeCandidates.getOrDefault(user, 0L);
      purgedLeft.put(user, expected);
      helpers.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    sleep(at);
                    String answer = admin(server, "DELETE", "/dlq?user=" + user);
                    Matcher m = Pattern.compile("\"purged\":(\\d+)").matcher(answer);
                    if (m.find() && Long.parseLong(m.group(1)) != expected) {
                      synchronized (violations) {
                        violations.add(
                            "cycle "
                                + script.cycle()
                                + ": purge of user "
                                + user
                                + " removed "
                                + m.group(1)
                                + " letters, it had "
                                + expected);
                      }
                    }
                  }));
    }
    if (script.diskFull()) {
      diskFulls++;
      long at = random.nextInt((int) script.sendMillis());
      long hold = 300 + random.nextInt(1_500);
      helpers.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      sleep(at);
                      disk.fill();
                      sleep(hold);
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    } finally {
                      try {
                        disk.free();
                      } catch (IOException ignored) {
                        // Freed by the campaign's end at the latest.
                      }
                    }
                  }));
    }

    long start = System.nanoTime();
    java.util.concurrent.atomic.AtomicLong killedAt = new java.util.concurrent.atomic.AtomicLong();
    long[] sentAt = new long[script.lines().size()];
    Thread fault = null;
    if (script.fault() != Fault.COMPLETE) {
      long at = (long) (script.faultAt() * script.sendMillis());
      fault =
          Thread.ofVirtual()
              .start(
                  () -> {
                    sleep(at);
                    if (script.fault() == Fault.KILL) {
                      killedAt.set(System.nanoTime());
                      server.process.destroyForcibly();
                    } else {
                      server.process.destroy();
                    }
                  });
    }
    try (Socket source = new Socket()) {
      source.connect(new InetSocketAddress("127.0.0.1", server.eventPort), 5_000);
      OutputStream out = source.getOutputStream();
      StringBuilder chunk = new StringBuilder();
      int total = script.lines().size();
      int chunkStart = 0;
      for (int i = 0; i < total; i++) {
        chunk.append(script.lines().get(i).text()).append('\n');
        ChaosClient leaver = leavers.get(i);
        if (leaver != null) {
          leaver.leave();
        }
        Integer joiner = joiners.get(i);
        if (joiner != null) {
          try {
            clients.add(ChaosClient.connect(server.clientPort, joiner, 0, 0));
          } catch (UncheckedIOException e) {
            if (script.fault() == Fault.COMPLETE) {
              violations.add("cycle " + script.cycle() + ": " + e.getMessage());
            } // else the fault stopped the server first: the joiner stays offline.
          }
        }
        if (chunk.length() > 4_000 || i == total - 1) {
          out.write(chunk.toString().getBytes(StandardCharsets.US_ASCII));
          chunk.setLength(0);
          java.util.Arrays.fill(sentAt, chunkStart, i + 1, System.nanoTime());
          chunkStart = i + 1;
          long due = start + TimeUnit.MILLISECONDS.toNanos(script.sendMillis() * (i + 1) / total);
          long wait = due - System.nanoTime();
          if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
          }
        }
      }
      out.flush();
      if (script.fault() == Fault.COMPLETE) {
        long lines = script.lines().size();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (total(server, "received") + total(server, "malformed") < lines
            && System.nanoTime() < until) {
          Thread.sleep(20);
        }
        server.process.destroy();
      }
    } catch (IOException e) {
      // The server went away under the source: the fault did that.
    }
    if (fault != null) {
      fault.join();
    }
    running.set(false);
    if (!server.process.waitFor(40, TimeUnit.SECONDS)) {
      violations.add(
          "cycle " + script.cycle() + ": the server did not exit within 40 s of " + script.fault());
      server.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    int status = server.process.exitValue();
    int want = script.fault() == Fault.KILL ? 137 : 0;
    if (status != want) {
      violations.add(
          "cycle "
              + script.cycle()
              + ": exit status "
              + status
              + " after "
              + script.fault()
              + ", want "
              + want
              + "; last log lines: "
              + tail(server.log, 8));
    }
    for (Thread helper : helpers) {
      helper.join(TimeUnit.SECONDS.toMillis(30));
    }
    disk.free();
    Map<Integer, List<String>> received = new HashMap<>();
    for (ChaosClient client : clients) {
      if (!client.awaitEnd(30_000)) {
        violations.add(
            "cycle " + script.cycle() + ": user " + client.user + "'s connection was never closed");
      }
      client.close();
      if (!client.tail().isEmpty() && script.fault() != Fault.KILL) {
        violations.add(
            "cycle "
                + script.cycle()
                + ": user "
                + client.user
                + " got a torn line: "
                + client.tail());
      }
      received.put(client.user, client.lines());
    }
    int lossFrom = 0;
    if (killedAt.get() != 0 && !script.diskFull()) {
      long window = killedAt.get() - TimeUnit.MILLISECONDS.toNanos(KILL_WINDOW_MILLIS);
      while (lossFrom < sentAt.length && sentAt[lossFrom] != 0 && sentAt[lossFrom] < window) {
        lossFrom++;
      }
    }
    return new CycleOutcome(received, lossFrom);
  }

  private void adminLoad(ServerProcess server, java.util.concurrent.atomic.AtomicBoolean running) {
    String[][] requests = {
      {"GET", "/dlq?limit=1000"},
      {"GET", "/dlq/stats"},
      {"GET", "/metrics"},
      {"GET", "/stats"},
      {"POST", "/dlq/redrive?dry_run=true"},
    };
    while (running.get() && server.process.isAlive()) {
      String[] request = requests[(int) (adminRequests.get() % requests.length)];
      admin(server, request[0], request[1]);
    }
  }

  private String admin(ServerProcess server, String method, String path) {
    long started = System.nanoTime();
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort + path))
                  .method(method, HttpRequest.BodyPublishers.noBody())
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      adminRequests.incrementAndGet();
      adminSlowest.accumulateAndGet(
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), Math::max);
      return response.body();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /** One of the {@code totals} of {@code /stats}; -1 when the server does not answer. */
  private long total(ServerProcess server, String field) {
    String json = admin(server, "GET", "/stats");
    int totals = json.indexOf("\"totals\"");
    if (totals < 0) {
      return -1;
    }
    Matcher m = NUMBER_FIELD.matcher(json).region(totals, json.length());
    while (m.find()) {
      if (m.group(1).equals(field)) {
        return Long.parseLong(m.group(2));
      }
    }
    return -1;
  }

  private static void awaitIndexed(SqliteDeadLetterStore reader) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (reader.awaitingIndex() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
  }

  private static List<StoredDeadLetter> lettersAfter(SqliteDeadLetterStore reader, long cursor) {
    List<StoredDeadLetter> all = new ArrayList<>();
    for (List<StoredDeadLetter> page = reader.list(DeadLetterFilter.ALL, cursor, 10_000);
        !page.isEmpty();
        page = reader.list(DeadLetterFilter.ALL, all.getLast().id(), 10_000)) {
      all.addAll(page);
    }
    return all;
  }

  private static List<StoredDeadLetter> lettersOf(SqliteDeadLetterStore reader, int user) {
    DeadLetterFilter filter = DeadLetterFilter.ALL.forRecipient(user);
    List<StoredDeadLetter> all = new ArrayList<>();
    for (List<StoredDeadLetter> page = reader.list(filter, 0, 10_000);
        !page.isEmpty();
        page = reader.list(filter, all.getLast().id(), 10_000)) {
      all.addAll(page);
    }
    return all;
  }

  private static String tail(List<String> log, int lines) {
    return String.join(" / ", log.subList(Math.max(0, log.size() - lines), log.size()));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
