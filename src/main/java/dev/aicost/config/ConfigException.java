package dev.aicost.config;

import java.util.List;

/**
 * A configuration the exporter refuses, with one path-qualified message per problem. Problems are
 * redacted here, once, so no caller can print a URL's password (check-config, start, reload, logs).
 */
public class ConfigException extends Exception {
  private final List<String> problems;

  public ConfigException(List<String> problems) {
    this(problems.stream().map(Secrets::redact).toList(), null);
  }

  private ConfigException(List<String> redacted, Void unused) {
    super(String.join("\n", redacted));
    this.problems = redacted;
  }

  public List<String> problems() {
    return problems;
  }
}
