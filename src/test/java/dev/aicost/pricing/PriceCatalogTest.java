package dev.aicost.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.config.ModelPriceConfig;
import dev.aicost.config.PricingConfig;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

class PriceCatalogTest {
  private static final double M = 1_000_000d;
  private static final Instant NOW = Instant.parse("2026-01-15T12:00:00Z");
  private static final Instant LOADED = Instant.parse("2026-01-10T08:30:00Z");
  private static final LiteLlmPriceFile FILES = new LiteLlmPriceFile(new OkHttpClient());

  private static PriceCatalog builtin(Map<String, String> aliases) {
    return new PriceCatalog(List.of(BuiltinPrices.load()), aliases);
  }

  private static String resolved(PriceCatalog c, String provider, String model) {
    return c.priceFor(provider, model, NOW).map(TokenPrice::model).orElse(null);
  }

  private static ModelPriceConfig inline(
      String provider, String model, Double input, Double output, String unit, LocalDate from) {
    return new ModelPriceConfig(provider, model, input, output, null, null, unit, from);
  }

  static String fixture() {
    try {
      return Path.of(PriceCatalogTest.class.getResource("litellm-prices.json").toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void priceChangeMidMonthAppliesFromItsDay() {
    PricingConfig cfg =
        new PricingConfig(
            null,
            null,
            List.of(inline("openai", "gpt-4o", 2.00, 8.00, null, LocalDate.parse("2026-03-15"))),
            null,
            null,
            null);
    PriceCatalog c = PriceCatalog.load(cfg, FILES);

    TokenPrice before =
        c.priceFor("openai", "gpt-4o", Instant.parse("2026-03-14T23:59:59Z")).orElseThrow();
    TokenPrice after =
        c.priceFor("openai", "gpt-4o", Instant.parse("2026-03-15T00:00:00Z")).orElseThrow();
    assertEquals(2.50, before.input() * M, 1e-9);
    assertEquals("builtin", before.source());
    assertEquals(2.00, after.input() * M, 1e-9);
    assertEquals("config", after.source());
    assertEquals(LocalDate.parse("2026-03-15"), after.effectiveFrom());
  }

  @Test
  void builtinHistoryPricesOldUsageAtOldPrice() {
    PriceCatalog c = builtin(Map.of());
    assertEquals(
        5.00,
        c.priceFor("openai", "gpt-4o", Instant.parse("2024-09-01T00:00:00Z")).orElseThrow().input()
            * M,
        1e-9);
    assertEquals(
        10.00,
        c.priceFor("openai", "o3", Instant.parse("2025-05-01T00:00:00Z")).orElseThrow().input() * M,
        1e-9);
    assertEquals(
        2.00,
        c.priceFor("openai", "o3", Instant.parse("2025-06-10T00:00:00Z")).orElseThrow().input() * M,
        1e-9);
  }

  @Test
  void usageBeforeTheFirstPriceIsUnpriced() {
    PriceCatalog c = builtin(Map.of());
    assertEquals(
        Optional.empty(), c.priceFor("openai", "gpt-5", Instant.parse("2025-08-06T23:59:59Z")));
    assertTrue(c.priceFor("openai", "gpt-5", Instant.parse("2025-08-07T00:00:00Z")).isPresent());
  }

  @Test
  void unknownModelIsUnpricedNotFree() {
    PriceCatalog c = builtin(Map.of());
    assertEquals(Optional.empty(), c.priceFor("openai", "my-finetune-xyz", NOW));
    assertEquals(Optional.empty(), c.priceFor("vllm", "gpt-4o", NOW));
    assertEquals(Optional.empty(), c.priceFor("openai", "", NOW));
  }

  @Test
  void unknownTypeStaysNull() {
    TokenPrice p = builtin(Map.of()).priceFor("openai", "gpt-4o", NOW).orElseThrow();
    assertNull(p.forType(dev.aicost.model.TokenType.CACHE_WRITE));
    assertEquals(p.cacheRead(), p.forType(dev.aicost.model.TokenType.CACHE_READ));
  }

  @Test
  void normalisesOpenAiDateSuffixesAndCase() {
    PriceCatalog c = builtin(Map.of());
    // a dated snapshot with its own row is never collapsed onto the alias ...
    assertEquals("gpt-4o-2024-08-06", resolved(c, "openai", "gpt-4o-2024-08-06"));
    // ... a snapshot without a row falls back to its base name
    assertEquals("gpt-4o", resolved(c, "openai", "gpt-4o-2025-01-01"));
    assertEquals("gpt-4o", resolved(c, "openai", "GPT-4o"));
    assertEquals("gpt-4o-mini", resolved(c, "openai", "gpt-4o-mini-2024-07-18"));
    assertEquals("gpt-4.1", resolved(c, "openai", "gpt-4.1-2025-04-14"));
    assertEquals("gpt-4o", resolved(c, "openai", "openai/gpt-4o"));
    // a dated snapshot with its own price is matched exactly, never collapsed onto the family
    assertEquals("gpt-4o-2024-05-13", resolved(c, "openai", "gpt-4o-2024-05-13"));
  }

  @Test
  void normalisesAnthropicIds() {
    PriceCatalog c = builtin(Map.of());
    assertEquals("claude-3-5-sonnet", resolved(c, "anthropic", "claude-3-5-sonnet-20241022"));
    assertEquals("claude-3-5-sonnet", resolved(c, "anthropic", "claude-3-5-sonnet-latest"));
    assertEquals("claude-sonnet-4-5", resolved(c, "anthropic", "claude-sonnet-4-5-20250929"));
    assertEquals(
        "claude-3-5-sonnet", resolved(c, "anthropic", "anthropic.claude-3-5-sonnet-20241022-v2:0"));
  }

  @Test
  void normalisesBedrockIdsUnderAws() {
    PriceCatalog c = builtin(Map.of());
    assertEquals(
        "anthropic.claude-3-5-sonnet-20241022-v2:0",
        resolved(c, "aws", "anthropic.claude-3-5-sonnet-20241022-v2:0"));
    assertEquals(
        "anthropic.claude-3-5-sonnet",
        resolved(c, "aws", "anthropic.claude-3-5-sonnet-20240620-v1:0"));
    assertEquals(
        "anthropic.claude-3-7-sonnet",
        resolved(c, "aws", "us.anthropic.claude-3-7-sonnet-20250219-v1:0"));
    assertEquals(
        "anthropic.claude-sonnet-4-5",
        resolved(c, "aws", "global.anthropic.claude-sonnet-4-5-20250929-v1:0"));
    assertEquals(
        "anthropic.claude-haiku-4-5",
        resolved(c, "aws", "eu.anthropic.claude-haiku-4-5-20251001-v1:0"));
    assertEquals(
        "anthropic.claude-3-haiku",
        resolved(c, "aws", "apac.anthropic.claude-3-haiku-20240307-v1:0"));
    assertEquals("amazon.nova-pro", resolved(c, "aws", "us.amazon.nova-pro-v1:0"));
    assertEquals("amazon.nova-micro", resolved(c, "aws", "amazon.nova-micro-v1"));
    assertEquals(
        "meta.llama3-1-70b-instruct", resolved(c, "aws", "meta.llama3-1-70b-instruct-v1:0"));
    assertEquals(
        "anthropic.claude-opus-4-1",
        resolved(c, "aws", "anthropic.claude-opus-4-1-20250805-v1:0:200k"));
    assertEquals(
        "amazon.titan-embed-text-v2:0", resolved(c, "aws", "amazon.titan-embed-text-v2:0"));
    // Bedrock-priced ids do not leak into the Anthropic API catalog's provider, or back
    assertNull(resolved(c, "aws", "claude-3-5-sonnet-20241022"));
  }

  @Test
  void aliasesMapCustomNamesAndAreThemselvesNormalised() {
    PriceCatalog c =
        builtin(Map.of("prod-chat", "gpt-4o-mini", "Team-Sonnet", "claude-sonnet-4-5-20250929"));
    assertEquals("gpt-4o-mini", resolved(c, "openai", "prod-chat"));
    assertEquals("gpt-4o-mini", resolved(c, "openai", "prod-chat-2025-01-01"));
    assertEquals("claude-sonnet-4-5", resolved(c, "anthropic", "team-sonnet"));
    assertNull(
        resolved(c, "openai", "team-sonnet"),
        "alias target must exist under the provider asked for");
  }

  @Test
  void exactIdWinsOverAlias() {
    PriceCatalog c = builtin(Map.of("gpt-4o", "gpt-4o-mini"));
    assertEquals("gpt-4o", resolved(c, "openai", "gpt-4o"));
    assertEquals("gpt-4o-mini", resolved(c, "openai", "GPT-4O"));
  }

  @Test
  void repeatedLookupsGiveTheSameAnswer() {
    PriceCatalog c = builtin(Map.of());
    for (int i = 0; i < 3; i++) {
      assertEquals(
          "anthropic.claude-3-7-sonnet",
          resolved(c, "aws", "us.anthropic.claude-3-7-sonnet-20250219-v1:0"));
      assertNull(resolved(c, "openai", "nope"));
    }
  }

  @Test
  void precedenceIsBuiltinThenFileThenConfig() {
    PricingConfig cfg =
        new PricingConfig(
            null,
            List.of(fixture()),
            List.of(inline("openai", "text-embedding-3-small", 0.01, null, "per_1m", null)),
            null,
            null,
            null);
    PriceCatalog c = PriceCatalog.load(cfg, FILES, LOADED);

    TokenPrice gpt4o = c.priceFor("openai", "gpt-4o", NOW).orElseThrow();
    assertEquals("file", gpt4o.source());
    assertEquals(2.00, gpt4o.input() * M, 1e-9);
    // the undated file price applies from the moment it was loaded; older usage keeps the
    // built-in dated history
    TokenPrice old =
        c.priceFor("openai", "gpt-4o", Instant.parse("2024-06-01T00:00:00Z")).orElseThrow();
    assertEquals("builtin", old.source());
    assertEquals(5.00, old.input() * M, 1e-9);

    TokenPrice embed = c.priceFor("openai", "text-embedding-3-small", NOW).orElseThrow();
    assertEquals("config", embed.source());
    assertEquals(0.01, embed.input() * M, 1e-9);

    TokenPrice mini = c.priceFor("openai", "gpt-4o-mini", NOW).orElseThrow();
    assertEquals("builtin", mini.source());

    // file keys match exactly before normalisation, so the dated Bedrock profile keeps its own
    // price
    TokenPrice profile =
        c.priceFor("aws", "us.anthropic.claude-3-7-sonnet-20250219-v1:0", NOW).orElseThrow();
    assertEquals("file", profile.source());
    assertEquals(3.30, profile.input() * M, 1e-9);
    assertEquals(
        "builtin",
        c.priceFor("aws", "eu.anthropic.claude-3-7-sonnet-20250219-v1:0", NOW)
            .orElseThrow()
            .source());
  }

  @Test
  void inlineUnitsConvertToPerToken() {
    PricingConfig cfg =
        new PricingConfig(
            "none",
            null,
            List.of(
                inline("acme", "m1", 2.0, null, "per_1m", null),
                inline("acme", "m2", 0.002, null, "per_1k", null),
                inline("acme", "m3", 0.000002, null, "per_token", null)),
            null,
            null,
            null);
    PriceCatalog c = PriceCatalog.load(cfg, FILES);
    for (String m : List.of("m1", "m2", "m3")) {
      assertEquals(2e-6, c.priceFor("acme", m, NOW).orElseThrow().input(), 1e-18, m);
    }
    assertEquals(3, c.size());
  }

  @Test
  void catalogNoneLeavesOnlyConfiguredPrices() {
    PriceCatalog c =
        PriceCatalog.load(new PricingConfig("none", null, null, null, null, null), FILES);
    assertEquals(0, c.size());
    assertEquals(Optional.empty(), c.priceFor("openai", "gpt-4o", NOW));
  }

  @Test
  void unreadableFileIsReportedAndTheRestStillPrices() {
    PricingConfig cfg =
        new PricingConfig(null, List.of("/nonexistent/prices.json"), null, null, null, null);
    PriceCatalog c = PriceCatalog.load(cfg, FILES);
    assertEquals(List.of("price file /nonexistent/prices.json: no such file"), c.problems());
    assertTrue(c.priceFor("openai", "gpt-4o", NOW).isPresent());
  }
}
