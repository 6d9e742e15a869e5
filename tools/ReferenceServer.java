import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A YARDSTICK, not the product: the naive Follower Maze server our benchmarks compare against
 * ({@code bin/bench-compare ref}). One thread reads the event source, orders events, keeps the
 * follow graph and writes notifications into each client's buffered stream, flushing every stream
 * it wrote to whenever the source has nothing more buffered. No dead letters (bad lines and
 * notifications for offline users are dropped and counted), no gap handling, no limits: the simplest
 * server that obeys docs/protocol.md on well-formed input, so a comparison measures what our design
 * costs or saves, not a strawman's bugs.
 *
 * <p>Run: {@code java tools/ReferenceServer.java [eventPort=9090] [clientPort=9099]} (JDK only,
 * loopback only). Each event-source connection starts a fresh run (numbering and follow graph).
 */
public final class ReferenceServer {

  private static final int MAX_LINE = 4096;

  private final Map<Integer, OutputStream> clients = new ConcurrentHashMap<>();
  private final Map<Integer, Set<Integer>> followers = new HashMap<>();
  private final Map<Long, Event> held = new HashMap<>();
  private final Set<OutputStream> written = new HashSet<>();
  private long next = 1;
  private long dropped;

  public static void main(String[] args) throws IOException {
    int eventPort = args.length > 0 ? Integer.parseInt(args[0]) : 9090;
    int clientPort = args.length > 1 ? Integer.parseInt(args[1]) : 9099;
    new ReferenceServer().serve(eventPort, clientPort);
  }

  private void serve(int eventPort, int clientPort) throws IOException {
    ServerSocket clientSocket = listen(clientPort, 4096);
    Thread acceptor = new Thread(() -> acceptClients(clientSocket), "clients");
    acceptor.setDaemon(true);
    acceptor.start();
    ServerSocket sourceSocket = listen(eventPort, 16);
    System.err.println("reference server: events on " + eventPort + ", clients on " + clientPort);
    while (true) {
      try (Socket source = sourceSocket.accept()) {
        next = 1;
        held.clear();
        followers.clear();
        dropped = 0;
        read(source.getInputStream());
      } catch (IOException e) {
        System.err.println("reference server: event source failed: " + e);
      }
      System.err.println(
          "reference server: source done; next " + next + ", held " + held.size() + ", dropped "
              + dropped);
    }
  }

  private static ServerSocket listen(int port, int backlog) throws IOException {
    ServerSocket socket = new ServerSocket();
    socket.setReuseAddress(true);
    socket.bind(new InetSocketAddress("127.0.0.1", port), backlog);
    return socket;
  }

  private void acceptClients(ServerSocket socket) {
    while (true) {
      Socket client;
      try {
        client = socket.accept();
      } catch (IOException e) {
        return;
      }
      Thread handshake = new Thread(() -> register(client), "handshake");
      handshake.setDaemon(true);
      handshake.start();
    }
  }

  /** Reads the user id line; the client then only receives. */
  private void register(Socket client) {
    try {
      client.setTcpNoDelay(true);
      InputStream in = client.getInputStream();
      StringBuilder id = new StringBuilder();
      for (int b = in.read(); b != -1 && b != '\n' && id.length() < 16; b = in.read()) {
        if (b != '\r') {
          id.append((char) b);
        }
      }
      int user = Integer.parseInt(id.toString().trim());
      clients.put(user, new BufferedOutputStream(client.getOutputStream(), 1 << 16));
    } catch (IOException | NumberFormatException e) {
      try {
        client.close();
      } catch (IOException ignored) {
        // Nothing to tell a client that sent no id.
      }
    }
  }

  /** Splits the stream into lines; flushes whenever no more input is waiting. */
  private void read(InputStream in) throws IOException {
    byte[] buffer = new byte[1 << 16];
    byte[] line = new byte[MAX_LINE];
    int length = 0;
    boolean tooLong = false;
    while (true) {
      if (in.available() == 0) {
        flush();
      }
      int n = in.read(buffer);
      if (n < 0) {
        flush();
        return;
      }
      for (int i = 0; i < n; i++) {
        byte b = buffer[i];
        if (b == '\n') {
          if (tooLong) {
            dropped++;
          } else {
            accept(line, length);
          }
          length = 0;
          tooLong = false;
        } else if (length < MAX_LINE) {
          line[length++] = b;
        } else {
          tooLong = true;
        }
      }
    }
  }

  /** An event as routed: its type, its users, and its line as sent (LF terminated). */
  private record Event(byte type, int from, int to, byte[] line) {}

  /** Holds a well-formed event until every smaller number has been processed. */
  private void accept(byte[] line, int length) {
    if (length > 0 && line[length - 1] == '\r') {
      length--;
    }
    long[] fields = new long[4];
    int count = 0;
    int start = 0;
    byte type = 0;
    for (int i = 0; i <= length && count < 4; i++) {
      if (i == length || line[i] == '|') {
        if (count == 1) {
          type = i - start == 1 ? line[start] : 0;
        } else {
          fields[count] = number(line, start, i);
          if (fields[count] < 0 || (count > 1 && fields[count] > Integer.MAX_VALUE)) {
            dropped++;
            return;
          }
        }
        count++;
        start = i + 1;
      }
    }
    int expected =
        switch (type) {
          case 'F', 'U', 'P' -> 4;
          case 'S' -> 3;
          case 'B' -> 2;
          default -> -1;
        };
    long sequence = fields[0];
    if (count != expected || start <= length || sequence < next || held.containsKey(sequence)) {
      dropped++;
      return;
    }
    byte[] bytes = java.util.Arrays.copyOf(line, length + 1);
    bytes[length] = '\n';
    held.put(sequence, new Event(type, (int) fields[2], (int) fields[3], bytes));
    for (Event event = held.remove(next); event != null; event = held.remove(next)) {
      route(event);
      next++;
    }
  }

  /** A non-negative decimal that fits an int id or a sequence number, or -1. */
  private static long number(byte[] line, int from, int to) {
    if (to <= from || to - from > 18) {
      return -1;
    }
    long value = 0;
    for (int i = from; i < to; i++) {
      int digit = line[i] - '0';
      if (digit < 0 || digit > 9) {
        return -1;
      }
      value = value * 10 + digit;
    }
    return value;
  }

  private void route(Event event) {
    switch (event.type()) {
      case 'F' -> {
        followers.computeIfAbsent(event.to(), u -> new HashSet<>()).add(event.from());
        send(event.to(), event.line());
      }
      case 'U' -> {
        Set<Integer> of = followers.get(event.to());
        if (of != null) {
          of.remove(event.from());
        }
      }
      case 'B' -> {
        for (int user : List.copyOf(clients.keySet())) {
          send(user, event.line());
        }
      }
      case 'P' -> send(event.to(), event.line());
      case 'S' -> {
        for (int follower : new ArrayList<>(followers.getOrDefault(event.from(), Set.of()))) {
          send(follower, event.line());
        }
      }
      default -> throw new IllegalStateException("not an event type: " + (char) event.type());
    }
  }

  private void send(int user, byte[] notification) {
    OutputStream out = clients.get(user);
    if (out == null) {
      dropped++;
      return;
    }
    try {
      out.write(notification);
      written.add(out);
    } catch (IOException e) {
      clients.remove(user, out);
      dropped++;
    }
  }

  private void flush() {
    for (OutputStream out : written) {
      try {
        out.flush();
      } catch (IOException e) {
        clients.values().remove(out);
      }
    }
    written.clear();
  }
}
