package dev.aicost.config;

import java.util.Map;

/**
 * {@code match:} source ids that must all equal (or glob-match) the record's; {@code set:} tags.
 */
public record RuleConfig(Map<String, String> match, Map<String, String> set) {
  public RuleConfig {
    match = ConfigCopies.map(match);
    set = ConfigCopies.map(set);
  }
}
