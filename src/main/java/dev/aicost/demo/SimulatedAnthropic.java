package dev.aicost.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A simulated Anthropic Admin API on a loopback port, for {@code --demo}: the usage report ({@code
 * usage_report/messages}, 1m/1h buckets, pages) and the cost report (1d, cents as decimal strings)
 * of a few workspaces whose traffic follows a daily curve. Usage shows up a minute late and the
 * current bucket grows while it lasts, as the real one does. It answers only to its own random
 * admin key, which stays in memory: the demo hands it to its source in-process.
 */
public final class SimulatedAnthropic implements AutoCloseable {
  /** One (workspace, key, model, tier, context window) group: tokens per second at the mean. */
  public record Group(
      String workspaceId,
      String apiKeyId,
      String model,
      String serviceTier,
      String contextWindow,
      double inputPerSecond,
      double cacheReadPerSecond,
      double write5mPerSecond,
      double write1hPerSecond,
      double outputPerSecond,
      double inputUsdPerMillion,
      double outputUsdPerMillion) {}

  /** Reported usage lags the requests by this much. */
  static final long LAG_SECONDS = 60;

  /** The simulated organisation's usage begins this long before the simulator starts. */
  static final long OPENED_BEFORE_START = 3600;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long DAY = 86_400;

  private final Clock clock;
  private final List<Group> groups;
  private final String key;
  private final HttpServer server;
  private final long opened;

  public SimulatedAnthropic(Clock clock, List<Group> groups) throws IOException {
    this.clock = clock;
    this.groups = List.copyOf(groups);
    // the organisation has used the API for an hour (the demo source's backfill): before that, the
    // reports are empty, so the bill and the counted usage cover the same span
    this.opened = clock.instant().getEpochSecond() - OPENED_BEFORE_START;
    byte[] r = new byte[16];
    new SecureRandom().nextBytes(r);
    this.key = "sk-ant-admin01-demo-" + HexFormat.of().formatHex(r);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/v1/organizations/usage_report/messages", ex -> answer(ex, true));
    server.createContext("/v1/organizations/cost_report", ex -> answer(ex, false));
    server.start();
  }

  /** The API root without {@code /v1}: the source adds it, as it does for a proxy's base URL. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The admin key this API accepts; never printed. */
  public String key() {
    return key;
  }

  /**
   * Tokens of one type a group used in [0, t): rate x (t + a daily swing that never runs
   * backwards).
   */
  static double cumulative(double perSecond, long t) {
    return perSecond * (t - 0.6 * DAY / (2 * Math.PI) * Math.cos(2 * Math.PI * t / DAY));
  }

  /** Whole tokens in [from, to) of one type. */
  static long tokens(double perSecond, long from, long to) {
    if (to <= from) return 0;
    return (long) Math.floor(cumulative(perSecond, to))
        - (long) Math.floor(cumulative(perSecond, from));
  }

  private void answer(HttpExchange ex, boolean usage) throws IOException {
    try (ex) {
      if (!key.equals(ex.getRequestHeaders().getFirst("x-api-key"))) {
        send(ex, 401, Map.of("type", "error", "error", Map.of("type", "authentication_error")));
        return;
      }
      Map<String, String> q = query(ex.getRequestURI().getRawQuery());
      long now = clock.instant().getEpochSecond();
      long width = usage ? ("1m".equals(q.get("bucket_width")) ? 60 : 3600) : DAY;
      long start, first;
      int limit;
      try {
        start = Instant.parse(q.getOrDefault("starting_at", "")).getEpochSecond();
        start = Math.floorDiv(start, width) * width;
        limit = Math.max(1, Integer.parseInt(q.getOrDefault("limit", "7")));
        first = start + width * Long.parseLong(q.getOrDefault("page", "0"));
      } catch (RuntimeException e) {
        send(ex, 400, Map.of("type", "error", "error", Map.of("type", "invalid_request_error")));
        return;
      }
      List<Object> data = new ArrayList<>();
      long b = first;
      for (; b < now && data.size() < limit; b += width)
        data.add(usage ? usageBucket(b, b + width, now) : costBucket(b, b + width, now));
      Map<String, Object> page = new LinkedHashMap<>();
      page.put("data", data);
      page.put("has_more", b < now);
      page.put("next_page", b < now ? Long.toString((b - start) / width) : null);
      send(ex, 200, page);
    }
  }

  private Map<String, Object> usageBucket(long bucketStart, long to, long now) {
    long from = Math.max(bucketStart, opened);
    long seen = Math.min(to, now - LAG_SECONDS);
    List<Object> results = new ArrayList<>();
    for (Group g : groups) {
      if (seen <= from) break;
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("api_key_id", g.apiKeyId());
      r.put("workspace_id", g.workspaceId());
      r.put("model", g.model());
      r.put("service_tier", g.serviceTier());
      r.put("context_window", g.contextWindow());
      r.put("uncached_input_tokens", tokens(g.inputPerSecond(), from, seen));
      r.put(
          "cache_creation",
          Map.of(
              "ephemeral_5m_input_tokens", tokens(g.write5mPerSecond(), from, seen),
              "ephemeral_1h_input_tokens", tokens(g.write1hPerSecond(), from, seen)));
      r.put("cache_read_input_tokens", tokens(g.cacheReadPerSecond(), from, seen));
      r.put("output_tokens", tokens(g.outputPerSecond(), from, seen));
      r.put("server_tool_use", Map.of("web_search_requests", 0));
      results.add(r);
    }
    return bucket(bucketStart, to, results);
  }

  /** The day's list-price cost in cents, as the decimal string the real report sends. */
  private Map<String, Object> costBucket(long dayStart, long to, long now) {
    long from = Math.max(dayStart, opened);
    long seen = Math.min(to, now - LAG_SECONDS);
    double usd = 0;
    for (Group g : groups) {
      double in = g.inputUsdPerMillion() / 1e6;
      usd +=
          in
                  * (tokens(g.inputPerSecond(), from, seen)
                      + 0.1 * tokens(g.cacheReadPerSecond(), from, seen)
                      + 1.25 * tokens(g.write5mPerSecond(), from, seen)
                      + 2 * tokens(g.write1hPerSecond(), from, seen))
              + g.outputUsdPerMillion() / 1e6 * tokens(g.outputPerSecond(), from, seen);
    }
    String cents = BigDecimal.valueOf(usd * 100).setScale(6, RoundingMode.HALF_UP).toPlainString();
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("currency", "USD");
    r.put("amount", cents);
    return bucket(dayStart, to, List.of(r));
  }

  private static Map<String, Object> bucket(long from, long to, List<Object> results) {
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("starting_at", rfc3339(from));
    b.put("ending_at", rfc3339(to));
    b.put("results", results);
    return b;
  }

  private static String rfc3339(long t) {
    return DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(t).atOffset(ZoneOffset.UTC));
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new HashMap<>();
    if (raw == null) return q;
    for (String kv : raw.split("&")) {
      int eq = kv.indexOf('=');
      if (eq < 0) continue;
      q.putIfAbsent(
          URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return q;
  }

  private static void send(HttpExchange ex, int status, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
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
