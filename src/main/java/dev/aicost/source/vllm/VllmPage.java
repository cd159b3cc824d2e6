package dev.aicost.source.vllm;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The cost-bearing counters of one scraped page, keyed by series: {@code kind|model|engine|extra}
 * where extra is finished_reason for requests, followed by any other label as {@code name=value}
 * (so series that differ only in a label we do not know are tracked apart, never confused). Values
 * are raw upstream counter values, and only readings: a NaN, infinite or negative sample is "no
 * reading" for that series ({@link #unreadable}), never zero.
 *
 * <p>A series written twice on one page is counted once when both lines agree and makes the page
 * unusable when they do not ({@link #conflict}); two values are never added. Control characters in
 * a model name are replaced by U+FFFD so they never reach the exposition ({@link #sanitised}).
 */
final class VllmPage implements SampleConsumer {
  static final String SEP = "\u001f";
  static final char REPLACEMENT = '\uFFFD';

  /**
   * The model that models beyond {@code limits.max_models_per_source} are counted under, together.
   */
  static final String OVERFLOW = "__overflow__";

  /** Models the source already tracks: always kept apart. */
  private final Set<String> known;

  private final int maxModels;
  private final Set<String> admittedNew = new HashSet<>();

  /** Distinct models beyond the cap seen on this page (counted up to a bound, for the message). */
  int foldedModels;

  private final Set<String> foldedSeen = new HashSet<>();

  VllmPage() {
    this(Set.of(), Integer.MAX_VALUE);
  }

  /**
   * @param known models tracked already (kept apart whatever the cap)
   * @param maxModels how many models this page may add up to, counting the known ones
   */
  VllmPage(Set<String> known, int maxModels) {
    this.known = known;
    this.maxModels = maxModels;
  }

  final Map<String, Double> values = new HashMap<>();
  final Map<String, Double> created = new HashMap<>();
  double processStart = Double.NaN;
  int blockSize = 0;
  boolean anyEngineLabel;
  boolean hasCached, hasHits, hasGpuHits;
  int skipped;
  String skippedReason;

  /** How many samples were NaN, infinite or negative on this page, and the first of them. */
  int unreadable;

  String firstUnreadable;

  /** Model names that held control characters. */
  int sanitised;

  /**
   * V0's lifetime GPU prefix-cache block hit rate per model (0..1); absent when unknown or not
   * enabled.
   */
  final Map<String, Double> v0HitRate = new HashMap<>();

  /** The first series written twice with different values; null when none. */
  String conflict;

  int duplicates;

  @Override
  public void sample(String name, Map<String, String> labels, double value) {
    switch (name) {
      case VllmFamilies.PROCESS_START -> {
        if (Double.isFinite(value) && value > 0) processStart = value;
      }
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
      case VllmFamilies.V0_HIT_RATE -> {
        if (value >= 0 && value <= 1)
          v0HitRate.put(clean(labels.getOrDefault("model_name", "")), value);
      }
      case VllmFamilies.PROMPT -> counter("prompt", labels, value);
      case VllmFamilies.GENERATION -> counter("generation", labels, value);
      case VllmFamilies.REQUESTS -> counter("requests", labels, value);
      case VllmFamilies.CACHED -> {
        hasCached = true;
        counter("cached", labels, value);
      }
      case VllmFamilies.HITS -> {
        hasHits = true;
        counter("hits", labels, value);
      }
      case VllmFamilies.GPU_HITS -> {
        hasGpuHits = true;
        counter("gpu_hits", labels, value);
      }
      case VllmFamilies.PROMPT_CREATED -> created("prompt", labels, value);
      case VllmFamilies.GENERATION_CREATED -> created("generation", labels, value);
      case VllmFamilies.REQUESTS_CREATED -> created("requests", labels, value);
      case VllmFamilies.CACHED_CREATED -> created("cached", labels, value);
      case VllmFamilies.HITS_CREATED -> created("hits", labels, value);
      case VllmFamilies.GPU_HITS_CREATED -> created("gpu_hits", labels, value);
      default -> {}
    }
  }

  @Override
  public void skipped(String name, String reason) {
    skipped++;
    skippedReason = reason;
  }

  private void counter(String kind, Map<String, String> labels, double value) {
    if (labels.containsKey("engine")) anyEngineLabel = true;
    String key = key(kind, labels);
    if (!Double.isFinite(value) || value < 0) {
      if (unreadable++ == 0) firstUnreadable = key;
      return;
    }
    if (model(key).equals(OVERFLOW)) { // folded models: their sum is one series
      values.merge(key, value, Double::sum);
      return;
    }
    Double before = values.putIfAbsent(key, value);
    if (before != null) {
      duplicates++;
      if (before.doubleValue() != value && conflict == null) conflict = key;
    }
  }

  private void created(String kind, Map<String, String> labels, double value) {
    if (!Double.isFinite(value) || value <= 0) return;
    String key = key(kind, labels);
    if (!model(key).equals(OVERFLOW)) created.put(key, value);
  }

  /**
   * The model a series is kept under: its own while tracked or room is left, else {@link
   * #OVERFLOW}.
   */
  private String admit(String model) {
    if (known.contains(model) || admittedNew.contains(model)) return model;
    if (known.size() + admittedNew.size() < maxModels && !model.equals(OVERFLOW)) {
      admittedNew.add(model);
      return model;
    }
    if (foldedModels < 1_000_000 && foldedSeen.size() < 4096 && foldedSeen.add(model))
      foldedModels++;
    return OVERFLOW;
  }

  /**
   * The series key; labels other than model_name, engine and finished_reason are appended in name
   * order.
   */
  String key(String kind, Map<String, String> labels) {
    StringBuilder k =
        new StringBuilder(64)
            .append(kind)
            .append(SEP)
            .append(admit(clean(labels.getOrDefault("model_name", ""))))
            .append(SEP)
            .append(clean(labels.getOrDefault("engine", "")))
            .append(SEP)
            .append(clean(labels.getOrDefault("finished_reason", "")));
    if (labels.size()
        > (labels.containsKey("model_name") ? 1 : 0)
            + (labels.containsKey("engine") ? 1 : 0)
            + (labels.containsKey("finished_reason") ? 1 : 0)) {
      for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
        String n = e.getKey();
        if (n.equals("model_name") || n.equals("engine") || n.equals("finished_reason")) continue;
        k.append(SEP).append(n).append('=').append(clean(e.getValue()));
      }
    }
    return k.toString();
  }

  /**
   * Replaces control characters (C0, DEL, C1) so they can never reach a label value on our side.
   */
  private String clean(String v) {
    for (int i = 0; i < v.length(); i++) {
      if (isControl(v.charAt(i))) {
        sanitised++;
        StringBuilder b = new StringBuilder(v.length());
        for (int j = 0; j < v.length(); j++) {
          char c = v.charAt(j);
          b.append(isControl(c) ? REPLACEMENT : c);
        }
        return b.toString();
      }
    }
    return v;
  }

  static boolean isControl(char c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f);
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

  /**
   * Tokens per unit of the page's cache counter, decided from what the page says, never guessed: 1
   * for the counters that count tokens by name ({@code prompt_tokens_cached}, {@code
   * prefix_cache_hits}); for {@code gpu_prefix_cache_hits} (0.8.x counted blocks, later versions
   * tokens) the HELP line says which, and blocks need {@code cache_config_info}'s block_size. NaN
   * when the page does not say.
   *
   * @param help the HELP text of {@code vllm:gpu_prefix_cache_hits} on the page, null when absent
   */
  double cacheUnit(String help) {
    String kind = cacheKind();
    if (kind.isEmpty()) return Double.NaN;
    if (!kind.equals("gpu_hits")) return 1;
    if (help == null) return Double.NaN;
    String h = help.toLowerCase(java.util.Locale.ROOT);
    boolean blocks = h.contains("block"), tokens = h.contains("token");
    if (tokens && !blocks) return 1;
    if (blocks && !tokens) return blockSize > 0 ? blockSize : Double.NaN;
    return Double.NaN;
  }
}
