package dev.aicost.config;

import java.util.Map;

/** A monthly budget over the spend whose labels match {@code match} (all spend when empty). */
public record BudgetConfig(String name, Map<String, String> match, Double monthlyUsd) {
  public BudgetConfig {
    match = ConfigCopies.map(match);
  }
}
