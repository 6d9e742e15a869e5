package io.followermaze.chaos;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A data directory on its own small file system (a tmpfs, mounted when the campaign runs as root)
 * that can be filled to the last byte and freed again: "disk full" for a real server process. Where
 * no tmpfs can be mounted, {@link #available()} is false and the campaign runs without it.
 */
final class FullDisk implements AutoCloseable {

  private final Path mountPoint;
  private final boolean mounted;
  private final Path ballast;

  private FullDisk(Path mountPoint, boolean mounted) {
    this.mountPoint = mountPoint;
    this.mounted = mounted;
    this.ballast = mountPoint.resolve("ballast");
  }

  /** Mounts a tmpfs of {@code megabytes} at {@code mountPoint}, if this process may. */
  static FullDisk mount(Path mountPoint, int megabytes) throws IOException, InterruptedException {
    Files.createDirectories(mountPoint);
    boolean ok = false;
    if ("root".equals(System.getProperty("user.name"))) {
      Process mount =
          new ProcessBuilder(
                  "mount",
                  "-t",
                  "tmpfs",
                  "-o",
                  "size=" + megabytes + "m",
                  "tmpfs",
                  mountPoint.toString())
              .redirectErrorStream(true)
              .start();
      ok = mount.waitFor(10, TimeUnit.SECONDS) && mount.exitValue() == 0;
    }
    return new FullDisk(mountPoint, ok);
  }

  /** Whether the directory is on its own file system that {@link #fill} can fill. */
  boolean available() {
    return mounted;
  }

  /** The directory the server's data lives in. */
  Path dataDir() {
    return mountPoint.resolve("data");
  }

  /** Writes a ballast file until the file system is full; returns the bytes written. */
  long fill() throws IOException {
    long written = 0;
    byte[] chunk = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(ballast)) {
      while (true) {
        out.write(chunk);
        written += chunk.length;
      }
    } catch (IOException full) {
      return written;
    }
  }

  /** Deletes the ballast: room again. */
  void free() throws IOException {
    Files.deleteIfExists(ballast);
  }

  @Override
  public void close() throws IOException {
    free();
    if (mounted) {
      Process umount = new ProcessBuilder("umount", "-l", mountPoint.toString()).start();
      try {
        umount.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
