package dev.aicost.pricing;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.aicost.config.PriceUnit;
import dev.aicost.metrics.LabelValues;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.List;

/**
 * The catalog shipped inside the jar ({@code builtin-prices.json}, USD per 1M tokens), so pricing
 * works offline and without any configuration.
 */
public final class BuiltinPrices {
  static final String RESOURCE = "builtin-prices.json";
  static final String SOURCE = LabelValues.PRICE_BUILTIN;

  private BuiltinPrices() {}

  /**
   * Every built-in price, converted to USD per token. A broken resource is a build bug: fail
   * loudly.
   */
  public static List<TokenPrice> load() {
    ObjectMapper mapper =
        JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    try (InputStream in = BuiltinPrices.class.getResourceAsStream(RESOURCE)) {
      if (in == null) throw new IllegalStateException("missing resource " + RESOURCE);
      File file = mapper.readValue(in, File.class);
      return file.prices.stream().map(BuiltinPrices::toTokenPrice).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read built-in price catalog " + RESOURCE, e);
    }
  }

  // effective_from is parsed here rather than by Jackson: the project does not ship the jsr310
  // module.
  private static TokenPrice toTokenPrice(Entry e) {
    PriceUnit unit = PriceUnit.PER_1M;
    return new TokenPrice(
        unit.perToken(e.input),
        unit.perToken(e.cacheRead),
        unit.perToken(e.cacheWrite),
        unit.perToken(e.output),
        SOURCE,
        e.provider,
        e.model,
        LocalDate.parse(e.effectiveFrom));
  }

  private record File(
      @JsonProperty(value = "format", required = true) String format,
      @JsonProperty("unit") String unit,
      @JsonProperty("about") List<String> about,
      @JsonProperty(value = "prices", required = true) List<Entry> prices) {}

  private record Entry(
      @JsonProperty(value = "provider", required = true) String provider,
      @JsonProperty(value = "model", required = true) String model,
      @JsonProperty(value = "effective_from", required = true) String effectiveFrom,
      @JsonProperty("input") Double input,
      @JsonProperty("cache_read") Double cacheRead,
      @JsonProperty("cache_write") Double cacheWrite,
      @JsonProperty("output") Double output) {}
}
