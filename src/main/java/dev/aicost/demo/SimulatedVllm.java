package dev.aicost.demo;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A simulated vLLM (V1 engine) on a loopback port, for {@code --demo}: a realistic {@code /metrics}
 * page whose counters grow with a daily traffic pattern, and a restart now and then that drops them
 * to zero. Only the upstream is fake; the exporter reads it through the real source and parser.
 */
public final class SimulatedVllm implements AutoCloseable {
  /** One served model: traffic shape per request. */
  public record Model(
      String name,
      double requestsPerSecond,
      int promptTokens,
      int outputTokens,
      double cacheHitRatio) {}

  private static final double[] TOKEN_BUCKETS = {
    1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000
  };

  private final Clock clock;
  private final List<Model> models;
  private final int engines;
  private final Duration restartEvery;
  private final Random random;
  private final HttpServer server;
  private volatile double loadFactor = 1.0;

  // per model x engine counters
  private double[][] prompt, generation, cached, requests, promptHist, genHist;

  /**
   * Requests due but not yet whole, per model and engine: however often the page is read, none are
   * lost.
   */
  private double[][] due;

  private double[][][] promptBuckets, genBuckets;
  private double processStart;
  private long lastAdvanceMs;

  public SimulatedVllm(
      Clock clock, List<Model> models, int engines, Duration restartEvery, long seed)
      throws IOException {
    this.clock = clock;
    this.models = List.copyOf(models);
    this.engines = engines;
    this.restartEvery = restartEvery;
    this.random = new Random(seed);
    restart();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext(
        "/metrics",
        ex -> {
          byte[] body = page().getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
          ex.sendResponseHeaders(200, body.length);
          try (OutputStream os = ex.getResponseBody()) {
            os.write(body);
          }
        });
    server.start();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/metrics";
  }

  /** Multiplies traffic (the runaway scenario): 1 is normal. */
  public void setLoadFactor(double factor) {
    this.loadFactor = factor;
  }

  public double loadFactor() {
    return loadFactor;
  }

  /**
   * How busy this deployment's GPUs are now: follows the traffic, never quite idle, never over 1.
   */
  public double busyRatio() {
    return Math.max(0, Math.min(1, 0.08 + 0.45 * diurnal(clock.millis()) * loadFactor));
  }

  private synchronized void restart() {
    int m = models.size();
    prompt = new double[m][engines];
    generation = new double[m][engines];
    cached = new double[m][engines];
    requests = new double[m][engines];
    promptHist = new double[m][engines];
    genHist = new double[m][engines];
    due = new double[m][engines];
    promptBuckets = new double[m][engines][TOKEN_BUCKETS.length];
    genBuckets = new double[m][engines][TOKEN_BUCKETS.length];
    processStart = clock.millis() / 1000.0;
    lastAdvanceMs = clock.millis();
  }

  /** Daily pattern: quiet at night (UTC), busiest mid-afternoon, plus noise. */
  private double diurnal(long ms) {
    double hour = (ms / 3_600_000.0) % 24;
    return 0.55 + 0.45 * Math.sin(2 * Math.PI * (hour - 9) / 24);
  }

  private synchronized void advance() {
    long now = clock.millis();
    if (restartEvery.toMillis() > 0 && now - (long) (processStart * 1000) > restartEvery.toMillis())
      restart();
    double seconds = (now - lastAdvanceMs) / 1000.0;
    lastAdvanceMs = now;
    if (seconds <= 0) return;
    double shape = diurnal(now) * loadFactor;
    for (int i = 0; i < models.size(); i++) {
      Model model = models.get(i);
      for (int e = 0; e < engines; e++) {
        double expected = model.requestsPerSecond() * shape * seconds / engines;
        // carry the fraction: read every 100 ms at a quiet hour, a deployment still serves its
        // requests
        due[i][e] += Math.max(0, expected * (0.8 + 0.4 * random.nextDouble()));
        long n = (long) Math.floor(due[i][e]);
        due[i][e] -= n;
        for (long r = 0; r < n; r++) {
          int p = (int) Math.max(1, model.promptTokens() * (0.5 + random.nextDouble()));
          int o = (int) Math.max(1, model.outputTokens() * (0.3 + 1.4 * random.nextDouble()));
          prompt[i][e] += p;
          cached[i][e] +=
              Math.floor(p * model.cacheHitRatio() * (0.8 + 0.4 * random.nextDouble()) * 0.999);
          generation[i][e] += o;
          requests[i][e] += 1;
          promptHist[i][e] += p;
          genHist[i][e] += o;
          observe(promptBuckets[i][e], p);
          observe(genBuckets[i][e], o);
        }
        cached[i][e] = Math.min(cached[i][e], prompt[i][e]);
      }
    }
  }

  private static void observe(double[] buckets, double v) {
    for (int b = 0; b < TOKEN_BUCKETS.length; b++) if (v <= TOKEN_BUCKETS[b]) buckets[b] += 1;
  }

  synchronized String page() {
    advance();
    StringBuilder sb = new StringBuilder(32 * 1024);
    sb.append("# HELP python_gc_objects_collected_total Objects collected during gc\n")
        .append("# TYPE python_gc_objects_collected_total counter\n")
        .append("python_gc_objects_collected_total{generation=\"0\"} 12345.0\n")
        .append(
            "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n")
        .append("# TYPE process_start_time_seconds gauge\n")
        .append("process_start_time_seconds ")
        .append(num(processStart))
        .append('\n');
    counterFamily(sb, "vllm:prompt_tokens", "Number of prefill tokens processed.", prompt);
    counterFamily(
        sb, "vllm:generation_tokens", "Number of generation tokens processed.", generation);
    counterFamily(
        sb,
        "vllm:prefix_cache_queries",
        "Prefix cache queries, in terms of number of queried tokens.",
        prompt);
    counterFamily(
        sb,
        "vllm:prefix_cache_hits",
        "Prefix cache hits, in terms of number of cached tokens.",
        cached);
    sb.append(
        "# HELP vllm:request_success_total Count of successfully processed requests.\n# TYPE vllm:request_success_total counter\n");
    for (int i = 0; i < models.size(); i++) {
      for (int e = 0; e < engines; e++) {
        double stop = Math.floor(requests[i][e] * 0.9);
        sb.append("vllm:request_success_total{engine=\"")
            .append(e)
            .append("\",finished_reason=\"stop\",model_name=\"")
            .append(models.get(i).name())
            .append("\"} ")
            .append(num(stop))
            .append('\n');
        sb.append("vllm:request_success_total{engine=\"")
            .append(e)
            .append("\",finished_reason=\"length\",model_name=\"")
            .append(models.get(i).name())
            .append("\"} ")
            .append(num(requests[i][e] - stop))
            .append('\n');
      }
    }
    histogram(
        sb,
        "vllm:request_prompt_tokens",
        "Number of prefill tokens processed.",
        promptBuckets,
        promptHist);
    histogram(
        sb,
        "vllm:request_generation_tokens",
        "Number of generation tokens processed.",
        genBuckets,
        genHist);
    sb.append(
        "# HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.\n# TYPE vllm:kv_cache_usage_perc gauge\n");
    for (int i = 0; i < models.size(); i++) {
      for (int e = 0; e < engines; e++) {
        sb.append("vllm:kv_cache_usage_perc{engine=\"")
            .append(e)
            .append("\",model_name=\"")
            .append(models.get(i).name())
            .append("\"} ")
            .append(num(0.2 + 0.5 * diurnal(clock.millis())))
            .append('\n');
      }
    }
    return sb.toString();
  }

  private void counterFamily(StringBuilder sb, String base, String help, double[][] values) {
    sb.append("# HELP ")
        .append(base)
        .append("_total ")
        .append(help)
        .append('\n')
        .append("# TYPE ")
        .append(base)
        .append("_total counter\n");
    for (int i = 0; i < models.size(); i++) {
      for (int e = 0; e < engines; e++) {
        sb.append(base)
            .append("_total{engine=\"")
            .append(e)
            .append("\",model_name=\"")
            .append(models.get(i).name())
            .append("\"} ")
            .append(num(values[i][e]))
            .append('\n');
      }
    }
    sb.append("# HELP ")
        .append(base)
        .append("_created ")
        .append(help)
        .append('\n')
        .append("# TYPE ")
        .append(base)
        .append("_created gauge\n");
    for (int i = 0; i < models.size(); i++) {
      for (int e = 0; e < engines; e++) {
        sb.append(base)
            .append("_created{engine=\"")
            .append(e)
            .append("\",model_name=\"")
            .append(models.get(i).name())
            .append("\"} ")
            .append(num(processStart + 0.5))
            .append('\n');
      }
    }
  }

  private void histogram(
      StringBuilder sb, String base, String help, double[][][] buckets, double[][] sums) {
    sb.append("# HELP ")
        .append(base)
        .append(' ')
        .append(help)
        .append('\n')
        .append("# TYPE ")
        .append(base)
        .append(" histogram\n");
    for (int i = 0; i < models.size(); i++) {
      for (int e = 0; e < engines; e++) {
        String labels = "engine=\"" + e + "\",model_name=\"" + models.get(i).name() + "\"";
        for (int b = 0; b < TOKEN_BUCKETS.length; b++) {
          sb.append(base)
              .append("_bucket{")
              .append(labels)
              .append(",le=\"")
              .append(num(TOKEN_BUCKETS[b]))
              .append("\"} ")
              .append(num(buckets[i][e][b]))
              .append('\n');
        }
        sb.append(base)
            .append("_bucket{")
            .append(labels)
            .append(",le=\"+Inf\"} ")
            .append(num(requests[i][e]))
            .append('\n');
        sb.append(base)
            .append("_count{")
            .append(labels)
            .append("} ")
            .append(num(requests[i][e]))
            .append('\n');
        sb.append(base)
            .append("_sum{")
            .append(labels)
            .append("} ")
            .append(num(sums[i][e]))
            .append('\n');
      }
    }
  }

  private static String num(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) return String.format(Locale.ROOT, "%.1f", v);
    return Double.toString(v);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
