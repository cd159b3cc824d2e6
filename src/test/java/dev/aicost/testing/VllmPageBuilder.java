package dev.aicost.testing;

import java.util.Locale;

/**
 * Writes a vLLM V1 page line by line, in the wire format vLLM's prometheus_client writes, for tests
 * that need pages real servers would not write on purpose: NaN, duplicated lines, missing series,
 * odd labels.
 */
public final class VllmPageBuilder {
  private final StringBuilder sb = new StringBuilder();

  public VllmPageBuilder processStart(double seconds) {
    sb.append(
            "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n")
        .append("# TYPE process_start_time_seconds gauge\n")
        .append("process_start_time_seconds ")
        .append(num(seconds))
        .append('\n');
    return this;
  }

  /**
   * One counter sample: family is the wire name without _total (vllm:prompt_tokens); labels as
   * written.
   */
  public VllmPageBuilder counter(String family, String labels, double value) {
    sb.append(family).append("_total{").append(labels).append("} ").append(num(value)).append('\n');
    return this;
  }

  /** The _created gauge of one counter series. */
  public VllmPageBuilder created(String family, String labels, double created) {
    sb.append(family)
        .append("_created{")
        .append(labels)
        .append("} ")
        .append(num(created))
        .append('\n');
    return this;
  }

  /**
   * Prompt, generation and request counters of one (model, engine) with their _created times (NaN:
   * none).
   */
  public VllmPageBuilder engine(
      String model,
      String engine,
      double prompt,
      double generation,
      double requests,
      double created) {
    String l = "engine=\"" + engine + "\",model_name=\"" + model + "\"";
    counter("vllm:prompt_tokens", l, prompt);
    if (!Double.isNaN(created)) created("vllm:prompt_tokens", l, created);
    counter("vllm:generation_tokens", l, generation);
    if (!Double.isNaN(created)) created("vllm:generation_tokens", l, created);
    counter("vllm:request_success", l + ",finished_reason=\"stop\"", requests);
    if (!Double.isNaN(created))
      created("vllm:request_success", l + ",finished_reason=\"stop\"", created);
    return this;
  }

  public VllmPageBuilder raw(String line) {
    sb.append(line).append('\n');
    return this;
  }

  @Override
  public String toString() {
    return sb.toString();
  }

  public static String num(double v) {
    if (Double.isNaN(v)) return "NaN";
    if (Double.isInfinite(v)) return v > 0 ? "+Inf" : "-Inf";
    return v == Math.rint(v) && Math.abs(v) < 1e15
        ? String.format(Locale.ROOT, "%.1f", v)
        : Double.toString(v);
  }
}
