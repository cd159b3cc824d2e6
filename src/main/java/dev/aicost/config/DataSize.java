package dev.aicost.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A byte count written like {@code 16MiB}, {@code 512KB}, {@code 1048576}. */
public record DataSize(long bytes) {
  private static final Pattern FORM =
      Pattern.compile("(\\d+)\\s*([KMG]i?B|B)?", Pattern.CASE_INSENSITIVE);

  public static DataSize parse(String text) {
    Matcher m = FORM.matcher(text.trim());
    if (!m.matches()) throw new IllegalArgumentException("must be a size like 16MiB or 1048576");
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
    long mult =
        switch (unit) {
          case "B" -> 1L;
          case "KB" -> 1000L;
          case "KIB" -> 1024L;
          case "MB" -> 1000L * 1000;
          case "MIB" -> 1024L * 1024;
          case "GB" -> 1000L * 1000 * 1000;
          case "GIB" -> 1024L * 1024 * 1024;
          default -> throw new IllegalArgumentException("unknown unit " + unit);
        };
    return new DataSize(Math.multiplyExact(n, mult));
  }
}
