package dev.aicost.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.config.ModelPriceConfig;
import dev.aicost.config.PricingConfig;
import dev.aicost.config.PricingValidation;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/**
 * Bedrock prices that depend on where the call ran: the inference-profile prefix of the model id
 * ({@code global.} vs a geography) and the region (issue 14).
 */
class BedrockScopedPricesTest {
  private static final double M = 1_000_000;
  private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
  private static final String SONNET_45 = "anthropic.claude-sonnet-4-5-20250929-v1:0";

  private static PriceCatalog catalog(String catalog, List<ModelPriceConfig> models) {
    return PriceCatalog.load(
        new PricingConfig(catalog, List.of(), models, Map.of(), List.of(), null),
        new LiteLlmPriceFile(new OkHttpClient()),
        NOW);
  }

  private static final PriceCatalog BUILTIN = catalog(null, List.of());

  private static PriceScope in(String region) {
    return PriceScope.of(Map.of("region", region));
  }

  private static TokenPrice price(PriceCatalog c, String model, String region, Instant at) {
    return c.priceFor("aws", model, at, in(region)).orElseThrow(() -> new AssertionError(model));
  }

  private static double input(PriceCatalog c, String model, String region) {
    return price(c, model, region, NOW).input() * M;
  }

  private static ModelPriceConfig row(
      String model, double input, String region, String profile, LocalDate from) {
    return new ModelPriceConfig(
        "aws", model, input, null, null, null, "per_1m", from, region, profile);
  }

  @Test
  void geographicProfilesCostTenPercentMoreThanGlobalForTheNewestClaudeModels() {
    for (String geo : List.of("us.", "eu.", "apac.", "jp.", "au.")) {
      TokenPrice p = price(BUILTIN, geo + SONNET_45, "us-east-1", NOW);
      assertEquals(3.30, p.input() * M, 1e-9, geo);
      assertEquals(16.50, p.output() * M, 1e-9, geo);
      assertEquals(0.33, p.cacheRead() * M, 1e-9, geo);
      assertEquals(4.125, p.cacheWrite() * M, 1e-9, geo);
    }
    TokenPrice global = price(BUILTIN, "global." + SONNET_45, "us-east-1", NOW);
    assertEquals(3.00, global.input() * M, 1e-9);
    assertEquals(15.00, global.output() * M, 1e-9);
    assertEquals(3.00, input(BUILTIN, SONNET_45, "us-east-1"), 1e-9);
    assertEquals(1.10, input(BUILTIN, "us.anthropic.claude-haiku-4-5-20251001-v1:0", ""), 1e-9);
    assertEquals(1.00, input(BUILTIN, "global.anthropic.claude-haiku-4-5-20251001-v1:0", ""), 1e-9);
    assertEquals(5.50, input(BUILTIN, "eu.anthropic.claude-opus-4-5-20251101-v1:0", ""), 1e-9);
    assertEquals(5.00, input(BUILTIN, "global.anthropic.claude-opus-4-5-20251101-v1:0", ""), 1e-9);
    assertEquals(
        27.50, price(BUILTIN, "us.anthropic.claude-opus-4-6-v1", "", NOW).output() * M, 1e-9);
    assertEquals(
        16.50, price(BUILTIN, "jp.anthropic.claude-sonnet-4-6", "", NOW).output() * M, 1e-9);
  }

  @Test
  void modelsWithoutScopedRowsKeepTheirOnePriceInEveryProfile() {
    for (String prefix : List.of("", "us.", "eu.", "global."))
      assertEquals(
          3.00,
          input(BUILTIN, prefix + "anthropic.claude-3-5-sonnet-20241022-v2:0", "eu-west-1"),
          1e-9,
          prefix);
  }

  @Test
  void aRegionsOwnRowPricesUsageInThatRegionOnly() {
    TokenPrice saoPaulo = price(BUILTIN, "meta.llama3-70b-instruct-v1:0", "sa-east-1", NOW);
    assertEquals(4.45, saoPaulo.input() * M, 1e-9);
    assertEquals(5.88, saoPaulo.output() * M, 1e-9);
    assertEquals(2.65, input(BUILTIN, "meta.llama3-70b-instruct-v1:0", "us-east-1"), 1e-9);
    assertEquals(2.65, input(BUILTIN, "meta.llama3-70b-instruct-v1:0", ""), 1e-9);
    assertEquals(0.50, input(BUILTIN, "meta.llama3-8b-instruct-v1:0", "sa-east-1"), 1e-9);
  }

  @Test
  void lookupOrderIsRegionThenGeographyThenGeoThenAny() {
    PriceCatalog c =
        catalog(
            "none",
            List.of(
                row("acme.m1", 1.0, null, null, null),
                row("acme.m1", 1.1, null, "geo", null),
                row("acme.m1", 1.2, null, "eu", null),
                row("acme.m1", 1.3, "eu-west-1", null, null),
                row("acme.m1", 1.4, "eu-west-1", "global", null)));
    assertEquals(1.0, input(c, "acme.m1-v1:0", "us-east-1"), 1e-9);
    assertEquals(1.0, input(c, "global.acme.m1-v1:0", "us-east-1"), 1e-9);
    assertEquals(1.1, input(c, "us.acme.m1-v1:0", "us-east-1"), 1e-9);
    assertEquals(1.1, input(c, "us-gov.acme.m1-v1:0", "us-gov-west-1"), 1e-9);
    assertEquals(1.2, input(c, "eu.acme.m1-v1:0", "us-east-1"), 1e-9);
    // the region's own row wins over any profile premium priced for all regions
    assertEquals(1.3, input(c, "eu.acme.m1-v1:0", "eu-west-1"), 1e-9);
    assertEquals(1.3, input(c, "acme.m1-v1:0", "eu-west-1"), 1e-9);
    assertEquals(1.4, input(c, "global.acme.m1-v1:0", "eu-west-1"), 1e-9);
  }

  @Test
  void anInlineAnyScopePriceAlsoPricesTheProfilesTheCatalogPricesApart() {
    // a negotiated price for the model, from 2026-01-01: us. usage is not left at the catalog's
    // geographic row
    PriceCatalog c =
        catalog(
            null,
            List.of(
                row(
                    "anthropic.claude-sonnet-4-5",
                    2.70,
                    null,
                    null,
                    LocalDate.parse("2026-01-01"))));
    assertEquals(2.70, input(c, "us." + SONNET_45, "us-east-1"), 1e-9);
    assertEquals(2.70, input(c, "global." + SONNET_45, "us-east-1"), 1e-9);
    assertEquals(2.70, input(c, SONNET_45, "us-east-1"), 1e-9);
    Instant december = Instant.parse("2025-12-15T00:00:00Z");
    assertEquals(3.30, price(c, "us." + SONNET_45, "us-east-1", december).input() * M, 1e-9);
    assertEquals(3.00, price(c, "global." + SONNET_45, "us-east-1", december).input() * M, 1e-9);
    assertEquals(
        List.of(Instant.parse("2026-01-01T00:00:00Z")),
        c.changesBetween(
            "aws", "us." + SONNET_45, december, NOW, PriceScope.of(Map.of("region", "us-east-1"))));
  }

  @Test
  void aLayersOwnNarrowerRowStaysInForceBesideItsBroaderRow() {
    PriceCatalog c =
        catalog(
            null,
            List.of(
                row("anthropic.claude-sonnet-4-5", 2.70, null, null, null),
                row("anthropic.claude-sonnet-4-5", 2.97, null, "geo", null)));
    assertEquals(2.97, input(c, "eu." + SONNET_45, ""), 1e-9);
    assertEquals(2.70, input(c, "global." + SONNET_45, ""), 1e-9);
  }

  @Test
  void aRegionRowInAHigherLayerLeavesOtherRegionsAlone() {
    PriceCatalog c =
        catalog(null, List.of(row("meta.llama3-70b-instruct", 5.00, "sa-east-1", null, null)));
    assertEquals(5.00, input(c, "meta.llama3-70b-instruct-v1:0", "sa-east-1"), 1e-9);
    assertEquals(2.65, input(c, "meta.llama3-70b-instruct-v1:0", "us-east-1"), 1e-9);
  }

  @Test
  void currentPricesListEveryScopedRowOnce() {
    long sonnetRows =
        BUILTIN.currentPrices(NOW).stream()
            .filter(
                p -> p.provider().equals("aws") && p.model().equals("anthropic.claude-sonnet-4-5"))
            .count();
    assertEquals(2, sonnetRows);
  }

  @Test
  void unknownProfileOrRegionInConfigIsAPathQualifiedError() {
    List<String> errors =
        PricingValidation.validate(
            new PricingConfig(
                null,
                List.of(),
                List.of(row("acme.m1", 1.0, "mars-1", "apj", null)),
                Map.of(),
                List.of(),
                null),
            "pricing");
    assertTrue(
        errors.contains("pricing.models[0].region: not an AWS region like us-east-1"),
        errors::toString);
    assertTrue(
        errors.stream()
            .anyMatch(e -> e.startsWith("pricing.models[0].profile: must be one of global, geo")),
        errors::toString);
  }
}
