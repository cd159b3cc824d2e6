package dev.aicost.source.vllm;

import java.util.Set;

/**
 * The vLLM families that carry cost, by wire name (reference/vllm.md). V0 and V1 share the token
 * and request counters; the prefix-cache counters were renamed twice, and around 0.10 old and new
 * names appear on the same page, so the reader picks one per page, newest first.
 */
final class VllmFamilies {
  private VllmFamilies() {}

  static final String PROMPT = "vllm:prompt_tokens_total";
  static final String PROMPT_CREATED = "vllm:prompt_tokens_created";
  static final String GENERATION = "vllm:generation_tokens_total";
  static final String GENERATION_CREATED = "vllm:generation_tokens_created";
  static final String REQUESTS = "vllm:request_success_total";
  static final String REQUESTS_CREATED = "vllm:request_success_created";

  /** Newest: cached prompt tokens, local and external. */
  static final String CACHED = "vllm:prompt_tokens_cached_total";

  static final String CACHED_CREATED = "vllm:prompt_tokens_cached_created";

  /** 0.9+: prefix-cache hits in tokens. */
  static final String HITS = "vllm:prefix_cache_hits_total";

  static final String HITS_CREATED = "vllm:prefix_cache_hits_created";

  /** 0.8.x (in blocks) to 0.10 (in tokens, deprecated). */
  static final String GPU_HITS = "vllm:gpu_prefix_cache_hits_total";

  static final String GPU_HITS_CREATED = "vllm:gpu_prefix_cache_hits_created";
  static final String CACHE_CONFIG = "vllm:cache_config_info";

  /**
   * V0 only: a gauge, the GPU prefix cache's block hit rate since the engine started (-1: not
   * enabled).
   */
  static final String V0_HIT_RATE = "vllm:gpu_prefix_cache_hit_rate";

  static final String PROCESS_START = "process_start_time_seconds";

  static final Set<String> WANTED =
      Set.of(
          PROMPT,
          PROMPT_CREATED,
          GENERATION,
          GENERATION_CREATED,
          REQUESTS,
          REQUESTS_CREATED,
          CACHED,
          CACHED_CREATED,
          HITS,
          HITS_CREATED,
          GPU_HITS,
          GPU_HITS_CREATED,
          CACHE_CONFIG,
          V0_HIT_RATE,
          PROCESS_START);
}
