package dev.aicost.source.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aicost.collect.SourceContext;
import dev.aicost.collect.SourceException;
import dev.aicost.httpclient.BodyTooLargeException;
import dev.aicost.httpclient.CappedBody;
import dev.aicost.source.AdminApiFailures;
import dev.aicost.source.AdminKey;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * OpenAI's usage and costs API over OkHttp, read with Jackson: unknown fields are ignored, absent
 * optional fields are null, a body larger than the cap is refused before it is held in memory.
 */
public final class HttpOpenAiUsageApi implements OpenAiUsageApi {
  public static final String DEFAULT_BASE = "https://api.openai.com/v1";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Larger than any real count, small enough that sums of a day cannot overflow a long. */
  static final long ABSURD = 1L << 50;

  private final OkHttpClient http;
  private final HttpUrl base;
  private final AdminKey key;
  private final long maxBytes;
  private final Duration timeout;

  /**
   * @param key the admin key, read per call (a rotated file applies at the next poll); a missing or
   *     unusable one fails the call with reason {@code config} before anything is sent
   */
  public HttpOpenAiUsageApi(
      OkHttpClient shared, String baseUrl, AdminKey key, Duration timeout, long maxBytes) {
    this.http =
        shared
            .newBuilder()
            .callTimeout(timeout)
            .connectTimeout(timeout)
            .readTimeout(timeout)
            .followRedirects(false) // a redirect would carry the key to wherever it points
            .build();
    this.base = HttpUrl.get(apiRoot(baseUrl));
    this.key = key;
    this.maxBytes = maxBytes;
    this.timeout = timeout;
  }

  /** {@code base_url} with or without {@code /v1} (and trailing slashes) → the {@code /v1} root. */
  public static String apiRoot(String baseUrl) {
    String b = baseUrl == null || baseUrl.isBlank() ? DEFAULT_BASE : baseUrl.strip();
    while (b.endsWith("/")) b = b.substring(0, b.length() - 1);
    return b.endsWith("/v1") ? b : b + "/v1";
  }

  @Override
  public String target() {
    // user:password in base_url (a proxy's) never reaches the status page or a message
    return base.newBuilder().username("").password("").build().toString();
  }

  @Override
  public UsagePage usage(UsageQuery q, String page, SourceContext ctx) throws SourceException {
    HttpUrl.Builder u =
        base.newBuilder()
            .addPathSegments("organization/usage/" + q.endpoint())
            .addQueryParameter("start_time", Long.toString(q.startTime()))
            .addQueryParameter("bucket_width", q.bucketWidth())
            .addQueryParameter("limit", Integer.toString(q.limit()));
    for (String g : q.groupBy()) u.addQueryParameter("group_by", g);
    if (page != null) u.addQueryParameter("page", page);
    String op = "usage_" + q.endpoint();
    JsonNode root = get(u.build(), op, ctx);
    List<UsageBucket> buckets = new ArrayList<>();
    for (JsonNode b : data(root, op)) {
      List<UsageResult> results = new ArrayList<>();
      for (JsonNode r : b.path("results")) results.add(result(r));
      buckets.add(new UsageBucket(time(b, "start_time", op), time(b, "end_time", op), results));
    }
    return new UsagePage(buckets, next(root));
  }

  @Override
  public CostPage costs(long startTime, int days, String page, SourceContext ctx)
      throws SourceException {
    HttpUrl.Builder u =
        base.newBuilder()
            .addPathSegments("organization/costs")
            .addQueryParameter("start_time", Long.toString(startTime))
            .addQueryParameter("bucket_width", "1d")
            .addQueryParameter("limit", Integer.toString(days))
            .addQueryParameter("group_by", "project_id")
            .addQueryParameter("group_by", "line_item");
    if (page != null) u.addQueryParameter("page", page);
    JsonNode root = get(u.build(), "costs", ctx);
    List<CostBucket> buckets = new ArrayList<>();
    for (JsonNode b : data(root, "costs")) {
      double usd = 0;
      String bad = null;
      for (JsonNode r : b.path("results")) {
        JsonNode amount = r.path("amount");
        JsonNode value = amount.path("value");
        String currency = amount.path("currency").asText("usd");
        if (!value.isNumber() || !Double.isFinite(value.asDouble()))
          bad = "amount.value=" + clip(value.toString());
        else if (!currency.equalsIgnoreCase("usd")) bad = "amount.currency=" + clip(currency);
        else usd += value.asDouble(); // credits and refunds may be negative: the bill says so
      }
      buckets.add(new CostBucket(time(b, "start_time", "costs"), usd, bad));
    }
    return new CostPage(buckets, next(root));
  }

  private static UsageResult result(JsonNode r) {
    String[] bad = {null};
    return new UsageResult(
        count(r, "input_tokens", bad),
        count(r, "output_tokens", bad),
        count(r, "num_model_requests", bad),
        count(r, "input_cached_tokens", bad),
        count(r, "input_cache_write_tokens", bad),
        count(r, "input_uncached_tokens", bad),
        text(r, "project_id"),
        text(r, "api_key_id"),
        text(r, "model"),
        r.path("batch").isBoolean() ? r.path("batch").asBoolean() : null,
        text(r, "service_tier"),
        bad[0]);
  }

  /** A token or request count: null when absent; anything but 0..ABSURD is named in bad. */
  private static Long count(JsonNode r, String field, String[] bad) {
    JsonNode n = r.get(field);
    if (n == null || n.isNull()) return null;
    if (n.canConvertToLong() && n.isIntegralNumber() && n.asLong() >= 0 && n.asLong() <= ABSURD)
      return n.asLong();
    if (bad[0] == null) bad[0] = field + "=" + clip(n.toString());
    return null;
  }

  private static String text(JsonNode r, String field) {
    JsonNode n = r.get(field);
    return n == null || n.isNull() ? null : n.isTextual() ? n.asText() : n.toString();
  }

  private static Iterable<JsonNode> data(JsonNode root, String op) throws SourceException {
    JsonNode data = root.get("data");
    if (data == null || !data.isArray())
      throw new SourceException("parse", op + ": response has no data array");
    return data;
  }

  private static long time(JsonNode b, String field, String op) throws SourceException {
    JsonNode n = b.get(field);
    if (n == null || !n.isIntegralNumber())
      throw new SourceException("parse", op + ": a bucket without an integer " + field);
    return n.asLong();
  }

  private static String next(JsonNode root) {
    JsonNode more = root.get("has_more");
    JsonNode next = root.get("next_page");
    if (more != null && more.isBoolean() && !more.asBoolean()) return null;
    return next == null || next.isNull() || next.asText().isEmpty() ? null : next.asText();
  }

  private JsonNode get(HttpUrl url, String op, SourceContext ctx) throws SourceException {
    String k = key.read();
    Request req =
        new Request.Builder()
            .url(url)
            .header("Authorization", "Bearer " + k)
            .header("Accept", "application/json")
            .header("User-Agent", "aicost-exporter")
            .build();
    String where = url.encodedPath();
    try (Response resp = http.newCall(req).execute()) {
      int code = resp.code();
      AdminApiFailures.refusedKey(
          code, op, where, key, "revoked, or not an organisation admin key", ctx);
      if (code == 429) {
        ctx.upstreamCall(op, "http_429");
        long wait = retryAfter(resp.header("Retry-After"));
        throw new RateLimited(
            where + " answered HTTP 429 (rate limited); retry-after " + wait + "s", wait);
      }
      if (code != 200) {
        ctx.upstreamCall(op, "http_" + code);
        throw new SourceException("http_status", where + " answered HTTP " + code);
      }
      CappedBody body;
      try {
        body = CappedBody.read(resp, maxBytes);
      } catch (BodyTooLargeException tooLarge) {
        ctx.upstreamCall(op, "too_large");
        throw tooLarge(where);
      }
      JsonNode root;
      try {
        root = JSON.readTree(body.buffer(), 0, body.length());
      } catch (IOException e) {
        ctx.upstreamCall(op, "parse_error");
        throw new SourceException("parse", where + " answered with malformed JSON");
      }
      if (root == null || !root.isObject()) {
        ctx.upstreamCall(op, "parse_error");
        throw new SourceException("parse", where + " answered with JSON that is not an object");
      }
      ctx.upstreamCall(op, "success");
      return root;
    } catch (SourceException e) {
      throw e;
    } catch (IOException e) { // timeouts, refused connections, broken bodies
      throw AdminApiFailures.transport(e, op, where, base.host(), timeout, ctx);
    }
  }

  /**
   * Seconds to hold off: seconds or an HTTP date, at most an hour ({@link
   * AdminApiFailures#retryAfter}); absent or unreadable: one minute.
   */
  static long retryAfter(String header) {
    Duration d = AdminApiFailures.retryAfter(header);
    return d == null ? 60 : d.toSeconds();
  }

  private SourceException tooLarge(String where) {
    return new SourceException(
        "too_large",
        where + " answered more than " + maxBytes + " bytes (limits.max_scrape_bytes)");
  }

  private static String clip(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
