package io.followermaze.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/**
 * {@code --ports-file}: once a node is ready (listening, and a SIGTERM would stop it gracefully),
 * it writes the ports it bound there, one {@code name=port} line each ({@code event}, {@code
 * client}, {@code admin}), so that scripts and tests that start it on port 0 read them instead of
 * its log. The file appears whole (written aside, then renamed) and is removed when the node stops.
 */
final class PortsFile {

  @Option(
      names = "--ports-file",
      defaultValue = "${env:FM_PORTS_FILE}",
      description =
          "Once ready, write the bound ports here as name=port lines (event, client, admin); removed at stop (env FM_PORTS_FILE).")
  Path file;

  /**
   * Writes {@code ports} (name to port, in order) if a file was asked for; returns what removes it
   * again.
   */
  AutoCloseable write(Map<String, Integer> ports) {
    if (file == null) {
      return () -> {};
    }
    String text =
        ports.entrySet().stream()
            .map(port -> port.getKey() + "=" + port.getValue() + "\n")
            .collect(Collectors.joining());
    Path aside = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.writeString(aside, text, StandardCharsets.US_ASCII);
      Files.move(aside, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write --ports-file " + file + ": " + e.getMessage(), e);
    }
    return () -> Files.deleteIfExists(file);
  }
}
