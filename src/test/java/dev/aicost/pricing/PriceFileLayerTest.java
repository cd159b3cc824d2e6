package dev.aicost.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.config.PricingConfig;
import dev.aicost.model.TokenType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How an undated LiteLLM file layers over the dated built-in catalog, and its key paths. */
class PriceFileLayerTest {
  private static final double M = 1_000_000d;
  private static final Instant LOADED = Instant.parse("2026-11-20T09:15:00Z");
  private static final LiteLlmPriceFile FILES = new LiteLlmPriceFile(new OkHttpClient());

  @TempDir Path dir;

  private PriceCatalog withFile(String json) throws IOException {
    Path file = dir.resolve("prices.json");
    Files.writeString(file, json);
    return PriceCatalog.load(
        new PricingConfig(null, List.of(file.toString()), null, null, null, null), FILES, LOADED);
  }

  private static final String FILE =
      """
      {
        "sample_spec": {"litellm_provider": "one of ...", "input_cost_per_token": 0.0},
        "o3": {"litellm_provider": "openai", "mode": "chat",
               "input_cost_per_token": 2e-06, "output_cost_per_token": 8e-06,
               "input_cost_per_token_batches": 8e-07},
        "gemini/gemini-2.5-pro": {"litellm_provider": "gemini", "mode": "chat",
               "input_cost_per_token": 1.25e-06, "output_cost_per_token": 1e-05,
               "input_cost_per_token_above_200k_tokens": 2.5e-06},
        "bedrock/us-east-1/anthropic.claude-x-v1:0": {"litellm_provider": "bedrock",
               "mode": "chat", "input_cost_per_token": 4e-06, "output_cost_per_token": 2e-05},
        "bedrock/anthropic.claude-x-v1:0": {"litellm_provider": "bedrock", "mode": "chat",
               "input_cost_per_token": 9e-06, "output_cost_per_token": 9e-05},
        "anthropic.claude-x-v1:0": {"litellm_provider": "bedrock", "mode": "chat",
               "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05}
      }
      """;

  @Test
  void undatedFileTakesOverFromItsLoadInstantKeepingOlderDatedPrices() throws IOException {
    PriceCatalog c = withFile(FILE);
    TokenPrice may2025 = c.priceFor("openai", "o3", Instant.parse("2025-05-01T00:00:00Z")).get();
    assertEquals("builtin", may2025.source());
    assertEquals(10.0, may2025.input() * M, 1e-9);
    assertEquals(40.0, may2025.output() * M, 1e-9);
    assertEquals("builtin", c.priceFor("openai", "o3", LOADED.minusSeconds(1)).get().source());
    assertEquals("file", c.priceFor("openai", "o3", LOADED).get().source());
    // an interval across the load instant is cut there, so each part gets its own price
    assertEquals(
        List.of(LOADED),
        c.changesBetween("openai", "o3", LOADED.minusSeconds(60), LOADED.plusSeconds(60)));
  }

  @Test
  void modelOnlyTheFilePricesIsPricedForAllTime() throws IOException {
    PriceCatalog c = withFile(FILE);
    TokenPrice gemini =
        c.priceFor("gemini", "gemini-2.5-pro", Instant.parse("2025-07-01T00:00:00Z")).orElseThrow();
    assertEquals(1.25, gemini.input() * M, 1e-9);
    assertEquals(
        2.5,
        gemini.forType(TokenType.INPUT, PriceScope.of(Map.of("context_window", "200k-1M"))) * M,
        1e-9);
  }

  @Test
  void fileTiersArePricedByTheirOwnFields() throws IOException {
    TokenPrice o3 = withFile(FILE).priceFor("openai", "o3", LOADED).orElseThrow();
    PriceScope batch = PriceScope.of(Map.of("batch", "true"));
    assertEquals(0.8, o3.forType(TokenType.INPUT, batch) * M, 1e-9);
    // a batch field the file leaves out falls back to OpenAI's 50 % rule
    assertEquals(4.0, o3.forType(TokenType.OUTPUT, batch) * M, 1e-9);
  }

  @Test
  void bedrockPathsResolveAndARegionPathBecomesARegionRow() throws IOException {
    PriceCatalog c = withFile(FILE);
    String id = "us.anthropic.claude-x-v1:0";
    PriceScope virginia = PriceScope.of(Map.of("region", "us-east-1"));
    PriceScope ireland = PriceScope.of(Map.of("region", "eu-west-1"));
    assertEquals(4.0, c.priceFor("aws", id, LOADED, virginia).orElseThrow().input() * M, 1e-9);
    // the unprefixed key wins over "bedrock/<model>" for the any-region row
    assertEquals(3.0, c.priceFor("aws", id, LOADED, ireland).orElseThrow().input() * M, 1e-9);
    assertTrue(c.priceFor("aws", "anthropic.claude-x-v1:0", LOADED).isPresent());
  }
}
