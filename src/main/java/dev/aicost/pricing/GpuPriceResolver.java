package dev.aicost.pricing;

import dev.aicost.config.Glob;
import dev.aicost.config.GpuPriceConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Picks the hourly price of a GPU: the deployment's own {@code gpu_hourly_usd}, else the first
 * {@code pricing.gpus} entry whose {@code match.name} equals the NVML name or matches it as a glob
 * ({@code *} = any characters; case-insensitive), else the built-in default table, else the
 * unknown-GPU default.
 */
public final class GpuPriceResolver {
  private record Configured(Pattern name, double hourlyUsd) {}

  private final List<Configured> configured;

  /**
   * @param gpus {@code pricing.gpus}, validated; entries without a name or price are ignored
   */
  public GpuPriceResolver(List<GpuPriceConfig> gpus) {
    List<Configured> list = new ArrayList<>();
    for (GpuPriceConfig g : gpus) {
      String name = g.match().get("name");
      if (name == null || name.isBlank() || g.hourlyUsd() == null) continue;
      list.add(new Configured(glob(name.trim()), g.hourlyUsd()));
    }
    this.configured = List.copyOf(list);
  }

  /**
   * @param deploymentHourlyUsd price set on the deployment, or null
   * @param gpuName the GPU name as NVML reports it, or null when unknown
   */
  public GpuPrice resolve(Double deploymentHourlyUsd, String gpuName) {
    if (deploymentHourlyUsd != null) return new GpuPrice(deploymentHourlyUsd, GpuPrice.DEPLOYMENT);
    String name = gpuName == null ? null : gpuName.trim();
    if (name != null && !name.isEmpty()) {
      Optional<Configured> hit =
          configured.stream().filter(c -> c.name().matcher(name).matches()).findFirst();
      if (hit.isPresent()) return new GpuPrice(hit.get().hourlyUsd(), GpuPrice.CONFIG);
    }
    return new GpuPrice(
        DefaultGpuPrices.forName(name).orElse(DefaultGpuPrices.UNKNOWN_USD), GpuPrice.DEFAULT);
  }

  // Exact names are globs without '*'; GPU names match in any case.
  private static Pattern glob(String glob) {
    return Glob.compile(glob, true);
  }
}
