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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The catalog shipped inside the jar ({@code builtin-prices.json}, USD per 1M tokens), so pricing
 * works offline and without any configuration.
 */
public final class BuiltinPrices {
  static final String RESOURCE = "builtin-prices.json";
  static final String SOURCE = LabelValues.PRICE_BUILTIN;
  private static final Set<String> TIERS =
      Set.of(PriceScope.BATCH, PriceScope.FLEX, PriceScope.PRIORITY, PriceScope.LONG_CONTEXT);

  private BuiltinPrices() {}

  /**
   * Every built-in price, converted to USD per token. A broken resource is a build bug: fail
   * loudly.
   */
  public static List<TokenPrice> load() {
    try (InputStream in = BuiltinPrices.class.getResourceAsStream(RESOURCE)) {
      if (in == null) throw new IllegalStateException("missing resource " + RESOURCE);
      return parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read built-in price catalog " + RESOURCE, e);
    }
  }

  /**
   * Reads a catalog in the built-in format. Every row must name the page it was checked against
   * ({@code source_url}, http(s)) and the day ({@code checked}): an untraceable figure is refused.
   */
  static List<TokenPrice> parse(InputStream in) throws IOException {
    ObjectMapper mapper =
        JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    File file = mapper.readValue(in, File.class);
    return file.prices.stream().map(BuiltinPrices::toTokenPrice).toList();
  }

  // dates are parsed here rather than by Jackson: the project does not ship the jsr310 module.
  private static TokenPrice toTokenPrice(Entry e) {
    String row = e.provider + "/" + e.model + "@" + e.effectiveFrom;
    if (e.sourceUrl == null || !e.sourceUrl.matches("https?://\\S+"))
      throw new IllegalStateException(
          "built-in price " + row + ": source_url missing or not a URL");
    if (e.checked == null || e.checked.isBlank())
      throw new IllegalStateException("built-in price " + row + ": checked date missing");
    if (e.profile != null && !dev.aicost.config.BedrockScopes.isRowScope(e.profile))
      throw new IllegalStateException("built-in price " + row + ": unknown profile " + e.profile);
    Map<String, Rates> tiers = new LinkedHashMap<>();
    if (e.tiers != null)
      e.tiers.forEach(
          (name, r) -> {
            if (!TIERS.contains(name))
              throw new IllegalStateException("built-in price " + row + ": unknown tier " + name);
            tiers.put(name, toRates(r));
          });
    return new TokenPrice(
        perToken(e.input),
        perToken(e.cacheRead),
        perToken(e.cacheWrite),
        perToken(e.output),
        SOURCE,
        e.provider,
        e.model,
        LocalDate.parse(e.effectiveFrom),
        perToken(e.cacheWrite1h),
        tiers,
        e.region,
        e.profile,
        new Provenance(e.sourceUrl, LocalDate.parse(e.checked), e.note));
  }

  private static Rates toRates(TierEntry r) {
    return new Rates(
        perToken(r.input),
        perToken(r.cacheRead),
        perToken(r.cacheWrite),
        perToken(r.cacheWrite1h),
        perToken(r.output));
  }

  private static Double perToken(Double perMillion) {
    return PriceUnit.PER_1M.perToken(perMillion);
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
      @JsonProperty("cache_write_1h") Double cacheWrite1h,
      @JsonProperty("output") Double output,
      @JsonProperty("tiers") Map<String, TierEntry> tiers,
      @JsonProperty("region") String region,
      @JsonProperty("profile") String profile,
      @JsonProperty("source_url") String sourceUrl,
      @JsonProperty("checked") String checked,
      @JsonProperty("note") String note) {}

  private record TierEntry(
      @JsonProperty("input") Double input,
      @JsonProperty("cache_read") Double cacheRead,
      @JsonProperty("cache_write") Double cacheWrite,
      @JsonProperty("cache_write_1h") Double cacheWrite1h,
      @JsonProperty("output") Double output) {}
}
