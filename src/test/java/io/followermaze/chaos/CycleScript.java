package io.followermaze.chaos;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * What one chaos cycle sends and does, drawn from its seed: the source's lines in send order
 * (events shuffled within windows, malformed lines and duplicates among them), the roles of the
 * cycle's users, the server's flags and the fault that ends the cycle.
 *
 * <p>Each cycle has its own users ({@link #firstUser} upwards), so that every dead letter and every
 * received line can be told apart from another cycle's.
 */
record CycleScript(
    int cycle,
    int firstUser,
    int users,
    List<Line> lines,
    int events,
    List<Integer> stable,
    List<Integer> slow,
    List<Integer> leavers,
    List<Integer> joiners,
    List<Integer> returners,
    Fault fault,
    double faultAt,
    long sendMillis,
    List<String> serverFlags,
    boolean redriveOnConnect,
    boolean diskFull,
    boolean adminLoad,
    int purgeUser) {

  /** How the cycle's server ends. */
  enum Fault {
    /** Every line is processed, then SIGTERM. */
    COMPLETE,
    /** SIGTERM at a random moment. */
    SIGTERM,
    /** SIGKILL at a random moment. */
    KILL
  }

  /** What a line of the source's stream is. */
  enum Kind {
    EVENT,
    MALFORMED,
    DUPLICATE
  }

  /**
   * One line as sent (without its LF).
   *
   * @param sequence the event's number (events and duplicates), else -1
   */
  record Line(Kind kind, String text, long sequence) {}

  static final int USERS = 24;
  private static final int WINDOW = 50;

  /**
   * The script of cycle {@code cycle}; {@code returners} are users of the previous cycle who come
   * back (their parked letters are redriven), {@code purgeUser} a user of an older cycle whose
   * letters are purged (0: none).
   */
  static CycleScript draw(
      Random random, int cycle, List<Integer> returners, int purgeUser, boolean canFillDisk) {
    int first = (cycle + 1) * 1000;
    int events = 2_000 + random.nextInt(8_000);
    List<Line> inOrder = new ArrayList<>(events);
    for (int seq = 1; seq <= events; seq++) {
      int from = first + random.nextInt(USERS);
      int to = first + random.nextInt(USERS);
      int pick = random.nextInt(100);
      String text =
          pick < 35
              ? seq + "|F|" + from + "|" + to
              : pick < 45
                  ? seq + "|U|" + from + "|" + to
                  : pick < 65
                      ? seq + "|P|" + from + "|" + to
                      : pick < 90 ? seq + "|S|" + from : seq + "|B";
      inOrder.add(new Line(Kind.EVENT, text, seq));
    }
    List<Line> lines = new ArrayList<>(events + events / 25);
    for (int start = 0; start < events; start += WINDOW) {
      List<Line> window = new ArrayList<>(inOrder.subList(start, Math.min(events, start + WINDOW)));
      Collections.shuffle(window, random);
      lines.addAll(window);
    }
    int malformed = random.nextInt(1 + events / 100);
    for (int i = 0; i < malformed; i++) {
      String text =
          random.nextBoolean()
              ? "x" + cycle + "m" + i + "|F|" + first + "|" + (first + 1)
              : "x" + cycle + "m" + i + "|Q|1|2|3";
      lines.add(random.nextInt(lines.size() + 1), new Line(Kind.MALFORMED, text, -1));
    }
    int duplicates = random.nextInt(1 + events / 200);
    for (int i = 0; i < duplicates; i++) {
      int at = 200 + random.nextInt(Math.max(1, lines.size() - 200));
      Line original = lines.get(random.nextInt(at - 150));
      if (original.kind() == Kind.EVENT && !original.text().endsWith("|B")) {
        lines.add(at, new Line(Kind.DUPLICATE, original.text(), original.sequence()));
      }
    }

    List<Integer> ids = new ArrayList<>();
    for (int u = 0; u < USERS; u++) {
      ids.add(first + u);
    }
    Collections.shuffle(ids, random);
    List<Integer> stable = List.copyOf(ids.subList(0, 6));
    List<Integer> slow = List.copyOf(ids.subList(6, 8));
    List<Integer> leavers = List.copyOf(ids.subList(8, 11));
    List<Integer> joiners = List.copyOf(ids.subList(11, 14));

    // Every second cycle ends in a kill -9; the others in any of the three.
    Fault fault =
        cycle % 2 == 1 ? Fault.KILL : Fault.values()[random.nextInt(Fault.values().length)];
    List<String> flags = new ArrayList<>();
    if (random.nextBoolean()) {
      flags.addAll(
          List.of(
              "--client-buffer",
              "16KiB",
              "--client-socket-buffer",
              "4KiB",
              "--client-stall-timeout",
              "1s"));
    }
    if (random.nextBoolean()) {
      flags.addAll(List.of("--slow-client-policy", "dead-letter"));
    }
    if (random.nextBoolean()) {
      flags.addAll(List.of("--client-linger", "0s"));
    }
    boolean redriveOnConnect = !returners.isEmpty() && random.nextBoolean();
    if (redriveOnConnect) {
      flags.add("--redrive-on-connect");
    }
    return new CycleScript(
        cycle,
        first,
        USERS,
        List.copyOf(lines),
        events,
        stable,
        slow,
        leavers,
        joiners,
        List.copyOf(returners),
        fault,
        0.1 + random.nextDouble() * 1.1,
        500 + random.nextInt(2_000),
        List.copyOf(flags),
        redriveOnConnect,
        canFillDisk && random.nextInt(3) == 0,
        random.nextBoolean(),
        purgeUser);
  }

  /** Whether {@code user} belongs to this cycle. */
  boolean ownUser(int user) {
    return user >= firstUser && user < firstUser + users;
  }

  /** The users of this cycle who never connect (their letters park; the next cycle may redrive). */
  List<Integer> offline() {
    List<Integer> out = new ArrayList<>();
    for (int u = firstUser; u < firstUser + users; u++) {
      if (!stable.contains(u)
          && !slow.contains(u)
          && !leavers.contains(u)
          && !joiners.contains(u)) {
        out.add(u);
      }
    }
    return out;
  }

  /** One line describing the cycle. */
  String describe() {
    return "cycle "
        + cycle
        + ": "
        + events
        + " events, "
        + lines.size()
        + " lines, fault "
        + fault
        + (fault == Fault.COMPLETE ? "" : String.format(" at %.2f of the stream", faultAt))
        + ", "
        + returners.size()
        + " returning"
        + (redriveOnConnect ? " (redrive on connect)" : "")
        + (diskFull ? ", disk full" : "")
        + (adminLoad ? ", admin load" : "")
        + (purgeUser > 0 ? ", purge of user " + purgeUser : "")
        + (serverFlags.isEmpty() ? "" : ", " + String.join(" ", serverFlags));
  }
}
