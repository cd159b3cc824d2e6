package dev.aicost.pricing;

import java.util.List;

/**
 * Prices read from one file.
 *
 * @param location the path or URL as configured
 * @param malformed entries skipped because a field had the wrong shape (counted, not fatal)
 * @param withoutTokenPrice well-formed entries with no per-token price (images, audio seconds, ...)
 */
public record LoadedPrices(
    String location, List<TokenPrice> prices, int malformed, int withoutTokenPrice) {
  public LoadedPrices {
    prices = List.copyOf(prices);
  }
}
