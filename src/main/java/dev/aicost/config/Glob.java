package dev.aicost.config;

import java.util.Arrays;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The configuration's one wildcard: {@code *} matches any run of characters, everything else is
 * literal. Callers say the case rule: attribution ids match as written, GPU names as NVML spells
 * them in any case.
 */
public final class Glob {
  private Glob() {}

  public static Pattern compile(String glob, boolean ignoreCase) {
    String regex =
        Arrays.stream(glob.split("\\*", -1)).map(Pattern::quote).collect(Collectors.joining(".*"));
    return ignoreCase
        ? Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE)
        : Pattern.compile(regex);
  }
}
