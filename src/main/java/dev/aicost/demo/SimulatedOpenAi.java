package dev.aicost.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A simulated OpenAI organisation for {@code --demo}: the usage ({@code completions}, {@code
 * embeddings}, one-minute buckets) and costs endpoints on a loopback port, in the documented JSON,
 * with traffic that keeps growing the current bucket. It accepts only the random admin key it made
 * itself, which the demo hands to the source in-process (never printed). Only the upstream is fake:
 * the exporter reads it through the real OpenAI source.
 */
public final class SimulatedOpenAi implements AutoCloseable {
  /** One group of usage: its dimensions and traffic shape per request. */
  record Traffic(
      String endpoint,
      String projectId,
      String apiKeyId,
      String model,
      boolean batch,
      String serviceTier,
      double requestsPerSecond,
      int promptTokens,
      double cachedShare,
      int outputTokens,
      double inputUsdPer1m,
      double cachedUsdPer1m,
      double outputUsdPer1m) {}

  static final List<Traffic> TRAFFIC =
      List.of(
          new Traffic(
              "completions",
              "proj_demo_search",
              "key_demo_search",
              "gpt-4o",
              false,
              "default",
              0.4,
              1500,
              0.4,
              300,
              2.5,
              1.25,
              10),
          new Traffic(
              "completions",
              "proj_demo_support",
              "key_demo_support",
              "gpt-4o-mini",
              false,
              "default",
              1.5,
              800,
              0.2,
              200,
              0.15,
              0.075,
              0.6),
          new Traffic(
              "completions",
              "proj_demo_search",
              "key_demo_batch",
              "gpt-4o-mini",
              true,
              "default",
              0.2,
              3000,
              0,
              500,
              0.075,
              0.0375,
              0.3),
          new Traffic(
              "embeddings",
              "proj_demo_support",
              "key_demo_support",
              "text-embedding-3-small",
              false,
              null,
              3,
              400,
              0,
              0,
              0.02,
              0,
              0));

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long KEEP_SECONDS = 26 * 3600;

  private final Clock clock;
  private final HttpServer server;
  private final byte[] keyDigest;
  private final String key;
  private volatile double loadFactor = 1.0;

  /** minute start → per traffic group [input, cached, output, requests]; guarded by this. */
  private final TreeMap<Long, double[][]> minutes = new TreeMap<>();

  private double advancedTo; // epoch seconds, guarded by this

  /**
   * @param history how much usage exists already when the demo starts (so spend shows at once)
   */
  public SimulatedOpenAi(Clock clock, Duration history) throws IOException {
    this.clock = clock;
    byte[] raw = new byte[24];
    new SecureRandom().nextBytes(raw);
    this.key = "sk-admin-demo-" + HexFormat.of().formatHex(raw);
    this.keyDigest = digest(key);
    this.advancedTo = clock.millis() / 1000.0 - history.toSeconds();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/v1/organization/", this::handle);
    server.start();
  }

  /** The API root for {@code base_url}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  /** The admin key it accepts, for the demo's source only. */
  public String adminKey() {
    return key;
  }

  public void setLoadFactor(double f) {
    loadFactor = f;
  }

  private static byte[] digest(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Books the traffic since the last advance into its minutes (split at minute boundaries). */
  private synchronized void advance() {
    double now = clock.millis() / 1000.0;
    double f = loadFactor;
    while (advancedTo < now) {
      long minute = (long) Math.floor(advancedTo / 60) * 60;
      double until = Math.min(now, minute + 60);
      double seconds = until - advancedTo;
      double[][] m = minutes.computeIfAbsent(minute, k -> new double[TRAFFIC.size()][4]);
      for (int g = 0; g < TRAFFIC.size(); g++) {
        Traffic t = TRAFFIC.get(g);
        // a slow daily wave, so the dashboards have a shape
        double wave = 1 + 0.5 * Math.sin(2 * Math.PI * (minute % 86_400) / 86_400.0);
        double req = t.requestsPerSecond() * f * wave * seconds;
        m[g][0] += req * t.promptTokens();
        m[g][1] += req * t.promptTokens() * t.cachedShare();
        m[g][2] += req * t.outputTokens();
        m[g][3] += req;
      }
      advancedTo = until;
    }
    minutes.headMap((long) now - KEEP_SECONDS).clear();
  }

  private void handle(HttpExchange ex) throws IOException {
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    byte[] presented = digest(auth == null ? "" : auth.replaceFirst("^Bearer ", ""));
    if (auth == null || !MessageDigest.isEqual(presented, keyDigest)) {
      send(ex, 401, "{\"error\":{\"message\":\"Incorrect API key provided.\"}}");
      return;
    }
    Map<String, String> q = new LinkedHashMap<>();
    String raw = ex.getRequestURI().getRawQuery();
    if (raw != null)
      for (String kv : raw.split("&")) {
        int eq = kv.indexOf('=');
        if (eq > 0)
          q.putIfAbsent(
              kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
      }
    String path = ex.getRequestURI().getPath();
    String op = path.substring(path.lastIndexOf('/') + 1);
    long start;
    int limit;
    int page;
    try {
      start = Long.parseLong(q.getOrDefault("start_time", ""));
      limit = Integer.parseInt(q.getOrDefault("limit", "1"));
      page = Integer.parseInt(q.getOrDefault("page", "0"));
    } catch (NumberFormatException e) {
      send(ex, 400, "{\"error\":{\"message\":\"bad parameter\"}}");
      return;
    }
    advance();
    String body =
        switch (op) {
          case "completions", "embeddings" ->
              "1m".equals(q.get("bucket_width")) ? usage(op, start, limit, page) : null;
          case "costs" -> costs(start, limit, page);
          default -> null;
        };
    if (body == null) send(ex, 404, "{\"error\":{\"message\":\"not served by the demo\"}}");
    else send(ex, 200, body);
  }

  private synchronized String usage(String op, long start, int limit, int page) throws IOException {
    List<Long> starts = new ArrayList<>(minutes.tailMap(start, true).keySet());
    int from = Math.min(starts.size(), page * limit), to = Math.min(starts.size(), from + limit);
    List<Object> buckets = new ArrayList<>();
    for (long s : starts.subList(from, to)) {
      double[][] m = minutes.get(s);
      List<Object> results = new ArrayList<>();
      for (int g = 0; g < TRAFFIC.size(); g++) {
        Traffic t = TRAFFIC.get(g);
        if (!t.endpoint().equals(op) || m[g][3] < 1) continue;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("object", "organization.usage." + op + ".result");
        r.put("input_tokens", (long) m[g][0]);
        r.put("num_model_requests", (long) m[g][3]);
        if (op.equals("completions")) {
          r.put("input_cached_tokens", Math.min((long) m[g][1], (long) m[g][0]));
          r.put("output_tokens", (long) m[g][2]);
          r.put("input_audio_tokens", 0);
          r.put("output_audio_tokens", 0);
          r.put("batch", t.batch());
          r.put("service_tier", t.serviceTier());
        }
        r.put("project_id", t.projectId());
        r.put("user_id", null);
        r.put("api_key_id", t.apiKeyId());
        r.put("model", t.model());
        results.add(r);
      }
      buckets.add(
          Map.of("object", "bucket", "start_time", s, "end_time", s + 60, "results", results));
    }
    return page(buckets, to < starts.size() ? page + 1 : -1);
  }

  /** Per UTC day, the usage at list price plus 2 % (so the reconciliation has a drift to show). */
  private synchronized String costs(long start, int limit, int page) throws IOException {
    TreeMap<Long, double[]> days = new TreeMap<>();
    minutes
        .tailMap(start, true)
        .forEach(
            (s, m) -> {
              double[] d = days.computeIfAbsent(s - s % 86_400, k -> new double[1]);
              for (int g = 0; g < TRAFFIC.size(); g++) {
                Traffic t = TRAFFIC.get(g);
                double usd =
                    ((m[g][0] - m[g][1]) * t.inputUsdPer1m()
                            + m[g][1] * t.cachedUsdPer1m()
                            + m[g][2] * t.outputUsdPer1m())
                        / 1e6;
                d[0] += usd * 1.02;
              }
            });
    List<Long> keys = new ArrayList<>(days.keySet());
    int from = Math.min(keys.size(), page * limit), to = Math.min(keys.size(), from + limit);
    List<Object> buckets = new ArrayList<>();
    for (long d : keys.subList(from, to)) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("object", "organization.costs.result");
      r.put("amount", Map.of("value", Math.round(days.get(d)[0] * 1e6) / 1e6, "currency", "usd"));
      r.put("line_item", null);
      r.put("project_id", null);
      buckets.add(
          Map.of(
              "object", "bucket", "start_time", d, "end_time", d + 86_400, "results", List.of(r)));
    }
    return page(buckets, to < keys.size() ? page + 1 : -1);
  }

  private static String page(List<Object> buckets, int next) throws IOException {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("object", "page");
    p.put("data", buckets);
    p.put("has_more", next >= 0);
    p.put("next_page", next >= 0 ? Integer.toString(next) : null);
    return JSON.writeValueAsString(p);
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(b);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
