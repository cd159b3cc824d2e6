package dev.aicost.pricing;

import dev.aicost.model.TokenType;

/**
 * USD per token of each token type under one tier of a model (standard, batch, flex, priority, long
 * context). A null is unknown, never free.
 *
 * @param cacheWrite five-minute cache writes (Anthropic), the only kind elsewhere
 * @param cacheWrite1h one-hour cache writes (Anthropic)
 */
public record Rates(
    Double input, Double cacheRead, Double cacheWrite, Double cacheWrite1h, Double output) {

  /** The rate of type {@code t}; {@code oneHourWrite} selects the one-hour cache-write rate. */
  public Double forType(TokenType t, boolean oneHourWrite) {
    return switch (t) {
      case INPUT -> input;
      case CACHE_READ -> cacheRead;
      case CACHE_WRITE -> oneHourWrite ? cacheWrite1h : cacheWrite;
      case OUTPUT -> output;
    };
  }

  /** Every rate times {@code factor} (a published flat discount such as batch = 50 %). */
  Rates scaled(double factor) {
    return new Rates(
        times(input, factor),
        times(cacheRead, factor),
        times(cacheWrite, factor),
        times(cacheWrite1h, factor),
        times(output, factor));
  }

  /** These rates with the one-hour write filled in from {@code factor} x input when unknown. */
  Rates withOneHourWriteFrom(Double factor) {
    if (cacheWrite1h != null || factor == null || input == null) return this;
    return new Rates(input, cacheRead, cacheWrite, input * factor, output);
  }

  /** These rates, with each unknown one taken from {@code other} (when not null). */
  Rates orElse(Rates other) {
    if (other == null) return this;
    return new Rates(
        input != null ? input : other.input,
        cacheRead != null ? cacheRead : other.cacheRead,
        cacheWrite != null ? cacheWrite : other.cacheWrite,
        cacheWrite1h != null ? cacheWrite1h : other.cacheWrite1h,
        output != null ? output : other.output);
  }

  boolean hasAnyRate() {
    return input != null
        || cacheRead != null
        || cacheWrite != null
        || cacheWrite1h != null
        || output != null;
  }

  private static Double times(Double v, double f) {
    return v == null ? null : v * f;
  }
}
