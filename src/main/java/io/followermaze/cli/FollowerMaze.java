package io.followermaze.cli;

import io.followermaze.delivery.SlowClientPolicy;
import java.util.Arrays;
import java.util.Locale;
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
    subcommands = {
      ServeCommand.class,
      BenchCommand.class,
      DlqCommand.class,
      SequencerCommand.class,
      GatewayCommand.class,
      CommandLine.HelpCommand.class
    })
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

  private static SlowClientPolicy slowClientPolicy(String value) {
    try {
      return SlowClientPolicy.valueOf(value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(
          "'"
              + value
              + "' is not one of "
              + Arrays.stream(SlowClientPolicy.values())
                  .map(p -> p.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                  .toList());
    }
  }

  /** The configured command line, also used by tests. */
  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new FollowerMaze());
    commandLine.registerConverter(java.time.Duration.class, new DurationConverter());
    commandLine.registerConverter(SlowClientPolicy.class, FollowerMaze::slowClientPolicy);
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    // Descriptions are written in lines of up to ~100 characters: wrap there, not at 80.
    commandLine.setUsageHelpWidth(110);
    return commandLine;
  }
}
