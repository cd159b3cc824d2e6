package dev.aicost.collect;

import dev.aicost.config.ExporterConfig;
import dev.aicost.config.VllmSourceConfig;
import java.util.List;
import okhttp3.OkHttpClient;

/**
 * What a {@link SourceKind} builds its sources from.
 *
 * @param config the validated configuration
 * @param deployments the vLLM deployments in effect: {@code sources.vllm} plus the demo's or the
 *     autodetected one (a GPU source maps its GPUs to them)
 * @param http the shared client (connection pool, dispatcher)
 */
public record SourceSetup(
    ExporterConfig config, List<VllmSourceConfig> deployments, OkHttpClient http) {
  public SourceSetup {
    deployments = List.copyOf(deployments);
  }
}
