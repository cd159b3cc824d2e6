package dev.aicost.config;

import java.util.List;

/** A configuration the exporter refuses, with one path-qualified message per problem. */
public class ConfigException extends Exception {
  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(String.join("\n", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
