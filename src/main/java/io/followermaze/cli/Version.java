package io.followermaze.cli;

import picocli.CommandLine.IVersionProvider;

/** Reads the version from the jar manifest ("dev" when run from classes). */
final class Version implements IVersionProvider {

  @Override
  public String[] getVersion() {
    String version = FollowerMaze.class.getPackage().getImplementationVersion();
    return new String[] {"followermaze " + (version == null ? "dev" : version)};
  }
}
