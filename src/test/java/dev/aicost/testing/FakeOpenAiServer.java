package dev.aicost.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * OpenAI's organisation usage and costs API on loopback, written from the documented wire: {@code
 * GET /v1/organization/usage/{completions,embeddings}} and {@code /v1/organization/costs}, bearer
 * admin key checked, results aggregated by the {@code group_by} asked for (dimensions not grouped
 * are null), buckets paged by {@code limit} with an opaque {@code next_page}, unknown fields in
 * every result. Tests set what the provider knows ({@link #set}) and script faults (429, 500 on a
 * given page, malformed JSON, a revoked key, a slow answer).
 */
public final class FakeOpenAiServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  static {
    // headers and body are separate writes: without TCP_NODELAY each answer waits ~40 ms for a
    // delayed ACK (read once, when the JDK server's configuration first loads)
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  /** One group's totals in a bucket, with every dimension (the server aggregates them). */
  public record Row(
      String projectId,
      String apiKeyId,
      String model,
      Boolean batch,
      String serviceTier,
      long input,
      long cached,
      long cacheWrite,
      long output,
      long requests) {
    public static Row of(String model, long input, long cached, long output, long requests) {
      return new Row(
          "proj_A", "key_A", model, false, "default", input, cached, 0, output, requests);
    }

    public Row withIds(String projectId, String apiKeyId) {
      return new Row(
          projectId,
          apiKeyId,
          model,
          batch,
          serviceTier,
          input,
          cached,
          cacheWrite,
          output,
          requests);
    }

    public Row withTier(Boolean batch, String serviceTier) {
      return new Row(
          projectId,
          apiKeyId,
          model,
          batch,
          serviceTier,
          input,
          cached,
          cacheWrite,
          output,
          requests);
    }

    String dims() {
      return projectId + "|" + apiKeyId + "|" + model + "|" + batch + "|" + serviceTier;
    }
  }

  /** A scripted answer for one request of {@code op} on page number {@code page} (0 = first). */
  private record Fault(
      String op, int page, int status, String retryAfter, String body, long delayMs) {}

  private final HttpServer server;
  private volatile String key;
  private volatile boolean revoked;
  private volatile int pageSize = Integer.MAX_VALUE;

  /** endpoint → bucket start → group dims → row. */
  private final Map<String, TreeMap<Long, Map<String, Row>>> usage = new ConcurrentHashMap<>();

  private final TreeMap<Long, Map<String, Double>> costs = new TreeMap<>();
  private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
  public final List<String> requests = new CopyOnWriteArrayList<>();
  private final AtomicLong hits = new AtomicLong();
  private volatile long width = 3600;

  public FakeOpenAiServer(String key) {
    this.key = key;
    server = LoopbackServer.create("fake-openai");
    server.createContext("/v1/organization/", this::handle);
    server.start();
  }

  /** The API root as a user writes it in base_url (without /v1: the exporter adds it). */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public FakeOpenAiServer bucketWidth(long seconds) {
    this.width = seconds;
    return this;
  }

  /** Sets what the provider now reports for this group in this bucket (a revision replaces). */
  public synchronized FakeOpenAiServer set(String endpoint, long bucketStart, Row row) {
    usage
        .computeIfAbsent(endpoint, e -> new TreeMap<>())
        .computeIfAbsent(bucketStart, b -> new LinkedHashMap<>())
        .put(row.dims(), row);
    return this;
  }

  /** Every bucket and row currently reported, forgotten. */
  public synchronized FakeOpenAiServer clear() {
    usage.clear();
    synchronized (costs) {
      costs.clear();
    }
    faults.clear();
    return this;
  }

  public FakeOpenAiServer cost(LocalDate day, String lineItem, double usd) {
    synchronized (costs) {
      costs
          .computeIfAbsent(day.atStartOfDay(ZoneOffset.UTC).toEpochSecond(), d -> new TreeMap<>())
          .put(lineItem, usd);
    }
    return this;
  }

  /** Buckets per page at most (the request's limit applies too). */
  public FakeOpenAiServer pageSize(int buckets) {
    this.pageSize = buckets;
    return this;
  }

  public FakeOpenAiServer revoked(boolean on) {
    this.revoked = on;
    return this;
  }

  /** The next request of {@code op} (completions, embeddings, costs) for that page answers so. */
  public FakeOpenAiServer failOnce(String op, int page, int status, String retryAfter) {
    faults.add(new Fault(op, page, status, retryAfter, null, 0));
    return this;
  }

  /** The next request of {@code op} for that page answers 200 with this body. */
  public FakeOpenAiServer bodyOnce(String op, int page, String body) {
    faults.add(new Fault(op, page, 200, null, body, 0));
    return this;
  }

  /** The next request of {@code op} for that page answers after a delay. */
  public FakeOpenAiServer delayOnce(String op, int page, long ms) {
    faults.add(new Fault(op, page, 0, null, null, ms));
    return this;
  }

  public long hits() {
    return hits.get();
  }

  private void handle(HttpExchange ex) throws IOException {
    hits.incrementAndGet();
    String path = ex.getRequestURI().getPath();
    String query = ex.getRequestURI().getRawQuery();
    requests.add(path + "?" + query);
    Map<String, List<String>> q = query(query);
    String op = path.substring(path.lastIndexOf('/') + 1);
    int page = q.containsKey("page") ? Integer.parseInt(one(q, "page").substring(4)) : 0;
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (revoked || !Objects.equals(auth, "Bearer " + key)) {
      send(
          ex,
          401,
          null,
          "{\"error\":{\"message\":\"Incorrect API key provided.\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}");
      return;
    }
    for (Fault f : faults) {
      if (f.op.equals(op) && f.page == page && faults.remove(f)) {
        if (f.delayMs > 0) {
          try {
            Thread.sleep(f.delayMs);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          break;
        }
        send(
            ex,
            f.status,
            f.retryAfter,
            f.body != null
                ? f.body
                : "{\"error\":{\"message\":\"fault\",\"type\":\"server_error\"}}");
        return;
      }
    }
    try {
      String body =
          switch (op) {
            case "completions", "embeddings" -> usagePage(op, q, page);
            case "costs" -> costPage(q, page);
            default -> null;
          };
      if (body == null) send(ex, 404, null, "{\"error\":{\"message\":\"not found\"}}");
      else send(ex, 200, null, body);
    } catch (IllegalArgumentException bad) {
      send(ex, 400, null, "{\"error\":{\"message\":\"" + bad.getMessage() + "\"}}");
    }
  }

  private synchronized String usagePage(String op, Map<String, List<String>> q, int page)
      throws IOException {
    long start = Long.parseLong(one(q, "start_time"));
    String bw = one(q, "bucket_width");
    long w =
        switch (bw) {
          case "1m" -> 60;
          case "1h" -> 3600;
          case "1d" -> 86400;
          default -> throw new IllegalArgumentException("bucket_width");
        };
    if (w != width) throw new IllegalArgumentException("bucket_width " + bw + " not served here");
    int max = w == 60 ? 1440 : w == 3600 ? 168 : 31;
    int limit = Integer.parseInt(one(q, "limit"));
    if (limit < 1 || limit > max) throw new IllegalArgumentException("limit out of range");
    List<String> groupBy = q.getOrDefault("group_by", List.of());
    TreeMap<Long, Map<String, Row>> data = usage.getOrDefault(op, new TreeMap<>());
    List<Long> starts = new ArrayList<>(data.tailMap(start, true).keySet());
    int size = Math.min(limit, pageSize);
    int from = page * size;
    int to = Math.min(starts.size(), from + size);
    List<Object> buckets = new ArrayList<>();
    for (int i = from; i < to; i++) {
      long s = starts.get(i);
      Map<String, Map<String, Object>> grouped = new LinkedHashMap<>();
      for (Row r : data.get(s).values()) {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("object", "organization.usage." + op + ".result");
        g.put("project_id", groupBy.contains("project_id") ? r.projectId : null);
        g.put("user_id", null);
        g.put("api_key_id", groupBy.contains("api_key_id") ? r.apiKeyId : null);
        g.put("model", groupBy.contains("model") ? r.model : null);
        if (op.equals("completions")) {
          g.put("batch", groupBy.contains("batch") ? r.batch : null);
          g.put("service_tier", groupBy.contains("service_tier") ? r.serviceTier : null);
        }
        String k = String.valueOf(g);
        Map<String, Object> acc = grouped.computeIfAbsent(k, x -> g);
        add(acc, "input_tokens", r.input);
        add(acc, "num_model_requests", r.requests);
        if (op.equals("completions")) {
          add(acc, "output_tokens", r.output);
          add(acc, "input_cached_tokens", r.cached);
          if (r.cacheWrite > 0) add(acc, "input_cache_write_tokens", r.cacheWrite);
          add(acc, "input_audio_tokens", 0);
          add(acc, "output_audio_tokens", 0);
          // a field newer than the exporter, as the spec warns new ones appear
          acc.put("input_image_tokens_detail", Map.of("low", 0, "high", List.of(1, 2)));
        }
      }
      Map<String, Object> b = new LinkedHashMap<>();
      b.put("object", "bucket");
      b.put("start_time", s);
      b.put("end_time", s + w);
      b.put("start_time_iso", java.time.Instant.ofEpochSecond(s).toString());
      b.put("results", new ArrayList<>(grouped.values()));
      buckets.add(b);
    }
    return page(buckets, to < starts.size() ? page + 1 : -1);
  }

  private static void add(Map<String, Object> acc, String field, long v) {
    acc.merge(field, v, (a, b) -> (Long) a + (Long) b);
  }

  private String costPage(Map<String, List<String>> q, int page) throws IOException {
    long start = Long.parseLong(one(q, "start_time"));
    if (!"1d".equals(one(q, "bucket_width"))) throw new IllegalArgumentException("bucket_width");
    int limit = Integer.parseInt(one(q, "limit"));
    if (limit < 1 || limit > 180) throw new IllegalArgumentException("limit out of range");
    List<Object> buckets = new ArrayList<>();
    boolean more;
    synchronized (costs) {
      List<Long> days = new ArrayList<>(costs.tailMap(start, true).keySet());
      int size = Math.min(limit, pageSize);
      int from = page * size;
      int to = Math.min(days.size(), from + size);
      for (int i = from; i < to; i++) {
        long d = days.get(i);
        List<Object> results = new ArrayList<>();
        costs
            .get(d)
            .forEach(
                (item, usd) -> {
                  Map<String, Object> r = new LinkedHashMap<>();
                  r.put("object", "organization.costs.result");
                  r.put("amount", Map.of("value", usd, "currency", "usd"));
                  r.put("line_item", item);
                  r.put("project_id", "proj_A");
                  r.put("organization_id", "org-fake");
                  results.add(r);
                });
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("object", "bucket");
        b.put("start_time", d);
        b.put("end_time", d + 86400);
        b.put("results", results);
        buckets.add(b);
      }
      more = to < days.size();
    }
    return page(buckets, more ? page + 1 : -1);
  }

  private static String page(List<Object> buckets, int next) throws IOException {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("object", "page");
    p.put("data", buckets);
    p.put("has_more", next >= 0);
    p.put("next_page", next >= 0 ? "page" + next : null);
    return JSON.writeValueAsString(p);
  }

  private static String one(Map<String, List<String>> q, String name) {
    List<String> v = q.get(name);
    if (v == null || v.size() != 1) throw new IllegalArgumentException(name + " required once");
    return v.get(0);
  }

  private static Map<String, List<String>> query(String raw) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (raw == null) return out;
    for (String kv : raw.split("&")) {
      int eq = kv.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
      out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
    }
    out.replaceAll((k, v) -> Collections.unmodifiableList(v));
    return out;
  }

  private static void send(HttpExchange ex, int status, String retryAfter, String body)
      throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    if (retryAfter != null) ex.getResponseHeaders().set("Retry-After", retryAfter);
    try {
      ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(b);
      }
    } catch (IOException clientWentAway) {
      // the exporter timed out and closed the connection
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
