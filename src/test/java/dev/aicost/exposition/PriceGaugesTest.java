package dev.aicost.exposition;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aicost.config.ModelPriceConfig;
import dev.aicost.config.PricingConfig;
import dev.aicost.metrics.Metrics;
import dev.aicost.pricing.LiteLlmPriceFile;
import dev.aicost.pricing.PriceCatalog;
import dev.aicost.store.CounterStore;
import dev.aicost.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/** aicost_price_usd_per_token: only used models, and the price in force as days pass (issue 10). */
class PriceGaugesTest {
  private static Map<String, Double> read(PriceGauges g) {
    Map<String, Double> out = new TreeMap<>();
    g.forEach(
        (labels, v) ->
            out.put(
                labels.get("provider") + "/" + labels.get("model") + "/" + labels.get("token_type"),
                v));
    return out;
  }

  @Test
  void onlyUsedModelsAndTheNewPriceOnceItsDayCame() {
    PriceCatalog catalog =
        PriceCatalog.load(
            new PricingConfig(
                "builtin",
                List.of(),
                List.of(
                    new ModelPriceConfig(
                        "openai",
                        "gpt-x",
                        0.8,
                        null,
                        null,
                        null,
                        "per_1m",
                        LocalDate.parse("2026-01-01")),
                    new ModelPriceConfig(
                        "openai",
                        "gpt-x",
                        0.4,
                        null,
                        null,
                        null,
                        "per_1m",
                        LocalDate.parse("2026-11-24"))),
                Map.of(),
                List.of(),
                null),
            new LiteLlmPriceFile(new OkHttpClient()));
    CounterStore counters = new CounterStore(1000);
    MutableClock clock = new MutableClock(Instant.parse("2026-11-23T23:59:00Z"));
    PriceGauges g = new PriceGauges(counters, () -> catalog, clock);
    assertEquals(Map.of(), read(g), "no list prices of models nobody called");

    counters.add(
        Metrics.TOKENS, List.of("openai", "chat", "", "gpt-x", "input", "", "", "", "", ""), 10);
    counters.add(
        Metrics.TOKENS,
        List.of("self_hosted", "vllm", "llama-prod", "llama", "input", "", "", "", "", ""),
        10);
    assertEquals(Map.of("openai/gpt-x/input", 8.0E-7), read(g));
    clock.advance(Duration.ofMinutes(2));
    assertEquals(
        Map.of("openai/gpt-x/input", 4.0E-7), read(g), "refreshed at the effective_from boundary");
  }

  @Test
  void labelledWithTheModelAsUsedSoItJoinsTheTokenSeries() {
    PriceCatalog catalog =
        PriceCatalog.load(
            new PricingConfig("builtin", List.of(), List.of(), Map.of(), List.of(), null),
            new LiteLlmPriceFile(new OkHttpClient()));
    CounterStore counters = new CounterStore(1000);
    PriceGauges g =
        new PriceGauges(
            counters, () -> catalog, new MutableClock(Instant.parse("2026-11-23T12:00:00Z")));
    counters.add(
        Metrics.TOKENS,
        List.of(
            "anthropic", "messages", "", "claude-3-5-sonnet-20241022", "input", "", "", "", "", ""),
        10);
    counters.add(
        Metrics.TOKENS,
        List.of(
            "anthropic", "messages", "", "claude-3-5-sonnet-latest", "input", "", "", "", "", ""),
        10);
    Map<String, Double> prices = read(g);
    assertEquals(3.0e-6, prices.get("anthropic/claude-3-5-sonnet-20241022/input"), 1e-15);
    assertEquals(3.0e-6, prices.get("anthropic/claude-3-5-sonnet-latest/input"), 1e-15);
    assertEquals(3.75e-6, prices.get("anthropic/claude-3-5-sonnet-20241022/cache_write"), 1e-15);
  }
}
