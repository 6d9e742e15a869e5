package io.followermaze.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Finds the local process listening on a TCP port (Linux {@code /proc}) and reads its resident set
 * size. Everything here is best effort: elsewhere, or without permission, it finds nothing.
 */
public final class ServerMemory {

  private ServerMemory() {}

  /** The pid of the process that listens on {@code port}, if it can be found. */
  static OptionalLong pidListeningOn(int port) {
    try {
      String inode = listeningInode(port);
      if (inode == null) {
        return OptionalLong.empty();
      }
      String target = "socket:[" + inode + "]";
      try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
        for (Path proc : procs) {
          if (holds(proc.resolve("fd"), target)) {
            return OptionalLong.of(Long.parseLong(proc.getFileName().toString()));
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux, or not allowed to look: no figure.
    }
    return OptionalLong.empty();
  }

  /** The resident set size of {@code pid} in bytes, or -1. */
  public static long rssBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // The process is gone or unreadable.
    }
    return -1;
  }

  /** How many file descriptors {@code pid} has open, or -1. */
  public static long openFiles(long pid) {
    try (java.util.stream.Stream<Path> fds =
        Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      return fds.count();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static String listeningInode(int port) throws IOException {
    String hexPort = String.format(Locale.ROOT, ":%04X", port);
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path path = Path.of(table);
      if (!Files.exists(path)) {
        continue;
      }
      for (String line : Files.readAllLines(path)) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 9 && f[1].endsWith(hexPort) && f[3].equals("0A")) {
          return f[9];
        }
      }
    }
    return null;
  }

  private static boolean holds(Path fdDir, String target) {
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
      for (Path fd : fds) {
        try {
          if (Files.readSymbolicLink(fd).toString().equals(target)) {
            return true;
          }
        } catch (IOException ignored) {
          // The fd closed while we looked.
        }
      }
    } catch (IOException | RuntimeException ignored) {
      // Not ours to read.
    }
    return false;
  }
}
