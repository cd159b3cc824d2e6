package dev.aicost.testing;

import java.util.Locale;

/** Writes small vLLM V1 pages with exact counter values, in the wire format vLLM uses. */
public final class VllmPages {
  private VllmPages() {}

  /**
   * One model, one engine; created is the counters' _created timestamp (a change means a restart).
   */
  public static String v1(
      String model,
      String engine,
      double prompt,
      double generation,
      double hits,
      double requests,
      double created) {
    String l =
        (engine == null ? "" : "engine=\"" + engine + "\",") + "model_name=\"" + model + "\"";
    StringBuilder sb = new StringBuilder();
    sb.append(
            "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n")
        .append("# TYPE process_start_time_seconds gauge\n")
        .append("process_start_time_seconds ")
        .append(num(created - 5))
        .append('\n');
    counter(sb, "vllm:prompt_tokens", l, prompt, created);
    counter(sb, "vllm:generation_tokens", l, generation, created);
    counter(sb, "vllm:prefix_cache_queries", l, prompt, created);
    counter(sb, "vllm:prefix_cache_hits", l, hits, created);
    sb.append("# HELP vllm:request_success_total Count of successfully processed requests.\n")
        .append("# TYPE vllm:request_success_total counter\n")
        .append("vllm:request_success_total{")
        .append(l)
        .append(",finished_reason=\"stop\"} ")
        .append(num(requests))
        .append('\n')
        .append("vllm:request_success_total{")
        .append(l)
        .append(",finished_reason=\"length\"} 0.0\n")
        .append(
            "# HELP vllm:iteration_tokens_total Histogram of number of tokens per engine_step.\n")
        .append("# TYPE vllm:iteration_tokens_total histogram\n")
        .append("vllm:iteration_tokens_total_bucket{")
        .append(l)
        .append(",le=\"1.0\"} 3.0\n")
        .append("vllm:iteration_tokens_total_bucket{")
        .append(l)
        .append(",le=\"+Inf\"} 9.0\n")
        .append("vllm:iteration_tokens_total_count{")
        .append(l)
        .append("} 9.0\n")
        .append("vllm:iteration_tokens_total_sum{")
        .append(l)
        .append("} 12345.0\n");
    return sb.toString();
  }

  private static void counter(
      StringBuilder sb, String base, String labels, double v, double created) {
    sb.append("# HELP ")
        .append(base)
        .append("_total x\n# TYPE ")
        .append(base)
        .append("_total counter\n")
        .append(base)
        .append("_total{")
        .append(labels)
        .append("} ")
        .append(num(v))
        .append('\n')
        .append("# HELP ")
        .append(base)
        .append("_created x\n# TYPE ")
        .append(base)
        .append("_created gauge\n")
        .append(base)
        .append("_created{")
        .append(labels)
        .append("} ")
        .append(num(created))
        .append('\n');
  }

  private static String num(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15
        ? String.format(Locale.ROOT, "%.1f", v)
        : Double.toString(v);
  }
}
