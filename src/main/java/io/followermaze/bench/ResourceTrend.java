package io.followermaze.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The server's resident memory and open file descriptors, sampled through a run, and whether they
 * stayed flat: the second quarter of the samples (after warm-up) against the last quarter.
 */
public final class ResourceTrend {

  private record Sample(long rssBytes, long openFiles) {}

  private final List<Sample> samples = new ArrayList<>();

  synchronized void add(long rssBytes, long openFiles) {
    if (rssBytes > 0) {
      samples.add(new Sample(rssBytes, openFiles));
    }
  }

  /** The highest RSS sampled, or -1 when none was. */
  public synchronized long peakRssBytes() {
    return samples.stream().mapToLong(Sample::rssBytes).max().orElse(-1);
  }

  /** The highest RSS in the second quarter of the run (warmed up), or -1. */
  public synchronized long settledRssBytes() {
    return quarter(1).stream().mapToLong(Sample::rssBytes).max().orElse(-1);
  }

  /** The highest RSS in the last quarter of the run, or -1. */
  public synchronized long finalRssBytes() {
    return quarter(3).stream().mapToLong(Sample::rssBytes).max().orElse(-1);
  }

  /** The most open file descriptors in the second quarter, or -1. */
  public synchronized long settledOpenFiles() {
    return quarter(1).stream().mapToLong(Sample::openFiles).max().orElse(-1);
  }

  /** The most open file descriptors in the last quarter, or -1. */
  public synchronized long finalOpenFiles() {
    return quarter(3).stream().mapToLong(Sample::openFiles).max().orElse(-1);
  }

  /** How many samples were taken. */
  public synchronized int samples() {
    return samples.size();
  }

  private List<Sample> quarter(int index) {
    int size = samples.size();
    return new ArrayList<>(
        samples.subList(size * index / 4, Math.max(size * index / 4, size * (index + 1) / 4)));
  }
}
