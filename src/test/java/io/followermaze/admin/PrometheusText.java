package io.followermaze.admin;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4) for tests: every line
 * must be a HELP, a TYPE or a sample with a valid name, valid labels and a number, and each sample
 * must belong to a family declared by a TYPE line before it.
 */
final class PrometheusText {

  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern SAMPLE =
      Pattern.compile(
          "("
              + NAME.pattern()
              + ")(\\{((?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*)\\})? ([-+]?(?:[0-9.eE+-]+|Inf|NaN))( [0-9]+)?");
  private static final Pattern META =
      Pattern.compile("# (HELP|TYPE) (" + NAME.pattern() + ") (.*)");

  final Map<String, Double> samples = new HashMap<>();
  final Map<String, String> types = new HashMap<>();

  PrometheusText(String text) {
    Set<String> declared = new HashSet<>();
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      Matcher meta = META.matcher(line);
      if (meta.matches()) {
        if (meta.group(1).equals("TYPE")) {
          if (!Set.of("counter", "gauge", "histogram", "summary", "untyped")
              .contains(meta.group(3))) {
            throw new IllegalArgumentException("bad TYPE: " + line);
          }
          types.put(meta.group(2), meta.group(3));
          declared.add(meta.group(2));
        }
        continue;
      }
      if (line.startsWith("#")) {
        continue;
      }
      Matcher sample = SAMPLE.matcher(line);
      if (!sample.matches()) {
        throw new IllegalArgumentException("not a valid sample line: " + line);
      }
      String name = sample.group(1);
      String family =
          declared.stream()
              .filter(f -> name.equals(f) || name.startsWith(f + "_"))
              .findFirst()
              .orElseThrow(() -> new IllegalArgumentException("sample before its TYPE: " + line));
      if (types.get(family).equals("counter") && !name.endsWith("_total")) {
        throw new IllegalArgumentException("counter sample not named *_total: " + line);
      }
      String value = sample.group(4);
      samples.put(
          name + (sample.group(2) == null ? "" : sample.group(2)),
          value.equals("Inf") || value.equals("+Inf")
              ? Double.POSITIVE_INFINITY
              : value.equals("NaN") ? Double.NaN : Double.parseDouble(value));
    }
  }

  double value(String series) {
    Double value = samples.get(series);
    if (value == null) {
      throw new IllegalArgumentException("no series " + series + " among " + samples.keySet());
    }
    return value;
  }
}
