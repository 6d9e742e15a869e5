package io.followermaze.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.agrona.collections.IntHashSet;
import org.agrona.collections.LongArrayList;

/**
 * Generates the event stream in sequence order and, as it goes, what each client must receive.
 *
 * <p>Two mixes ({@link BenchOptions.Graph}): the sparse one as in the original tester (about 55%
 * status updates, 15% each follows, unfollows of an existing follow and private messages, 0.01%
 * broadcasts), and a dense one where follows accumulate. The last event is always a broadcast, so
 * any stray line before it shows up as a difference. Routing is modelled from the specification,
 * independently of the server's code.
 */
final class Workload {

  private final SplittableRandom random;
  private final int users;
  private final int clients;
  private final ClientLedger[] ledgers;
  private final FollowerModel model;
  private final int lastPartial;
  private final LongArrayList[] partialExpected;
  private final List<ClientLedger> touched = new ArrayList<>();
  private long expectedNotifications;
  private long expectedOffline;

  private final Verdicts verdicts;
  private final boolean dense;
  private final long[] recentFollows = new long[1024];
  private int followsMade;

  Workload(BenchOptions options, ClientLedger[] ledgers, Verdicts verdicts) {
    this.verdicts = verdicts;
    this.dense = options.measure().graph() == BenchOptions.Graph.DENSE;
    this.random = new SplittableRandom(options.seed());
    this.users = options.users();
    this.clients = options.clients();
    this.ledgers = ledgers;
    this.lastPartial = clients + options.unreliable().total();
    this.model = new FollowerModel(users, clients, options.unreliable().total());
    this.partialExpected = new LongArrayList[lastPartial + 1];
    for (int user = clients + 1; user <= lastPartial; user++) {
      partialExpected[user] = new LongArrayList();
    }
  }

  /**
   * Writes event {@code sequence} into {@code out} at {@code offset} and records who must get it.
   * Returns the offset after the line.
   */
  int next(long sequence, boolean last, byte[] out, int offset) {
    int roll = random.nextInt(10_000);
    if (dense && !last) {
      return nextDense(roll, sequence, out, offset);
    }
    if (last || roll < 1) {
      return broadcast(sequence, out, offset);
    }
    int from = user();
    if (roll < 5_500) {
      return statusUpdate(from, sequence, out, offset);
    }
    if (roll < 7_000) {
      return follow(from, otherUser(from), sequence, out, offset);
    }
    if (roll < 8_500) {
      long edge = model.randomEdge(random);
      int follower = edge == -1 ? from : FollowerModel.from(edge);
      int followed = edge == -1 ? otherUser(from) : FollowerModel.to(edge);
      model.unfollow(follower, followed);
      return write(out, offset, sequence, 'U', follower, followed);
    }
    return privateMessage(from, sequence, out, offset);
  }

  /** The dense mix: see {@link BenchOptions.Graph#DENSE}. */
  private int nextDense(int roll, long sequence, byte[] out, int offset) {
    if (roll < 100) {
      return broadcast(sequence, out, offset);
    }
    int from = user();
    if (roll < 3_100) {
      int to = otherUser(from);
      recentFollows[followsMade++ & (recentFollows.length - 1)] = (long) from << 32 | to;
      return follow(from, to, sequence, out, offset);
    }
    if (roll < 4_100) {
      int follower = from;
      int followed = otherUser(from);
      if (followsMade > 0 && random.nextInt(10) < 9) {
        long edge = recentFollows[random.nextInt(Math.min(followsMade, recentFollows.length))];
        follower = FollowerModel.from(edge);
        followed = FollowerModel.to(edge);
      }
      model.unfollow(follower, followed);
      return write(out, offset, sequence, 'U', follower, followed);
    }
    if (roll < 7_100) {
      return statusUpdate(from, sequence, out, offset);
    }
    return privateMessage(from, sequence, out, offset);
  }

  private int broadcast(long sequence, byte[] out, int offset) {
    int end = write(out, offset, sequence, 'B', -1, -1);
    for (int client = 1; client <= clients; client++) {
      expect(client, sequence, out, offset, end);
    }
    return end;
  }

  private int statusUpdate(int from, long sequence, byte[] out, int offset) {
    int end = write(out, offset, sequence, 'S', from, -1);
    IntHashSet followers = model.connectedFollowers(from);
    IntHashSet partial = model.partialFollowers(from);
    int connected = followers == null ? 0 : followers.size();
    int partialCount = partial == null ? 0 : partial.size();
    expectedOffline += model.followerCount(from) - connected - partialCount;
    if (followers != null) {
      for (IntHashSet.IntIterator it = followers.iterator(); it.hasNext(); ) {
        expect(it.nextValue(), sequence, out, offset, end);
      }
    }
    if (partial != null) {
      for (IntHashSet.IntIterator it = partial.iterator(); it.hasNext(); ) {
        partialExpected[it.nextValue()].addLong(sequence);
      }
    }
    return end;
  }

  private int follow(int from, int to, long sequence, byte[] out, int offset) {
    model.follow(from, to);
    int end = write(out, offset, sequence, 'F', from, to);
    notifyOne(to, sequence, out, offset, end);
    return end;
  }

  private int privateMessage(int from, long sequence, byte[] out, int offset) {
    int to = otherUser(from);
    int end = write(out, offset, sequence, 'P', from, to);
    notifyOne(to, sequence, out, offset, end);
    return end;
  }

  /** Publishes the expectations recorded since the last call to the clients' verifiers. */
  void publish() {
    for (int i = 0, n = touched.size(); i < n; i++) {
      touched.get(i).publish();
    }
    touched.clear();
  }

  long expectedNotifications() {
    return expectedNotifications;
  }

  /**
   * The sequence numbers of the (non-broadcast) notifications meant for unreliable user {@code
   * user}, ascending. Read after the generator has finished.
   */
  LongArrayList partialExpected(int user) {
    return partialExpected[user];
  }

  /** Notifications for users who are not bench clients: what the server must dead-letter. */
  long expectedOffline() {
    return expectedOffline;
  }

  private void notifyOne(int user, long sequence, byte[] out, int from, int to) {
    if (user <= clients) {
      expect(user, sequence, out, from, to);
    } else if (user <= lastPartial) {
      partialExpected[user].addLong(sequence);
    } else {
      expectedOffline++;
    }
  }

  private void expect(int client, long sequence, byte[] line, int from, int to) {
    ClientLedger ledger = ledgers[client];
    ledger.expect(sequence, LineHash.of(line, from, to), verdicts);
    touched.add(ledger);
    expectedNotifications++;
  }

  private int user() {
    return 1 + random.nextInt(users);
  }

  private int otherUser(int user) {
    int other = 1 + random.nextInt(users - 1);
    return other >= user ? other + 1 : other;
  }

  private static int write(byte[] out, int offset, long sequence, char type, int from, int to) {
    int at = putDecimal(out, offset, sequence);
    out[at++] = '|';
    out[at++] = (byte) type;
    if (from >= 0) {
      out[at++] = '|';
      at = putDecimal(out, at, from);
    }
    if (to >= 0) {
      out[at++] = '|';
      at = putDecimal(out, at, to);
    }
    out[at++] = '\n';
    return at;
  }

  private static int putDecimal(byte[] out, int offset, long value) {
    int digits = 1;
    for (long rest = value / 10; rest > 0; rest /= 10) {
      digits++;
    }
    int at = offset + digits;
    for (int i = at - 1; i >= offset; i--) {
      out[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
    return at;
  }
}
