package dev.aicost.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PricingValidationTest {
  private static ModelPriceConfig model(
      String provider, String model, Double input, String unit, LocalDate from) {
    return new ModelPriceConfig(provider, model, input, 1.0, null, null, unit, from);
  }

  private static List<String> validate(PricingConfig cfg) {
    return PricingValidation.validate(cfg, "pricing");
  }

  @Test
  void defaultsAndTheArchitectureExampleAreValid() {
    assertEquals(List.of(), validate(new PricingConfig(null, null, null, null, null, null)));
    PricingConfig example =
        new PricingConfig(
            "builtin",
            List.of(
                "/etc/aicost/prices.json",
                "https://example.org/model_prices_and_context_window.json"),
            List.of(
                new ModelPriceConfig(
                    "openai",
                    "gpt-4o",
                    2.50,
                    10.00,
                    1.25,
                    null,
                    "per_1m",
                    LocalDate.parse("2026-01-01"))),
            Map.of("prod-chat", "gpt-4o"),
            List.of(new GpuPriceConfig(Map.of("name", "NVIDIA H100 80GB HBM3"), 3.90)),
            new EnergyConfig(0.12, 1.3));
    assertEquals(List.of(), validate(example));
  }

  @Test
  void modelErrorsNameTheirPath() {
    PricingConfig cfg =
        new PricingConfig(
            "everything",
            List.of("ftp://x/prices.json"),
            List.of(
                model("openai", "a", 1.0, "per_1m", null),
                model("openai", "b", 1.0, "per_million", null),
                model("openai", "c", -0.5, null, null),
                new ModelPriceConfig("openai", "d", null, null, null, null, null, null),
                model(null, " ", Double.NaN, null, null)),
            null,
            null,
            null);
    assertEquals(
        List.of(
            "pricing.catalog: must be builtin or none",
            "pricing.files[0]: only http and https URLs are supported",
            "pricing.models[1].unit: must be one of per_1m, per_1k, per_token",
            "pricing.models[2].input: must be >= 0",
            "pricing.models[3]: needs at least one of input, cache_read, cache_write, output",
            "pricing.models[4].provider: required",
            "pricing.models[4].model: required",
            "pricing.models[4].input: must be a finite number"),
        validate(cfg));
  }

  @Test
  void duplicateProviderModelAndDateIsAnError() {
    LocalDate d = LocalDate.parse("2026-01-01");
    PricingConfig cfg =
        new PricingConfig(
            null,
            null,
            List.of(
                model("openai", "gpt-4o", 1.0, null, d),
                model("openai", "gpt-4o", 2.0, null, LocalDate.parse("2026-02-01")),
                model("OpenAI", "GPT-4o", 3.0, null, d),
                model("openai", "x", 1.0, null, null),
                model("openai", "x", 1.0, "per_1k", null)),
            null,
            null,
            null);
    assertEquals(
        List.of(
            "pricing.models[2]: duplicates pricing.models[0] (same provider, model, effective_from, region and profile)",
            "pricing.models[4]: duplicates pricing.models[3] (same provider, model, effective_from, region and profile)"),
        validate(cfg));
  }

  @Test
  void gpuAndEnergyErrors() {
    PricingConfig cfg =
        new PricingConfig(
            null,
            null,
            null,
            Map.of("chat", " "),
            List.of(
                new GpuPriceConfig(Map.of("name", "NVIDIA L4"), 0.8),
                new GpuPriceConfig(Map.of("uuid", "GPU-1"), null),
                new GpuPriceConfig(Map.of("name", "T4"), -1.0)),
            new EnergyConfig(0.0, 0.9));
    assertEquals(
        List.of(
            "pricing.aliases.chat: needs a target model",
            "pricing.gpus[1].match: needs a name",
            "pricing.gpus[1].match.uuid: unknown key (only name is supported)",
            "pricing.gpus[1].hourly_usd: required",
            "pricing.gpus[2].hourly_usd: must be >= 0",
            "pricing.energy.usd_per_kwh: must be > 0",
            "pricing.energy.pue: must be >= 1"),
        validate(cfg));
    assertEquals(
        List.of("pricing.energy.usd_per_kwh: required"),
        validate(new PricingConfig(null, null, null, null, null, new EnergyConfig(null, null))));
  }

  @Test
  void aPerTokenPriceForSelfHostedIsRefusedWithHowItIsPriced() {
    List<String> errors =
        validate(
            new PricingConfig(
                null,
                null,
                List.of(model("self_hosted", "llama", 0.5, "per_1m", null)),
                null,
                null,
                null));
    assertEquals(1, errors.size(), errors.toString());
    assertEquals(
        true,
        errors
            .get(0)
            .startsWith("pricing.models[0].provider: self_hosted usage is priced by GPU time"),
        errors.get(0));
  }

  @Test
  void pricesPerTokenAreTheDecimalThatWasWritten() {
    assertEquals("8.0E-7", Double.toString(PriceUnit.PER_1M.perToken(0.8)));
    assertEquals("3.0E-7", Double.toString(PriceUnit.PER_1K.perToken(0.0003)));
  }
}
