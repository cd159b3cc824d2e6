package dev.aicost.source.anthropic;

import dev.aicost.collect.SourceException;
import java.time.Duration;

/** HTTP 429: reason {@code rate_limited}, with how long the API asked us to wait (null: unsaid). */
final class RateLimitedException extends SourceException {
  private final Duration retryAfter;

  RateLimitedException(String message, Duration retryAfter) {
    super("rate_limited", message);
    this.retryAfter = retryAfter;
  }

  Duration retryAfter() {
    return retryAfter;
  }
}
