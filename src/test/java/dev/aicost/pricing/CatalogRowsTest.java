package dev.aicost.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The built-in rows issue 13 asks for, each traceable to the page it was checked against. */
class CatalogRowsTest {
  private static final double M = 1_000_000d;
  private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

  /** The days the catalog was checked (rows added or re-read on the second). */
  private static final java.util.Set<LocalDate> CHECKED =
      java.util.Set.of(LocalDate.parse("2026-12-02"), LocalDate.parse("2026-12-03"));

  private final PriceCatalog catalog = new PriceCatalog(List.of(BuiltinPrices.load()), Map.of());

  private TokenPrice price(String provider, String model, Instant at) {
    return catalog
        .priceFor(provider, model, at)
        .orElseThrow(() -> new AssertionError("no price for " + provider + "/" + model));
  }

  private TokenPrice price(String provider, String model) {
    return price(provider, model, NOW);
  }

  private static void assertPerMillion(double expected, Double perToken, String what) {
    assertNotNull(perToken, what);
    assertEquals(expected, perToken * M, 1e-9, what);
  }

  @Test
  void everyRowNamesItsSourcePageAndTheDayItWasChecked() {
    for (TokenPrice p : BuiltinPrices.load()) {
      Provenance src = p.provenance();
      assertNotNull(src, p.provider() + "/" + p.model());
      assertTrue(src.sourceUrl().startsWith("https://"), src.sourceUrl());
      assertTrue(
          CHECKED.contains(src.checked()),
          p.model() + " checked " + src.checked() + " not in " + CHECKED);
    }
  }

  @Test
  void aRowWithoutSourceOrCheckedDayIsRefused() {
    String noSource =
        """
        {"format": "aicost-prices/1", "prices": [
          {"provider": "openai", "model": "m", "effective_from": "2025-01-01", "input": 1.0,
           "checked": "2026-12-02"}]}
        """;
    String noDay =
        """
        {"format": "aicost-prices/1", "prices": [
          {"provider": "openai", "model": "m", "effective_from": "2025-01-01", "input": 1.0,
           "source_url": "https://example.com/pricing"}]}
        """;
    String unknownTier =
        """
        {"format": "aicost-prices/1", "prices": [
          {"provider": "openai", "model": "m", "effective_from": "2025-01-01", "input": 1.0,
           "source_url": "https://example.com/pricing", "checked": "2026-12-02",
           "tiers": {"turbo": {"input": 2.0}}}]}
        """;
    for (String json : List.of(noSource, noDay, unknownTier)) {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () ->
                  BuiltinPrices.parse(
                      new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8))));
      assertTrue(e.getMessage().contains("openai/m@2025-01-01"), e.getMessage());
    }
  }

  @Test
  void datedSnapshotHasItsOwnPriceNotTheAliasTimeline() {
    Instant sept2024 = Instant.parse("2024-09-01T12:00:00Z");
    TokenPrice snapshot = price("openai", "gpt-4o-2024-08-06", sept2024);
    assertEquals("gpt-4o-2024-08-06", snapshot.model());
    assertPerMillion(2.5, snapshot.input(), "input");
    assertPerMillion(10.0, snapshot.output(), "output");
    // the alias itself still pointed at 2024-05-13 then
    assertPerMillion(5.0, price("openai", "gpt-4o", sept2024).input(), "alias input");
  }

  @Test
  void openAiModelsOrgsUseToday() {
    Map<String, double[]> inOut =
        Map.ofEntries(
            Map.entry("gpt-5.1", new double[] {1.25, 10}),
            Map.entry("gpt-5-pro", new double[] {15, 120}),
            Map.entry("gpt-5-codex", new double[] {1.25, 10}),
            Map.entry("gpt-5-chat-latest", new double[] {1.25, 10}),
            Map.entry("o3-pro", new double[] {20, 80}),
            Map.entry("o1", new double[] {15, 60}),
            Map.entry("o1-mini", new double[] {1.1, 4.4}),
            Map.entry("o1-pro", new double[] {150, 600}),
            Map.entry("gpt-4-turbo", new double[] {10, 30}),
            Map.entry("gpt-4-turbo-2024-04-09", new double[] {10, 30}),
            Map.entry("gpt-3.5-turbo", new double[] {0.5, 1.5}),
            Map.entry("gpt-3.5-turbo-0125", new double[] {0.5, 1.5}),
            Map.entry("chatgpt-4o-latest", new double[] {5, 15}));
    inOut.forEach(
        (model, io) -> {
          TokenPrice p = price("openai", model);
          assertPerMillion(io[0], p.input(), model + " input");
          assertPerMillion(io[1], p.output(), model + " output");
        });
    assertNull(price("openai", "gpt-5-pro").cacheRead(), "no cached-input price published");
    assertPerMillion(0.02, price("openai", "text-embedding-3-small").input(), "embedding small");
    assertPerMillion(0.13, price("openai", "text-embedding-3-large").input(), "embedding large");
  }

  @Test
  void anthropicAliasesAndNewestModels() {
    assertEquals("claude-sonnet-4", price("anthropic", "claude-sonnet-4-0").model());
    assertEquals("claude-opus-4", price("anthropic", "claude-opus-4-0").model());
    TokenPrice opus45 = price("anthropic", "claude-opus-4-5-20251101");
    assertEquals("claude-opus-4-5", opus45.model());
    assertPerMillion(5.0, opus45.input(), "opus 4.5 input");
    assertPerMillion(0.5, opus45.cacheRead(), "opus 4.5 cache read");
    assertPerMillion(6.25, opus45.cacheWrite(), "opus 4.5 5m write");
    assertPerMillion(10.0, opus45.cacheWrite1h(), "opus 4.5 1h write");
    assertPerMillion(25.0, opus45.output(), "opus 4.5 output");
    TokenPrice haiku3 = price("anthropic", "claude-3-haiku-20240307");
    assertPerMillion(0.03, haiku3.cacheRead(), "claude 3 haiku cache read");
    assertPerMillion(0.30, haiku3.cacheWrite(), "claude 3 haiku cache write");
  }

  @Test
  void bedrockClaude35SonnetV2HasCachePricesAndLlama31() {
    TokenPrice v2 = price("aws", "anthropic.claude-3-5-sonnet-20241022-v2:0");
    assertPerMillion(3.0, v2.input(), "v2 input");
    assertPerMillion(0.30, v2.cacheRead(), "v2 cache read");
    assertPerMillion(3.75, v2.cacheWrite(), "v2 cache write");
    assertPerMillion(15.0, v2.output(), "v2 output");
    assertEquals(v2.model(), price("aws", "us.anthropic.claude-3-5-sonnet-20241022-v2:0").model());
    // v1 never had prompt caching on Bedrock: its cache types stay unknown
    assertNull(price("aws", "anthropic.claude-3-5-sonnet-20240620-v1:0").cacheRead());
    TokenPrice llama = price("aws", "meta.llama3-1-70b-instruct-v1:0");
    assertPerMillion(0.72, llama.input(), "llama 3.1 70b");
  }
}
