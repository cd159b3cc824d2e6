package dev.aicost.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks one managed-API section ({@code sources.anthropic}, {@code sources.openai}): exactly one
 * key source, an http(s) base URL without credentials, a bucket width the poller supports, and a
 * window that covers at least one poll.
 */
public final class ManagedApiValidation {
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private ManagedApiValidation() {}

  /** Problems, each starting with {@code path}; empty when {@code c} is null (section off). */
  public static List<String> validate(String path, ManagedApiSourceConfig c) {
    List<String> problems = new ArrayList<>();
    if (c == null) return problems;
    boolean env = c.adminKeyEnv() != null, file = c.adminKeyFile() != null;
    if (env == file)
      problems.add(
          path
              + ": needs exactly one of admin_key_env or admin_key_file (the admin key itself never goes in this file)");
    if (env && !ENV_NAME.matcher(c.adminKeyEnv()).matches())
      problems.add(path + ".admin_key_env: must be an environment variable name, not the key");
    if (file && c.adminKeyFile().isBlank())
      problems.add(path + ".admin_key_file: must not be empty");
    if (c.baseUrl() != null) {
      String why = badUrl(c.baseUrl());
      if (why != null) problems.add(path + ".base_url: " + why);
    }
    if (!Set.of("1m", "1h").contains(c.bucketWidth()))
      problems.add(path + ".bucket_width: must be 1m or 1h");
    atLeast(problems, path + ".interval", c.interval(), Duration.ofSeconds(1));
    atLeast(problems, path + ".timeout", c.timeout(), Duration.ofMillis(100));
    atLeast(problems, path + ".backfill", c.backfill(), Duration.ZERO);
    if (c.window().compareTo(c.interval()) < 0)
      problems.add(
          path
              + ".window: must be at least interval ("
              + Durations.format(c.interval())
              + "): buckets that grow after they leave the window are not counted");
    return problems;
  }

  private static String badUrl(String s) {
    try {
      URI u = new URI(s.trim());
      if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null)
        return "not an http(s) URL";
      if (u.getRawUserInfo() != null) return "must not hold a user name or password";
      return null;
    } catch (Exception e) {
      return "not an http(s) URL";
    }
  }

  private static void atLeast(List<String> problems, String path, Duration d, Duration min) {
    if (d.compareTo(min) < 0) problems.add(path + ": must be at least " + Durations.format(min));
  }
}
