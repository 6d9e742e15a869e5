package io.followermaze.bench;

import java.time.Duration;

/**
 * What a bench run does.
 *
 * @param host the server's address
 * @param eventPort the server's event-source port
 * @param clientPort the server's user-client port
 * @param events how many events to send, warm-up broadcasts included
 * @param clients how many user clients to connect (users 1..clients)
 * @param users how many users the events mention (users 1..users)
 * @param maxBatch the largest batch the source shuffles before sending
 * @param seed the random seed; the same seed gives the same events
 * @param timeout how long the whole run may take
 * @param progressInterval how often to print a progress line (0: never)
 * @param unreliable users whose clients come and go, never read or read slowly
 * @param pace how fast and how long to send (unpaced, {@code events} long, by default)
 * @param gatewayPorts client ports of a cluster's gateways: user {@code u} connects to {@code
 *     gatewayPorts[u % size]}; empty: everyone connects to {@code clientPort}
 * @param measure what to measure of the server besides delivery
 */
public record BenchOptions(
    String host,
    int eventPort,
    int clientPort,
    long events,
    int clients,
    int users,
    int maxBatch,
    long seed,
    Duration timeout,
    Duration progressInterval,
    Unreliable unreliable,
    Pace pace,
    java.util.List<Integer> gatewayPorts,
    Measure measure) {

  /** Everyone on {@code clientPort}. */
  public BenchOptions(
      String host,
      int eventPort,
      int clientPort,
      long events,
      int clients,
      int users,
      int maxBatch,
      long seed,
      Duration timeout,
      Duration progressInterval,
      Unreliable unreliable,
      Pace pace) {
    this(
        host,
        eventPort,
        clientPort,
        events,
        clients,
        users,
        maxBatch,
        seed,
        timeout,
        progressInterval,
        unreliable,
        pace,
        java.util.List.of());
  }

  /** The sparse graph, the server found by its event port, no store measured. */
  public BenchOptions(
      String host,
      int eventPort,
      int clientPort,
      long events,
      int clients,
      int users,
      int maxBatch,
      long seed,
      Duration timeout,
      Duration progressInterval,
      Unreliable unreliable,
      Pace pace,
      java.util.List<Integer> gatewayPorts) {
    this(
        host,
        eventPort,
        clientPort,
        events,
        clients,
        users,
        maxBatch,
        seed,
        timeout,
        progressInterval,
        unreliable,
        pace,
        gatewayPorts,
        Measure.DEFAULT);
  }

  /** The shape of the follow graph the events build. */
  public enum Graph {
    /**
     * 55% status updates, 15% each follows, unfollows (of an existing follow) and private messages:
     * the graph stays small (a random walk), ~0.5 offline notifications per event.
     */
    SPARSE,
    /**
     * 30% follows of random pairs, 10% unfollows (mostly of a recent follow, sometimes of a random
     * pair), 30% status updates, 29% private messages, 1% broadcasts: follows accumulate (~200
     * followers per user after 1M events with 1,000 users), ~24 offline notifications per event.
     */
    DENSE
  }

  /**
   * What the bench measures of the server, besides what the clients receive.
   *
   * @param graph the workload's graph
   * @param serverPid the server's process (CPU and RSS from /proc); -1: the one listening on the
   *     event port
   * @param store a file (and its {@code -wal}) whose size per event to report, or null
   * @param settleMillis after delivery, how long at most to wait for the server to go idle before
   *     reading its CPU again (deferred work such as indexing dead letters counts); 0: do not
   */
  public record Measure(Graph graph, long serverPid, java.nio.file.Path store, long settleMillis) {
    /** The sparse graph, the server found by port, no store, settle for up to a minute. */
    public static final Measure DEFAULT = new Measure(Graph.SPARSE, -1, null, 60_000);
  }

  /** The client port user {@code user} connects to. */
  public int clientPortFor(int user) {
    return gatewayPorts.isEmpty() ? clientPort : gatewayPorts.get(user % gatewayPorts.size());
  }

  /**
   * Users after the reliable clients (ids {@code clients + 1} on) whose clients misbehave. Their
   * lines are not checked one by one: each line they get must be one meant for them, in order, and
   * every one meant for them that they did not get must be a dead letter on the server.
   *
   * @param churners users whose client connects, stays a random 5-100 ms, hangs up, and again
   * @param stuck users whose client connects and never reads
   * @param slow users whose client reads one byte a second
   */
  public record Unreliable(int churners, int stuck, int slow) {
    /** No unreliable users. */
    public static final Unreliable NONE = new Unreliable(0, 0, 0);

    /** How many users in all. */
    public int total() {
      return churners + stuck + slow;
    }
  }

  /**
   * Pacing for long runs.
   *
   * @param eventsPerSecond the most events per second to send (0: as fast as the server takes them)
   * @param duration send for this long instead of a fixed number of events (null: {@code events})
   */
  public record Pace(long eventsPerSecond, Duration duration) {
    /** As fast as possible, a fixed number of events. */
    public static final Pace UNPACED = new Pace(0, null);
  }

  /** Reliable clients only, unpaced. */
  public BenchOptions(
      String host,
      int eventPort,
      int clientPort,
      long events,
      int clients,
      int users,
      int maxBatch,
      long seed,
      Duration timeout,
      Duration progressInterval) {
    this(
        host,
        eventPort,
        clientPort,
        events,
        clients,
        users,
        maxBatch,
        seed,
        timeout,
        progressInterval,
        Unreliable.NONE,
        Pace.UNPACED);
  }

  /** Checks the options; throws naming the first bad one. */
  public BenchOptions validate() {
    if (events < 10) {
      throw new IllegalArgumentException("--events must be at least 10, was " + events);
    }
    if (clients < 1) {
      throw new IllegalArgumentException("--clients must be at least 1, was " + clients);
    }
    if (users < clients + unreliable.total() || users < 2) {
      throw new IllegalArgumentException(
          "--users must be at least 2 and --clients plus the churning, stuck and slow"
              + " clients ("
              + (clients + unreliable.total())
              + "), was "
              + users);
    }
    if (unreliable.churners() < 0 || unreliable.stuck() < 0 || unreliable.slow() < 0) {
      throw new IllegalArgumentException(
          "--churn-clients, --stuck-clients and --slow-clients must not be negative");
    }
    if (pace.eventsPerSecond() < 0) {
      throw new IllegalArgumentException(
          "--rate must not be negative, was " + pace.eventsPerSecond());
    }
    if (pace.duration() != null && (pace.duration().isNegative() || pace.duration().isZero())) {
      throw new IllegalArgumentException("--duration must be positive");
    }
    if (maxBatch < 1) {
      throw new IllegalArgumentException("--max-batch must be at least 1, was " + maxBatch);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("--timeout must be positive");
    }
    return this;
  }
}
