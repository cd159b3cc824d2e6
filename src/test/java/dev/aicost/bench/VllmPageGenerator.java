package dev.aicost.bench;

import java.util.Locale;

/**
 * Writes a synthetic but realistic V1 vLLM {@code /metrics} page (classic text 0.0.4, labels sorted
 * as the multiprocess collector writes them): python/process/http families, then per (model,
 * engine) every V1 counter with its {@code _created} gauge, the gauges, and the request histograms
 * with all buckets. Both the 0.10-era {@code vllm:gpu_prefix_cache_*} and the new {@code
 * vllm:prefix_cache_*} counters are present.
 */
public final class VllmPageGenerator {
  static final double[] TTFT = {
    0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
    20.0, 40.0, 80.0, 160.0, 640.0, 2560.0
  };
  static final double[] ITL = {
    0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0,
    40.0, 80.0
  };
  static final double[] REQUEST = {
    0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0,
    480.0, 960.0, 1920.0, 7680.0
  };
  static final double[] TOKENS = {
    1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000
  };
  static final double[] ITERATION = {
    1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384
  };
  static final double[] N = {1, 2, 5, 10, 20};

  private final StringBuilder out = new StringBuilder(1 << 19);
  private double created = 1.7537953269352946e9;
  private int samples;

  private VllmPageGenerator() {}

  /** The page and the number of sample lines on it. */
  public record Page(String text, int samples) {}

  /**
   * @param engines total engines on the page, split evenly over {@code models}; each model's
   *     engines are numbered from "0" (one data-parallel group per model)
   */
  public static Page generate(String[] models, int engines) {
    VllmPageGenerator g = new VllmPageGenerator();
    g.runtime();
    int perModel = (engines + models.length - 1) / models.length;
    String[] labels = new String[engines];
    for (int i = 0; i < engines; i++) {
      labels[i] = "engine=\"" + (i % perModel) + "\",model_name=\"" + models[i / perModel] + "\"";
    }
    g.vllm(labels);
    return new Page(g.out.toString(), g.samples);
  }

  private void runtime() {
    for (String c :
        new String[] {
          "python_gc_objects_collected_total",
          "python_gc_objects_uncollectable_total",
          "python_gc_collections_total"
        }) {
      head(c, "counter", "Python garbage collector statistics.");
      for (int gen = 0; gen < 3; gen++) {
        sample(c, "{generation=\"" + gen + "\"}", 1000.0 * (3 - gen));
      }
    }
    head("python_info", "gauge", "Python platform information");
    sample(
        "python_info",
        "{implementation=\"CPython\",major=\"3\",minor=\"12\",patchlevel=\"11\",version=\"3.12.11\"}",
        1);
    String[] process = {
      "process_virtual_memory_bytes",
      "process_resident_memory_bytes",
      "process_start_time_seconds",
      "process_cpu_seconds_total",
      "process_open_fds",
      "process_max_fds"
    };
    double[] values = {5.3721939968e10, 2.168786944e9, 1.75379530137e9, 512.34, 78, 1048576};
    for (int i = 0; i < process.length; i++) {
      head(process[i], "gauge", "Process statistics.");
      sample(process[i], "", values[i]);
    }
    String[] handlers = {
      "/v1/chat/completions", "/v1/completions", "/metrics", "/health", "/v1/models"
    };
    head(
        "http_requests_total",
        "counter",
        "Total number of requests by method, status and handler.");
    for (String h : handlers) {
      sample(
          "http_requests_total", "{handler=\"" + h + "\",method=\"POST\",status=\"2xx\"}", 12345);
    }
    head(
        "http_request_duration_highr_seconds",
        "histogram",
        "Latency with many buckets but no API specific labels.");
    double[] highr = {
      0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 7.5, 10,
      30, 60
    };
    histogram("http_request_duration_highr_seconds", "", highr, 40000, 9876.5, false);
    head("http_request_duration_seconds", "histogram", "Latency with only few buckets by handler.");
    for (String h : handlers) {
      histogram(
          "http_request_duration_seconds",
          "handler=\"" + h + "\",method=\"POST\"",
          new double[] {0.1, 0.5, 1},
          8000,
          1234.5,
          false);
    }
  }

  /**
   * Family-major, as prometheus_client writes: one HELP/TYPE per family, then every engine's
   * series.
   */
  private void vllm(String[] labels) {
    gauge("vllm:num_requests_running", labels, 7);
    gauge("vllm:num_requests_waiting", labels, 1);
    gauge("vllm:gpu_cache_usage_perc", labels, 0.3125);
    gauge("vllm:kv_cache_usage_perc", labels, 0.3125);
    counter("vllm:gpu_prefix_cache_queries_total", labels, 400000.0);
    counter("vllm:gpu_prefix_cache_hits_total", labels, 150000.0);
    counter("vllm:prefix_cache_queries_total", labels, 400000.0);
    counter("vllm:prefix_cache_hits_total", labels, 150000.0);
    counter("vllm:num_preemptions_total", labels, 3);
    counter("vllm:prompt_tokens_total", labels, 400000.0);
    counter("vllm:prompt_tokens_cached_total", labels, 150000.0);
    counter("vllm:generation_tokens_total", labels, 100000.0);
    String[] reasons = {"abort", "length", "stop"};
    String[] withReason = new String[labels.length * reasons.length];
    for (int i = 0; i < withReason.length; i++) {
      String l = labels[i / reasons.length];
      int comma = l.indexOf(',');
      withReason[i] =
          l.substring(0, comma)
              + ",finished_reason=\""
              + reasons[i % reasons.length]
              + "\""
              + l.substring(comma);
    }
    counter("vllm:request_success_total", withReason, 100.0);
    hist("vllm:request_prompt_tokens", labels, TOKENS, 1000, 392000.0);
    hist("vllm:request_generation_tokens", labels, TOKENS, 1000, 97000.0);
    hist("vllm:iteration_tokens_total", labels, ITERATION, 12500, 500000.0);
    hist("vllm:request_max_num_generation_tokens", labels, TOKENS, 1000, 2048000.0);
    hist("vllm:request_params_n", labels, N, 1000, 1000.0);
    hist("vllm:request_params_max_tokens", labels, TOKENS, 1000, 2048000.0);
    hist("vllm:time_to_first_token_seconds", labels, TTFT, 1000, 210.5);
    hist("vllm:time_per_output_token_seconds", labels, ITL, 99000, 1782.0);
    hist("vllm:inter_token_latency_seconds", labels, ITL, 99000, 1782.0);
    for (String h :
        new String[] {
          "e2e_request_latency",
          "request_queue_time",
          "request_inference_time",
          "request_prefill_time",
          "request_decode_time"
        }) {
      hist("vllm:" + h + "_seconds", labels, REQUEST, 1000, 3500.25);
    }
    head("vllm:cache_config_info", "gauge", "Information of the LLMEngine CacheConfig");
    for (String l : labels) {
      sample(
          "vllm:cache_config_info",
          "{block_size=\"16\",cache_dtype=\"auto\",enable_prefix_caching=\"True\","
              + l.substring(0, l.indexOf(','))
              + ",gpu_memory_utilization=\"0.9\",num_gpu_blocks=\"29008\"}",
          1);
    }
  }

  private void gauge(String name, String[] labels, double v) {
    head(name, "gauge", "A vLLM gauge.");
    for (String l : labels) {
      sample(name, "{" + l + "}", v);
    }
  }

  /** Series i gets {@code v * (i + 1)}; the {@code _created} gauge family follows. */
  private void counter(String name, String[] labels, double v) {
    String base = name.substring(0, name.length() - "_total".length());
    head(name, "counter", "A vLLM counter.");
    for (int i = 0; i < labels.length; i++) {
      sample(name, "{" + labels[i] + "}", v * (i + 1));
    }
    head(base + "_created", "gauge", "A vLLM counter.");
    for (String l : labels) {
      sample(base + "_created", "{" + l + "}", nextCreated());
    }
  }

  private void hist(String name, String[] labels, double[] buckets, long count, double sum) {
    head(name, "histogram", "A vLLM histogram.");
    for (int i = 0; i < labels.length; i++) {
      histogram(name, labels[i], buckets, count * (i + 1), sum * (i + 1), true);
    }
    head(name + "_created", "gauge", "A vLLM histogram.");
    for (String l : labels) {
      sample(name + "_created", "{" + l + "}", nextCreated());
    }
  }

  /**
   * Buckets with le sorted between engine and model_name when {@code sorted}, else appended last.
   */
  private void histogram(
      String name, String labels, double[] buckets, long count, double sum, boolean sorted) {
    int comma = labels.indexOf(',');
    for (int i = 0; i <= buckets.length; i++) {
      String le = i == buckets.length ? "+Inf" : python(buckets[i]);
      String set;
      if (labels.isEmpty()) {
        set = "{le=\"" + le + "\"}";
      } else if (sorted) {
        set =
            "{" + labels.substring(0, comma) + ",le=\"" + le + "\"" + labels.substring(comma) + "}";
      } else {
        set = "{" + labels + ",le=\"" + le + "\"}";
      }
      sample(
          name + "_bucket",
          set,
          i == buckets.length ? count : Math.floor(count * Math.sqrt((i + 1.0) / buckets.length)));
    }
    String set = labels.isEmpty() ? "" : "{" + labels + "}";
    sample(name + "_count", set, count);
    sample(name + "_sum", set, sum);
  }

  private double nextCreated() {
    created += 1.83e-5;
    return created;
  }

  private void head(String name, String type, String help) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private void sample(String name, String set, double v) {
    out.append(name).append(set).append(' ').append(python(v)).append('\n');
    samples++;
  }

  /** prometheus_client's floatToGoString: repr, with Go-style exponents above 6 integer digits. */
  static String python(double d) {
    if (Double.isInfinite(d)) {
      return d > 0 ? "+Inf" : "-Inf";
    }
    String s = Double.toString(d);
    int e = s.indexOf('E');
    if (e > 0) { // Java uses E notation from 1e7 and below 1e-3
      String mantissa = s.substring(0, e).replaceAll("\\.0$", "");
      int exp = Integer.parseInt(s.substring(e + 1));
      if (exp < 0) {
        return String.format(Locale.ROOT, "%se-%02d", mantissa, -exp);
      }
      return String.format(Locale.ROOT, "%se+%02d", mantissa, exp);
    }
    int dot = s.indexOf('.');
    if (d > 0 && dot > 6) {
      String mantissa =
          (s.charAt(0) + "." + s.substring(1, dot) + s.substring(dot + 1)).replaceAll("[0.]+$", "");
      return mantissa + "e+0" + (dot - 1);
    }
    return s;
  }

  /**
   * A page of many models, one engine each, with only the counters the vLLM source reads (prompt,
   * generation, prefix-cache queries and hits with their {@code _created}, request_success): ~520
   * bytes per model. Counters grow with {@code tick}: prompt {@code 10,000 + tick x (200 + i mod
   * 97)}, generation {@code 1,000 + tick x (20 + i mod 13)}, cache hits 3/10 of prompt, requests
   * {@code 10 + tick x (1 + i mod 3)}.
   */
  public static final class ManyModels {
    private final String[] labels;

    public ManyModels(int n) {
      labels = new String[n];
      for (int i = 0; i < n; i++)
        labels[i] =
            String.format(Locale.ROOT, "{engine=\"0\",model_name=\"org/model-%05d\"}", i + 1);
    }

    public String render(int tick) {
      double created = 1.7537953269352946e9;
      StringBuilder sb = new StringBuilder(labels.length * 520);
      sb.append(
              "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n")
          .append(
              "# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds 1.75379530137e9\n");
      String[] names = {
        "vllm:prompt_tokens",
        "vllm:generation_tokens",
        "vllm:prefix_cache_queries",
        "vllm:prefix_cache_hits"
      };
      for (int k = 0; k < names.length; k++) {
        sb.append("# HELP ")
            .append(names[k])
            .append("_total x\n# TYPE ")
            .append(names[k])
            .append("_total counter\n");
        for (int i = 0; i < labels.length; i++) {
          long prompt = 10_000 + (long) tick * (200 + i % 97);
          long v =
              switch (k) {
                case 0, 2 -> prompt;
                case 1 -> 1_000 + (long) tick * (20 + i % 13);
                default -> prompt * 3 / 10;
              };
          sb.append(names[k])
              .append("_total")
              .append(labels[i])
              .append(' ')
              .append(v)
              .append(".0\n");
        }
        sb.append("# HELP ")
            .append(names[k])
            .append("_created x\n# TYPE ")
            .append(names[k])
            .append("_created gauge\n");
        for (String l : labels)
          sb.append(names[k]).append("_created").append(l).append(' ').append(created).append('\n');
      }
      sb.append("# HELP vllm:request_success_total Count of successfully processed requests.\n")
          .append("# TYPE vllm:request_success_total counter\n");
      for (int i = 0; i < labels.length; i++) {
        String l = labels[i].substring(0, labels[i].length() - 1);
        sb.append("vllm:request_success_total")
            .append(l)
            .append(",finished_reason=\"stop\"} ")
            .append(10 + tick * (1 + i % 3))
            .append(".0\n");
      }
      return sb.toString();
    }

    public int size() {
      return labels.length;
    }

    /**
     * Sum over the page of prompt + generation tokens at {@code tick}, what aicost_tokens_total
     * adds up to.
     */
    public long tokens(int tick) {
      long n = 0;
      for (int i = 0; i < labels.length; i++)
        n += 10_000 + (long) tick * (200 + i % 97) + 1_000 + (long) tick * (20 + i % 13);
      return n;
    }

    /** Sum over the page of successful requests at {@code tick}. */
    public long requests(int tick) {
      long n = 0;
      for (int i = 0; i < labels.length; i++) n += 10 + (long) tick * (1 + i % 3);
      return n;
    }
  }
}
