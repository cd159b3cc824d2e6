package dev.aicost.config;

import java.util.Map;

/** {@code match:} source ids that must all equal (or glob-match) the record's; {@code set:} tags. */
public record RuleConfig(Map<String, String> match, Map<String, String> set) {
  public RuleConfig {
    match = match != null ? Map.copyOf(match) : Map.of();
    set = set != null ? Map.copyOf(set) : Map.of();
  }
}
