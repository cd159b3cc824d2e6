package dev.aicost.config;

import dev.aicost.metrics.LabelValues;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** Checks {@code pricing:} and names the YAML path (snake_case keys) of every problem. */
public final class PricingValidation {
  private static final String SELF_HOSTED = LabelValues.SELF_HOSTED;

  private PricingValidation() {}

  /**
   * @param path the path of the pricing section itself, normally {@code pricing}
   * @return messages like {@code pricing.models[2].input: must be >= 0}; empty when valid
   */
  public static List<String> validate(PricingConfig cfg, String path) {
    List<String> errors = new ArrayList<>();
    if (cfg == null) return errors;
    if (!"builtin".equals(cfg.catalog()) && !"none".equals(cfg.catalog())) {
      errors.add(path + ".catalog: must be builtin or none");
    }
    for (int i = 0; i < cfg.files().size(); i++)
      file(cfg.files().get(i), path + ".files[" + i + "]", errors);
    models(cfg.models(), path + ".models", errors);
    cfg.aliases()
        .forEach(
            (from, to) -> {
              if (from == null || from.isBlank())
                errors.add(path + ".aliases: an alias needs a non-empty name");
              else if (to == null || to.isBlank())
                errors.add(path + ".aliases." + from + ": needs a target model");
            });
    for (int i = 0; i < cfg.gpus().size(); i++)
      gpu(cfg.gpus().get(i), path + ".gpus[" + i + "]", errors);
    energy(cfg.energy(), path + ".energy", errors);
    return errors;
  }

  private static void file(String location, String p, List<String> errors) {
    if (location == null || location.isBlank()) {
      errors.add(p + ": must be a path or an http(s) URL");
    } else if (location.contains("://") && !isHttpUrl(location)) {
      errors.add(p + ": only http and https URLs are supported");
    }
  }

  private static void models(List<ModelPriceConfig> models, String p, List<String> errors) {
    Map<List<Object>, Integer> seen = new HashMap<>();
    for (int i = 0; i < models.size(); i++) {
      ModelPriceConfig m = models.get(i);
      String at = p + "[" + i + "]";
      if (m == null) {
        errors.add(at + ": must be a mapping");
        continue;
      }
      if (blank(m.provider())) errors.add(at + ".provider: required");
      else if (SELF_HOSTED.equals(lower(m.provider()))) {
        // a per-token price here would be shown as a price gauge yet never charge anything
        errors.add(
            at
                + ".provider: self_hosted usage is priced by GPU time, not per token: set sources.vllm[].gpu_count "
                + "with gpu_hourly_usd (or pricing.gpus), or gpus: for NVML-measured GPUs");
      }
      if (blank(m.model())) errors.add(at + ".model: required");
      if (PriceUnit.fromKey(m.unit()).isEmpty()) {
        errors.add(at + ".unit: must be one of " + String.join(", ", PriceUnit.keys()));
      }
      amount(m.input(), at + ".input", errors);
      amount(m.cacheRead(), at + ".cache_read", errors);
      amount(m.cacheWrite(), at + ".cache_write", errors);
      amount(m.output(), at + ".output", errors);
      if (m.input() == null
          && m.cacheRead() == null
          && m.cacheWrite() == null
          && m.output() == null) {
        errors.add(at + ": needs at least one of input, cache_read, cache_write, output");
      }
      if (m.region() != null && !AwsSourcesValidation.isRegion(lower(m.region())))
        errors.add(at + ".region: not an AWS region like us-east-1");
      if (m.profile() != null && !BedrockScopes.ROW_SCOPES.contains(lower(m.profile())))
        errors.add(at + ".profile: must be one of " + String.join(", ", BedrockScopes.ROW_SCOPES));
      if (!blank(m.provider()) && !blank(m.model())) {
        List<Object> key =
            List.of(
                lower(m.provider()),
                lower(m.model()),
                Objects.requireNonNullElse(m.effectiveFrom(), LocalDate.EPOCH),
                m.region() == null ? "" : lower(m.region()),
                m.profile() == null ? "" : lower(m.profile()));
        Integer first = seen.putIfAbsent(key, i);
        if (first != null) {
          errors.add(
              at
                  + ": duplicates "
                  + p
                  + "["
                  + first
                  + "] (same provider, model, effective_from, region and profile)");
        }
      }
    }
  }

  private static void gpu(GpuPriceConfig g, String p, List<String> errors) {
    if (g == null) {
      errors.add(p + ": must be a mapping");
      return;
    }
    if (blank(g.match().get("name"))) errors.add(p + ".match: needs a name");
    g.match().keySet().stream()
        .filter(k -> !"name".equals(k))
        .sorted()
        .forEach(k -> errors.add(p + ".match." + k + ": unknown key (only name is supported)"));
    if (g.hourlyUsd() == null) errors.add(p + ".hourly_usd: required");
    else amount(g.hourlyUsd(), p + ".hourly_usd", errors);
  }

  private static void energy(EnergyConfig e, String p, List<String> errors) {
    if (e == null) return;
    if (e.usdPerKwh() == null) errors.add(p + ".usd_per_kwh: required");
    else if (!Double.isFinite(e.usdPerKwh()) || e.usdPerKwh() <= 0)
      errors.add(p + ".usd_per_kwh: must be > 0");
    // a PUE below 1 would mean the data centre uses less power than its IT load
    if (e.pue() != null && (!Double.isFinite(e.pue()) || e.pue() < 1))
      errors.add(p + ".pue: must be >= 1");
  }

  private static void amount(Double v, String p, List<String> errors) {
    if (v == null) return;
    if (!Double.isFinite(v)) errors.add(p + ": must be a finite number");
    else if (v < 0) errors.add(p + ": must be >= 0");
  }

  // the same rule as pricing.LiteLlmPriceFile's fetch; config stays below pricing
  private static boolean isHttpUrl(String location) {
    String l = location.toLowerCase(Locale.ROOT);
    return l.startsWith("http://") || l.startsWith("https://");
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static String lower(String s) {
    return s.trim().toLowerCase(Locale.ROOT);
  }
}
