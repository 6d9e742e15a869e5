package io.followermaze.chaos;

import io.followermaze.chaos.CycleScript.Fault;
import io.followermaze.chaos.CycleScript.Kind;
import io.followermaze.chaos.CycleScript.Line;
import io.followermaze.dlq.DeadLetter;
import io.followermaze.dlq.Reason;
import io.followermaze.dlq.StoredDeadLetter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The law, checked for one cycle against what its clients received and what the store holds: for
 * every event the server processed and every user the routing rules say it concerns, exactly one of
 * "the user's client received it" or "one dead letter (event, user) exists"; every line the server
 * could not use is exactly one dead letter; every redriven letter is received once or dead-lettered
 * again. The model is deliberately plain: a follower map applied in sequence order.
 *
 * <p>What the server processed is read from the evidence: the highest sequence number anything was
 * received or dead-lettered for ({@code K}); every number up to {@code K} was processed unless a
 * gap letter says it was skipped. Only a {@code kill -9} may leave a concerned user with neither
 * (the crash bound: letters not yet committed, notifications not yet written); those are counted,
 * never allowed after a SIGTERM.
 */
final class ConservationLaw {

  private static final Pattern GAP = Pattern.compile("^sequences? (\\d+)(?:\\.\\.(\\d+))? skipped");
  private static final int MAX_REPORTED = 20;
  private static final java.util.function.BinaryOperator<String> ANDS = (a, b) -> a + " and " + b;

  /** What one cycle's check found. */
  record Verdict(
      long notifications,
      long letters,
      long linesRefused,
      long crashLost,
      long redriven,
      long redriveInFlight,
      List<String> violations) {}

  private final CycleScript script;
  private final List<String> violations = new ArrayList<>();
  private long violationCount;

  private final int lossFrom;
  private final Map<Long, Integer> firstSent = new HashMap<>();

  private ConservationLaw(CycleScript script, int lossFrom) {
    this.script = script;
    this.lossFrom = lossFrom;
  }

  /** Counts what a kill lost of line {@code index}, or reports it as older than the time bound. */
  private long lostToTheKill(int index, long count, String what) {
    if (index < lossFrom) {
      violation(
          what
              + " was lost to the kill, but was sent more than "
              + ChaosCampaign.KILL_WINDOW_MILLIS
              + " ms before it");
    }
    return count;
  }

  /**
   * Checks cycle {@code script}.
   *
   * @param received each connected user's received lines, in order
   * @param letters every letter committed during the cycle (ids above the cycle's start)
   * @param parkedBefore each returning user's letters as they were before the cycle
   * @param parkedAfter each returning user's letters now
   * @param lossFrom the first line a {@code kill -9} may have lost letters of (the time bound)
   * @param redriveSlice letters a {@code kill -9} may leave in flight per returning user (one batch
   *     on connect and one slice of a redrive request)
   */
  static Verdict check(
      CycleScript script,
      Map<Integer, List<String>> received,
      List<StoredDeadLetter> letters,
      Map<Integer, List<StoredDeadLetter>> parkedBefore,
      Map<Integer, List<StoredDeadLetter>> parkedAfter,
      int lossFrom,
      long redriveSlice) {
    return new ConservationLaw(script, lossFrom)
        .run(received, letters, parkedBefore, parkedAfter, redriveSlice);
  }

  private void violation(String what) {
    violationCount++;
    if (violations.size() < MAX_REPORTED) {
      violations.add("cycle " + script.cycle() + ": " + what);
    }
  }

  private static long key(long sequence, int user) {
    return sequence << 32 | (user & 0xffffffffL);
  }

  private Verdict run(
      Map<Integer, List<String>> received,
      List<StoredDeadLetter> letters,
      Map<Integer, List<StoredDeadLetter>> parkedBefore,
      Map<Integer, List<StoredDeadLetter>> parkedAfter,
      long redriveSlice) {
    boolean killed = script.fault() == Fault.KILL;
    Map<Long, String> eventText = new HashMap<>();
    Map<String, Integer> sendIndex = new HashMap<>();
    Map<String, Integer> refusedSent = new HashMap<>();
    Map<String, Integer> firstRefused = new HashMap<>();
    for (int i = 0; i < script.lines().size(); i++) {
      Line line = script.lines().get(i);
      if (line.kind() == Kind.EVENT) {
        eventText.put(line.sequence(), line.text());
        firstSent.putIfAbsent(line.sequence(), i);
      } else {
        refusedSent.merge(line.kind() + " " + line.text(), 1, Integer::sum);
        firstRefused.putIfAbsent(line.kind() + " " + line.text(), i);
      }
      sendIndex.merge(line.kind() + " " + line.text(), i, Math::max);
    }

    // Evidence: what each (event, user) got, and what the server said about lines and gaps.
    Map<Long, Integer> got = new HashMap<>();
    Map<Long, String> how = new HashMap<>();
    Set<Long> redrivenOwn = new HashSet<>();
    Map<String, Integer> refusedLettered = new HashMap<>();
    TreeMap<Long, Long> gaps = new TreeMap<>();
    Map<Integer, List<DeadLetter>> againForReturner = new HashMap<>();
    Map<Integer, long[]> present = new HashMap<>();
    long horizon = -1;
    long k = 0;
    for (StoredDeadLetter stored : letters) {
      DeadLetter letter = stored.letter();
      String payload = lineOf(letter);
      switch (letter.reason().category()) {
        case MALFORMED -> {
          String key = Kind.MALFORMED + " " + payload;
          refusedLettered.merge(key, 1, Integer::sum);
          horizon = Math.max(horizon, sendIndex.getOrDefault(key, -1));
          if (!refusedSent.containsKey(key)) {
            violation("a " + letter.reason() + " letter for a line never sent: " + payload);
          }
        }
        case SEQUENCING -> {
          if (letter.reason() == Reason.SEQUENCE_GAP) {
            Matcher m = GAP.matcher(letter.error() == null ? "" : letter.error());
            if (m.find()) {
              long first = Long.parseLong(m.group(1));
              gaps.put(first, m.group(2) == null ? first : Long.parseLong(m.group(2)));
            } else {
              violation("a gap letter that names no range: " + letter.error());
            }
          } else {
            String key = Kind.DUPLICATE + " " + payload;
            refusedLettered.merge(key, 1, Integer::sum);
            horizon = Math.max(horizon, sendIndex.getOrDefault(key, -1));
            if (!refusedSent.containsKey(key)) {
              violation("a " + letter.reason() + " letter for a line not sent twice: " + payload);
            }
          }
        }
        case UNDELIVERABLE -> {
          int user = letter.recipient();
          if (script.ownUser(user)) {
            String text = eventText.get(letter.sequence());
            if (text == null || !text.equals(payload)) {
              violation(
                  "user " + user + "'s letter is not event " + letter.sequence() + ": " + payload);
            }
            if (stored.redrivenAtMillis() > 0) {
              // Redriven on connect: its evidence is the copy the user received.
              redrivenOwn.add(key(letter.sequence(), user));
            } else {
              got.merge(key(letter.sequence(), user), 1, Integer::sum);
              how.merge(key(letter.sequence(), user), letter.reason().name(), ANDS);
            }
            k = Math.max(k, letter.sequence());
            if (letter.reason() != Reason.USER_NOT_CONNECTED) {
              presentAt(present, user, letter.sequence());
            }
            horizon = Math.max(horizon, sendIndex.getOrDefault(Kind.EVENT + " " + payload, -1));
          } else if (script.returners().contains(user)) {
            if (payload.equals(eventText.get(letter.sequence()))) {
              // A live broadcast of this cycle (parked letters are never broadcasts).
              got.merge(key(letter.sequence(), user), 1, Integer::sum);
              how.merge(key(letter.sequence(), user), letter.reason().name(), ANDS);
              presentAt(present, user, letter.sequence());
            } else {
              againForReturner.computeIfAbsent(user, u -> new ArrayList<>()).add(letter);
            }
          } else {
            violation("a letter for user " + user + ", who is not in this cycle: " + payload);
          }
        }
        case INTERNAL -> violation("the server failed to process a line: " + letter.error());
      }
    }
    long notifications = 0;
    long ownRedriven = 0;
    Map<Integer, List<String>> redrivenLines = new HashMap<>();
    for (Map.Entry<Integer, List<String>> client : received.entrySet()) {
      int user = client.getKey();
      boolean returner = script.returners().contains(user);
      if (!script.ownUser(user) && !returner) {
        continue;
      }
      long last = 0;
      for (String line : client.getValue()) {
        long seq = sequenceOf(line);
        String text = eventText.get(seq);
        if (returner && !line.equals(text)) {
          // Not an event of this cycle: a parked letter of the previous one, redriven.
          redrivenLines.computeIfAbsent(user, u -> new ArrayList<>()).add(line);
          continue;
        }
        if (text == null || !text.equals(line)) {
          violation("user " + user + " received a line never sent as an event: " + line);
          continue;
        }
        notifications++;
        if (redrivenOwn.contains(key(seq, user))) {
          // The redriven copy of a letter: out of the live order and outside the session's span.
          got.merge(key(seq, user), 1, Integer::sum);
          how.merge(key(seq, user), "received when redriven", ANDS);
          ownRedriven++;
          continue;
        }
        if (seq <= last) {
          violation("user " + user + " received " + seq + " after " + last);
        }
        last = seq;
        got.merge(key(seq, user), 1, Integer::sum);
        how.merge(key(seq, user), "received", ANDS);
        k = Math.max(k, seq);
        presentAt(present, user, seq);
        horizon = Math.max(horizon, sendIndex.getOrDefault(Kind.EVENT + " " + line, -1));
      }
    }

    long ownInFlight = 0;
    for (long pair : redrivenOwn) {
      if (!got.containsKey(pair)) {
        if (killed) {
          ownInFlight++;
          got.put(pair, 1);
        } else {
          violation(
              "user "
                  + (int) pair
                  + "'s letter for event "
                  + (pair >>> 32)
                  + " is marked redriven but was never received");
        }
      }
    }

    // The model: a follower map applied to what the server processed, in sequence order.
    Map<Integer, Set<Integer>> followers = new HashMap<>();
    Set<Long> expected = new HashSet<>();
    List<Long> broadcasts = new ArrayList<>();
    long crashLost = 0;
    for (long seq = 1; seq <= k; seq++) {
      Map.Entry<Long, Long> gap = gaps.floorEntry(seq);
      if (gap != null && seq <= gap.getValue()) {
        continue;
      }
      String text = eventText.get(seq);
      if (text == null) {
        violation("event " + seq + " was never sent, yet " + k + " was processed without a gap");
        continue;
      }
      String[] f = text.split("\\|");
      switch (f[1]) {
        case "F" -> {
          followers
              .computeIfAbsent(Integer.parseInt(f[3]), u -> new HashSet<>())
              .add(Integer.parseInt(f[2]));
          expected.add(key(seq, Integer.parseInt(f[3])));
        }
        case "U" ->
            followers
                .computeIfAbsent(Integer.parseInt(f[3]), u -> new HashSet<>())
                .remove(Integer.parseInt(f[2]));
        case "P" -> expected.add(key(seq, Integer.parseInt(f[3])));
        case "S" -> {
          for (int follower : followers.getOrDefault(Integer.parseInt(f[2]), Set.of())) {
            expected.add(key(seq, follower));
          }
        }
        case "B" -> broadcasts.add(seq);
        default -> violation("the script sent an unknown type: " + text);
      }
    }
    Set<Long> broadcastSet = new HashSet<>(broadcasts);
    for (Map.Entry<Long, Integer> entry : got.entrySet()) {
      long seq = entry.getKey() >>> 32;
      int user = (int) (long) entry.getKey();
      if (entry.getValue() == 2
          && script.redriveOnConnect()
          && (killed || script.diskFull())
          && "USER_NOT_CONNECTED and received".equals(how.get(entry.getKey()))) {
        // A joiner's letter redriven on connect whose mark the kill (or the full disk) kept
        // from landing: parked still, sent again later (at least once, within one batch).
        ownInFlight++;
      } else if (entry.getValue() > 1) {
        violation(
            "user "
                + user
                + " has event "
                + seq
                + " "
                + entry.getValue()
                + " times: "
                + how.get(entry.getKey()));
      }
      if (!expected.contains(entry.getKey()) && !broadcastSet.contains(seq)) {
        violation("user " + user + " got event " + seq + ", which does not concern them");
      }
    }
    for (long pair : expected) {
      if (!got.containsKey(pair)) {
        if (killed) {
          crashLost +=
              lostToTheKill(
                  firstSent.get(pair >>> 32),
                  1,
                  "user " + (int) pair + "'s notification of event " + (pair >>> 32));
        } else {
          violation(
              "user "
                  + (int) pair
                  + " neither received nor has a letter for event "
                  + (pair >>> 32)
                  + ": "
                  + eventText.get(pair >>> 32));
        }
      }
    }
    // A broadcast reaches whoever is connected: each one inside a session's span must be there.
    // The span runs from the first to the last notification queued for the session (received,
    // or dead-lettered as lost or too slow); users connected before the stream from its start.
    for (Map.Entry<Integer, long[]> span : present.entrySet()) {
      int user = span.getKey();
      boolean fromStart =
          script.stable().contains(user)
              || script.slow().contains(user)
              || script.leavers().contains(user)
              || script.returners().contains(user);
      long first = fromStart ? 0 : span.getValue()[0];
      long last = span.getValue()[1];
      for (long seq : broadcasts) {
        if (seq > first && seq < last && !got.containsKey(key(seq, user))) {
          if (killed) {
            crashLost +=
                lostToTheKill(firstSent.get(seq), 1, "user " + user + "'s broadcast " + seq);
          } else {
            violation("user " + user + " was connected but missed broadcast " + seq);
          }
        }
      }
    }
    // Lines the server could not use: one letter each, for every line before the read horizon.
    long refused = 0;
    for (Map.Entry<String, Integer> entry : refusedSent.entrySet()) {
      int lettered = refusedLettered.getOrDefault(entry.getKey(), 0);
      refused += lettered;
      if (lettered > entry.getValue()) {
        violation(lettered + " letters for " + entry.getValue() + " sent: " + entry.getKey());
      } else if (lettered < entry.getValue() && sendIndex.get(entry.getKey()) < horizon) {
        if (killed) {
          crashLost +=
              lostToTheKill(
                  firstRefused.get(entry.getKey()),
                  entry.getValue() - lettered,
                  "the letter for " + entry.getKey());
        } else {
          violation("a line read but never dead-lettered: " + entry.getKey());
        }
      }
    }
    long[] redrive =
        checkRedrive(redrivenLines, parkedBefore, parkedAfter, againForReturner, killed);
    if (ownInFlight > redriveSlice * Math.max(1, script.joiners().size())) {
      violation(
          ownInFlight
              + " joiners' letters in flight at the kill, more than the bound "
              + redriveSlice);
    }
    if (redrive[1] > redriveSlice * Math.max(1, script.returners().size())) {
      violation(
          redrive[1]
              + " redriven letters in flight at the kill, more than the bound "
              + redriveSlice);
    }
    if (violationCount > violations.size()) {
      violations.add(
          "cycle " + script.cycle() + ": and " + (violationCount - violations.size()) + " more");
    }
    return new Verdict(
        notifications,
        letters.size(),
        refused,
        crashLost,
        redrive[0] + ownRedriven,
        redrive[1] + ownInFlight,
        List.copyOf(violations));
  }

  /** Each returning user's parked letters: received once, still parked, or a letter again. */
  private long[] checkRedrive(
      Map<Integer, List<String>> redrivenLines,
      Map<Integer, List<StoredDeadLetter>> parkedBefore,
      Map<Integer, List<StoredDeadLetter>> parkedAfter,
      Map<Integer, List<DeadLetter>> again,
      boolean killed) {
    long redriven = 0;
    long inFlight = 0;
    for (int user : script.returners()) {
      Map<Long, String> before = new HashMap<>();
      for (StoredDeadLetter stored : parkedBefore.getOrDefault(user, List.of())) {
        before.put(stored.letter().sequence(), lineOf(stored.letter()));
      }
      Map<Long, Boolean> markedNow = new HashMap<>();
      for (StoredDeadLetter stored : parkedAfter.getOrDefault(user, List.of())) {
        markedNow.put(stored.letter().sequence(), stored.redrivenAtMillis() > 0);
      }
      Map<Long, Integer> gotAgain = new HashMap<>();
      for (DeadLetter letter : again.getOrDefault(user, List.of())) {
        gotAgain.merge(letter.sequence(), 1, Integer::sum);
      }
      Map<Long, Integer> gotLines = new HashMap<>();
      long last = 0;
      for (String line : redrivenLines.getOrDefault(user, List.of())) {
        long seq = sequenceOf(line);
        if (!line.equals(before.get(seq))) {
          violation("returning user " + user + " received a line not parked for them: " + line);
          continue;
        }
        if (seq <= last) {
          violation("returning user " + user + " received " + seq + " after " + last);
        }
        last = seq;
        gotLines.merge(seq, 1, Integer::sum);
      }
      for (long seq : before.keySet()) {
        int r = gotLines.getOrDefault(seq, 0);
        boolean present = markedNow.containsKey(seq);
        boolean marked = present && markedNow.get(seq);
        int n = r + (present && !marked ? 1 : 0) + gotAgain.getOrDefault(seq, 0);
        if (r > 0) {
          redriven++;
        }
        if ((killed || script.diskFull()) && r == 1 && n == 2 && present && !marked) {
          // Delivered, and the kill came before its mark landed, or the full disk refused the
          // mark and the stop came before a retry: parked still, so it is sent again after the
          // restart (at least once across a crash, within the redrive bound).
          inFlight++;
        } else if (n > 1) {
          violation(
              "returning user " + user + ": parked letter " + seq + " counted " + n + " times");
        } else if (n == 0 || (r == 1 && !marked)) {
          if (killed) {
            inFlight++;
          } else {
            violation(
                "returning user "
                    + user
                    + ": parked letter "
                    + seq
                    + (n == 0
                        ? " marked redriven but never received"
                        : " received but not marked redriven"));
          }
        }
      }
    }
    return new long[] {redriven, inFlight};
  }

  private static void presentAt(Map<Integer, long[]> present, int user, long seq) {
    long[] span = present.computeIfAbsent(user, u -> new long[] {seq, seq});
    span[0] = Math.min(span[0], seq);
    span[1] = Math.max(span[1], seq);
  }

  private static long sequenceOf(String line) {
    int bar = line.indexOf('|');
    try {
      return Long.parseLong(bar < 0 ? line : line.substring(0, bar));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** A letter's payload as the line it was, without the LF that ended it on the wire. */
  static String lineOf(DeadLetter letter) {
    String text = new String(letter.payload(), StandardCharsets.UTF_8);
    return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
  }
}
