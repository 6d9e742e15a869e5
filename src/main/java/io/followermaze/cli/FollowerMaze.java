package io.followermaze.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code followermaze} command: dispatches to its subcommands; {@code serve} by default. */
@Command(
    name = "followermaze",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "Follower Maze: ordered notification fan-out with a dead letter queue.",
      "Without a subcommand, runs 'serve' with its defaults."
    },
    subcommands = {ServeCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class FollowerMaze implements Runnable {

  @Override
  public void run() {
    // No subcommand given: handled in main, which runs 'serve'.
  }

  /** Entry point: exits with the subcommand's code. */
  public static void main(String[] args) {
    String[] effective = args.length == 0 ? new String[] {"serve"} : args;
    System.exit(commandLine().execute(effective));
  }

  /** The configured command line, also used by tests. */
  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new FollowerMaze());
    commandLine.registerConverter(java.time.Duration.class, new DurationConverter());
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    return commandLine;
  }
}
