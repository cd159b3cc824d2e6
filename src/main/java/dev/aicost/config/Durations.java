package dev.aicost.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prometheus-style durations: {@code 500ms}, {@code 15s}, {@code 5m}, {@code 1h}, {@code 1d},
 * {@code 1h30m}.
 */
public final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");

  private Durations() {}

  public static Duration parse(String text) {
    String t = text.trim();
    if (t.isEmpty()) throw new IllegalArgumentException("must be a duration like 15s");
    Matcher m = PART.matcher(t);
    int pos = 0;
    Duration total = Duration.ZERO;
    while (m.find()) {
      if (m.start() != pos) break;
      long n = Long.parseLong(m.group(1));
      total =
          total.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
              });
      pos = m.end();
    }
    if (pos != t.length())
      throw new IllegalArgumentException("must be a duration like 15s, 5m or 1h30m");
    return total;
  }

  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0) return (ms / 3_600_000) + "h";
    if (ms % 60_000 == 0) return (ms / 60_000) + "m";
    if (ms % 1000 == 0) return (ms / 1000) + "s";
    return ms + "ms";
  }
}
