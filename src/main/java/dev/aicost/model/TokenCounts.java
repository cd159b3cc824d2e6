package dev.aicost.model;

/**
 * Tokens of one piece of usage, split into mutually exclusive types: {@code input} is uncached
 * prompt tokens, so input + cacheRead + cacheWrite is the whole prompt.
 */
public record TokenCounts(long input, long cacheRead, long cacheWrite, long output) {
  public static final TokenCounts ZERO = new TokenCounts(0, 0, 0, 0);

  public TokenCounts {
    if (input < 0 || cacheRead < 0 || cacheWrite < 0 || output < 0) {
      throw new IllegalArgumentException("token counts must not be negative");
    }
  }

  public long total() {
    return input + cacheRead + cacheWrite + output;
  }

  public long prompt() {
    return input + cacheRead + cacheWrite;
  }

  public TokenCounts plus(TokenCounts o) {
    return new TokenCounts(
        input + o.input, cacheRead + o.cacheRead, cacheWrite + o.cacheWrite, output + o.output);
  }

  public long get(TokenType t) {
    return switch (t) {
      case INPUT -> input;
      case CACHE_READ -> cacheRead;
      case CACHE_WRITE -> cacheWrite;
      case OUTPUT -> output;
    };
  }
}
