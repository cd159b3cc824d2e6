package dev.aicost.source.vllm;

import java.util.HashMap;
import java.util.Map;

/**
 * The cost-bearing counters of one scraped page, keyed by series: {@code kind|model|engine|extra}
 * where extra is finished_reason for requests. Values are raw upstream counter values.
 */
final class VllmPage implements SampleConsumer {
  static final String SEP = "\u001f";

  final Map<String, Double> values = new HashMap<>();
  final Map<String, Double> created = new HashMap<>();
  double processStart = Double.NaN;
  int blockSize = 0;
  boolean anyEngineLabel;
  boolean hasCached, hasHits, hasGpuHits;
  int skipped;
  String skippedReason;

  @Override
  public void sample(String name, Map<String, String> labels, double value) {
    switch (name) {
      case VllmFamilies.PROCESS_START -> processStart = value;
      case VllmFamilies.CACHE_CONFIG -> {
        String bs = labels.get("block_size");
        if (bs != null) {
          try {
            blockSize = (int) Double.parseDouble(bs);
          } catch (NumberFormatException ignored) {
            // leave unknown
          }
        }
      }
      case VllmFamilies.PROMPT -> counter("prompt", labels, value, "");
      case VllmFamilies.GENERATION -> counter("generation", labels, value, "");
      case VllmFamilies.REQUESTS -> counter("requests", labels, value, labels.getOrDefault("finished_reason", ""));
      case VllmFamilies.CACHED -> {
        hasCached = true;
        counter("cached", labels, value, "");
      }
      case VllmFamilies.HITS -> {
        hasHits = true;
        counter("hits", labels, value, "");
      }
      case VllmFamilies.GPU_HITS -> {
        hasGpuHits = true;
        counter("gpu_hits", labels, value, "");
      }
      case VllmFamilies.PROMPT_CREATED -> created("prompt", labels, value, "");
      case VllmFamilies.GENERATION_CREATED -> created("generation", labels, value, "");
      case VllmFamilies.REQUESTS_CREATED -> created("requests", labels, value, labels.getOrDefault("finished_reason", ""));
      case VllmFamilies.CACHED_CREATED -> created("cached", labels, value, "");
      case VllmFamilies.HITS_CREATED -> created("hits", labels, value, "");
      case VllmFamilies.GPU_HITS_CREATED -> created("gpu_hits", labels, value, "");
      default -> { }
    }
  }

  @Override
  public void skipped(String name, String reason) {
    skipped++;
    skippedReason = reason;
  }

  private void counter(String kind, Map<String, String> labels, double value, String extra) {
    if (Double.isNaN(value) || Double.isInfinite(value) || value < 0) return;
    if (labels.containsKey("engine")) anyEngineLabel = true;
    values.merge(key(kind, labels, extra), value, Double::sum);
  }

  private void created(String kind, Map<String, String> labels, double value, String extra) {
    if (!Double.isNaN(value)) created.put(key(kind, labels, extra), value);
  }

  static String key(String kind, Map<String, String> labels, String extra) {
    return kind + SEP + labels.getOrDefault("model_name", "") + SEP + labels.getOrDefault("engine", "") + SEP + extra;
  }

  static String kind(String key) {
    return key.substring(0, key.indexOf(SEP));
  }

  static String model(String key) {
    int a = key.indexOf(SEP) + 1;
    return key.substring(a, key.indexOf(SEP, a));
  }

  /** Which counter carries cache reads on this page: newest name first; "" when none. */
  String cacheKind() {
    if (hasCached) return "cached";
    if (hasHits) return "hits";
    if (hasGpuHits) return "gpu_hits";
    return "";
  }

  /** 0.8.x counted gpu_prefix_cache hits in blocks; pages of that era have no engine label. */
  double cacheUnit() {
    return "gpu_hits".equals(cacheKind()) && !anyEngineLabel && blockSize > 0 ? blockSize : 1;
  }
}
