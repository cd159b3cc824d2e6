package dev.aicost.config;

import java.time.Duration;

/**
 * {@code state:} the embedded ledger (SQLite) and how long its time rows are kept ({@code
 * retention}, default 400 days: a year and a month, enough for year-over-year months).
 */
public record StateConfig(String path, Duration retention) {
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(400);

  public StateConfig {
    path = path != null ? path : "data/aicost.db";
    retention = retention != null ? retention : DEFAULT_RETENTION;
  }

  public StateConfig(String path) {
    this(path, null);
  }
}
