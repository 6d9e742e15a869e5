package io.followermaze.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads sizes written as {@code 65536}, {@code 512KiB}, {@code 16MiB} or {@code 1GiB} (bytes). */
final class ByteSizeConverter implements ITypeConverter<Long> {

  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(|b|kib|k|mib|m|gib|g)");

  @Override
  public Long convert(String value) {
    Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new TypeConversionException(
          "'" + value + "' is not a size (examples: 65536, 512KiB, 16MiB, 1GiB)");
    }
    long amount = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "kib", "k" -> amount << 10;
      case "mib", "m" -> amount << 20;
      case "gib", "g" -> amount << 30;
      default -> amount;
    };
  }
}
