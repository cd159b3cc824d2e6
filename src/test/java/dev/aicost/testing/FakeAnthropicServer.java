package dev.aicost.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The Anthropic Admin API on the wire, on loopback: {@code usage_report/messages} and {@code
 * cost_report} as the reference documents them (buckets, results, {@code has_more}/{@code
 * next_page}), serving whatever usage a test sets, with scripted failures (429 with retry-after, a
 * 500 on a later page, a revoked key, malformed JSON, delays). Only Anthropic is fake: the exporter
 * reads it with its real client.
 */
public final class FakeAnthropicServer implements AutoCloseable {
  public static final String KEY = "sk-ant-admin01-TESTKEY-do-not-leak-4f1c9a";

  /** One result row: group values (null = not grouped / default workspace) and token counts. */
  public record Usage(
      String apiKeyId,
      String workspaceId,
      String model,
      String serviceTier,
      String contextWindow,
      long uncachedInput,
      long cacheRead,
      long write5m,
      long write1h,
      long output) {
    String group() {
      return apiKeyId + "|" + workspaceId + "|" + model + "|" + serviceTier + "|" + contextWindow;
    }
  }

  /** A request as received. */
  public record Seen(String path, Map<String, List<String>> query, Map<String, String> headers) {}

  /** A scripted answer for one upcoming request (status, body, headers), used once. */
  private record Scripted(int atPage, int status, String body, String retryAfter, String location) {
    Scripted(int atPage, int status, String body, String retryAfter) {
      this(atPage, status, body, retryAfter, null);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpServer server;
  private final TreeMap<Long, Map<String, Usage>> buckets = new TreeMap<>();
  private final TreeMap<LocalDate, List<String>> costs = new TreeMap<>();
  private final Deque<Scripted> script = new ArrayDeque<>();
  public final List<Seen> requests = new CopyOnWriteArrayList<>();
  private volatile int pageSize = Integer.MAX_VALUE;
  private volatile boolean revoked;
  private volatile boolean unknownFields;
  private volatile long delayMs;
  private volatile long width = 3600;

  public FakeAnthropicServer() {
    server = LoopbackServer.create("fake-anthropic");
    server.createContext("/v1/organizations/usage_report/messages", ex -> handle(ex, true));
    server.createContext("/v1/organizations/cost_report", ex -> handle(ex, false));
    server.start();
  }

  /** The base URL a config would name (with {@code /v1}). */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  /** Sets (replaces) the totals of one group in the bucket starting at {@code start}. */
  public synchronized FakeAnthropicServer usage(Instant start, Usage u) {
    buckets.computeIfAbsent(start.getEpochSecond(), s -> new LinkedHashMap<>()).put(u.group(), u);
    return this;
  }

  /** Forgets every usage bucket (a test about to serve another bucket width). */
  public synchronized FakeAnthropicServer clearUsage() {
    buckets.clear();
    return this;
  }

  /** An empty bucket (the API lists buckets without usage too). */
  public synchronized FakeAnthropicServer emptyBucket(Instant start) {
    buckets.computeIfAbsent(start.getEpochSecond(), s -> new LinkedHashMap<>());
    return this;
  }

  /** Cost results of one day, amounts in cents as the API's decimal strings. */
  public synchronized FakeAnthropicServer cost(LocalDate day, String... centAmounts) {
    costs.put(day, List.of(centAmounts));
    return this;
  }

  public FakeAnthropicServer pageSize(int buckets) {
    pageSize = buckets;
    return this;
  }

  public FakeAnthropicServer width(long seconds) {
    width = seconds;
    return this;
  }

  public FakeAnthropicServer revoked(boolean r) {
    revoked = r;
    return this;
  }

  public FakeAnthropicServer unknownFields(boolean u) {
    unknownFields = u;
    return this;
  }

  public FakeAnthropicServer delayMs(long ms) {
    delayMs = ms;
    return this;
  }

  /** The next usage request answers {@code status} (with retry-after when not null). */
  public synchronized FakeAnthropicServer failNext(int status, String retryAfter) {
    script.add(new Scripted(-1, status, "{\"type\":\"error\"}", retryAfter));
    return this;
  }

  /** The next usage request for page {@code page} (0 = first) answers {@code status}. */
  public synchronized FakeAnthropicServer failPage(int page, int status) {
    script.add(new Scripted(page, status, "{\"type\":\"error\"}", null));
    return this;
  }

  /** The next usage request answers a 302 redirect to {@code location}. */
  public synchronized FakeAnthropicServer redirectNext(String location) {
    script.add(new Scripted(-1, 302, "", null, location));
    return this;
  }

  /** The next usage request answers 200 with {@code body} as is. */
  public synchronized FakeAnthropicServer rawNext(String body) {
    script.add(new Scripted(-1, 200, body, null));
    return this;
  }

  /** Drops every scripted answer not yet used. */
  public synchronized FakeAnthropicServer clearScript() {
    script.clear();
    return this;
  }

  public List<Seen> usageRequests() {
    return requests.stream().filter(r -> r.path().contains("usage_report")).toList();
  }

  public List<Seen> costRequests() {
    return requests.stream().filter(r -> r.path().contains("cost_report")).toList();
  }

  private void handle(HttpExchange ex, boolean usage) throws IOException {
    try (ex) {
      Map<String, List<String>> q = query(ex.getRequestURI().getRawQuery());
      Map<String, String> headers = new LinkedHashMap<>();
      ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v.get(0)));
      requests.add(new Seen(ex.getRequestURI().getPath(), q, headers));
      if (delayMs > 0) {
        try {
          Thread.sleep(delayMs);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (revoked || !KEY.equals(headers.get("x-api-key"))) {
        send(ex, 401, "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\"}}", null);
        return;
      }
      if (!"2023-06-01".equals(headers.get("anthropic-version"))) {
        send(ex, 400, "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\"}}", null);
        return;
      }
      int offset = offset(q);
      if (usage) {
        Scripted s = scripted(offset);
        if (s != null) {
          if (s.location() != null) ex.getResponseHeaders().set("Location", s.location());
          send(ex, s.status(), s.body(), s.retryAfter());
          return;
        }
      }
      send(ex, 200, usage ? usagePage(q, offset) : costPage(q, offset), null);
    }
  }

  private synchronized Scripted scripted(int offset) {
    Scripted s = script.peek();
    if (s == null) return null;
    int page = pageSize == Integer.MAX_VALUE ? 0 : offset / pageSize;
    if (s.atPage() >= 0 && s.atPage() != page) return null;
    return script.poll();
  }

  private static int offset(Map<String, List<String>> q) {
    List<String> p = q.get("page");
    if (p == null) return 0;
    String token = new String(Base64.getUrlDecoder().decode(p.get(0)), StandardCharsets.UTF_8);
    return Integer.parseInt(token.substring("offset:".length()));
  }

  private synchronized String usagePage(Map<String, List<String>> q, int offset)
      throws IOException {
    long from = Instant.parse(q.get("starting_at").get(0)).getEpochSecond();
    List<Long> starts = new ArrayList<>(buckets.tailMap(from, true).keySet());
    int limit = Math.min(pageSize, Integer.parseInt(q.get("limit").get(0)));
    List<Object> data = new ArrayList<>();
    for (int i = offset; i < Math.min(starts.size(), offset + limit); i++) {
      long s = starts.get(i);
      List<Object> results = new ArrayList<>();
      for (Usage u : buckets.get(s).values()) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("api_key_id", u.apiKeyId());
        r.put("workspace_id", u.workspaceId());
        r.put("model", u.model());
        r.put("service_tier", u.serviceTier());
        r.put("context_window", u.contextWindow());
        r.put("uncached_input_tokens", u.uncachedInput());
        Map<String, Object> cc = new LinkedHashMap<>();
        cc.put("ephemeral_5m_input_tokens", u.write5m());
        cc.put("ephemeral_1h_input_tokens", u.write1h());
        if (unknownFields) cc.put("ephemeral_24h_input_tokens", 7);
        r.put("cache_creation", cc);
        r.put("cache_read_input_tokens", u.cacheRead());
        r.put("output_tokens", u.output());
        r.put("server_tool_use", Map.of("web_search_requests", 3));
        if (unknownFields) {
          r.put("inference_geo", "us");
          r.put("speed_tier", Map.of("fast", true));
        }
        results.add(r);
      }
      data.add(bucket(s, s + width, results));
    }
    return page(data, offset + limit < starts.size() ? offset + limit : -1);
  }

  private synchronized String costPage(Map<String, List<String>> q, int offset) throws IOException {
    LocalDate from =
        Instant.parse(q.get("starting_at").get(0)).atOffset(ZoneOffset.UTC).toLocalDate();
    List<LocalDate> days = new ArrayList<>(costs.tailMap(from, true).keySet());
    int limit = Math.min(pageSize, Integer.parseInt(q.get("limit").get(0)));
    List<Object> data = new ArrayList<>();
    for (int i = offset; i < Math.min(days.size(), offset + limit); i++) {
      LocalDate d = days.get(i);
      List<Object> results = new ArrayList<>();
      for (String a : costs.get(d)) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("currency", "USD");
        r.put("amount", a);
        r.put("cost_type", null);
        results.add(r);
      }
      long s = d.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
      data.add(bucket(s, s + 86_400, results));
    }
    return page(data, offset + limit < days.size() ? offset + limit : -1);
  }

  private Map<String, Object> bucket(long from, long to, List<Object> results) {
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("starting_at", Instant.ofEpochSecond(from).toString());
    b.put("ending_at", Instant.ofEpochSecond(to).toString());
    b.put("results", results);
    if (unknownFields) b.put("granularity", "exact");
    return b;
  }

  private String page(List<Object> data, int nextOffset) throws IOException {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("data", data);
    p.put("has_more", nextOffset >= 0);
    p.put(
        "next_page",
        nextOffset >= 0
            ? Base64.getUrlEncoder()
                .encodeToString(("offset:" + nextOffset).getBytes(StandardCharsets.UTF_8))
            : null);
    if (unknownFields) p.put("object", "page");
    return JSON.writeValueAsString(p);
  }

  private static Map<String, List<String>> query(String raw) {
    Map<String, List<String>> q = new LinkedHashMap<>();
    if (raw == null) return q;
    for (String kv : raw.split("&")) {
      int eq = kv.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
      q.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
    }
    return q;
  }

  private static void send(HttpExchange ex, int status, String body, String retryAfter)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    if (retryAfter != null) ex.getResponseHeaders().set("retry-after", retryAfter);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
