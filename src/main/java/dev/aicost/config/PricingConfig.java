package dev.aicost.config;

import java.util.List;
import java.util.Map;

/**
 * {@code pricing:} token prices (built-in catalog, LiteLLM-format files, inline overrides),
 * model-name aliases, GPU hourly prices and energy.
 *
 * @param catalog {@code builtin} (default) or {@code none}
 * @param files paths or http(s) URLs of LiteLLM {@code model_prices_and_context_window.json} files
 */
public record PricingConfig(
    String catalog,
    List<String> files,
    List<ModelPriceConfig> models,
    Map<String, String> aliases,
    List<GpuPriceConfig> gpus,
    EnergyConfig energy) {

  public PricingConfig {
    catalog = catalog != null ? catalog : "builtin";
    files = ConfigCopies.list(files);
    models = ConfigCopies.list(models);
    aliases = ConfigCopies.map(aliases);
    gpus = ConfigCopies.list(gpus);
  }
}
