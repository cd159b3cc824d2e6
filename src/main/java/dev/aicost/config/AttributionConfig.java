package dev.aicost.config;

import java.util.List;

/** {@code attribution:} ordered rules from source ids to the tag set. */
public record AttributionConfig(List<RuleConfig> rules) {
  public AttributionConfig {
    rules = ConfigCopies.list(rules);
  }
}
