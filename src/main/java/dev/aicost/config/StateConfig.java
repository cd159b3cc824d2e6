package dev.aicost.config;

/** {@code state:} the embedded ledger (SQLite). */
public record StateConfig(String path) {
  public StateConfig {
    path = path != null ? path : "data/aicost.db";
  }
}
