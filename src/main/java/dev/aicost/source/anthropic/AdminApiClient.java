package dev.aicost.source.anthropic;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.aicost.collect.SourceContext;
import dev.aicost.collect.SourceException;
import dev.aicost.source.AdminApiFailures;
import dev.aicost.source.AdminKey;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;

/**
 * The Admin API's {@code usage_report/messages} and {@code cost_report}, over OkHttp. Every page is
 * read before anything is returned; any failure fails the call. The admin key goes into the {@code
 * x-api-key} header and nowhere else: messages name the base URL and where the key came from.
 */
public final class AdminApiClient implements AnthropicAdminApi {
  public static final String DEFAULT_BASE_URL = "https://api.anthropic.com/v1";
  static final String API_VERSION = "2023-06-01";
  static final List<String> GROUP_BY =
      List.of("api_key_id", "workspace_id", "model", "service_tier", "context_window");

  /** Cost days per page (1d buckets). */
  static final int COST_LIMIT = 7;

  /** The largest page read (a page of 168 hourly buckets x 1000 groups is about 60 MB). */
  static final long MAX_PAGE_BYTES = 128L << 20;

  /** More pages than this in one call means a cursor that never ends. */
  static final int MAX_PAGES = 1000;

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .configure(DeserializationFeature.ACCEPT_FLOAT_AS_INT, false);

  private final OkHttpClient http;
  private final HttpUrl base;
  private final AdminKey key;
  private final String userAgent;
  private final Duration timeout;
  private final long maxPageBytes;

  // the wire form; unknown fields are ignored, absent ones are null
  record Page<T>(List<T> data, Boolean hasMore, String nextPage) {}

  record UsageBucket(String startingAt, String endingAt, List<UsageResult> results) {}

  // snake-casing would not split "5m"/"1h" from "ephemeral": named as the wire names them
  record CacheCreation(
      @JsonProperty("ephemeral_5m_input_tokens") Long ephemeral5mInputTokens,
      @JsonProperty("ephemeral_1h_input_tokens") Long ephemeral1hInputTokens) {}

  record UsageResult(
      String apiKeyId,
      String workspaceId,
      String model,
      String serviceTier,
      String contextWindow,
      Long uncachedInputTokens,
      CacheCreation cacheCreation,
      Long cacheReadInputTokens,
      Long outputTokens) {}

  record CostBucket(String startingAt, String endingAt, List<CostResult> results) {}

  record CostResult(String currency, JsonNode amount) {}

  public AdminApiClient(
      OkHttpClient shared, String baseUrl, AdminKey key, Duration timeout, String userAgent) {
    this(shared, baseUrl, key, timeout, userAgent, MAX_PAGE_BYTES);
  }

  AdminApiClient(
      OkHttpClient shared,
      String baseUrl,
      AdminKey key,
      Duration timeout,
      String userAgent,
      long maxPageBytes) {
    this.maxPageBytes = maxPageBytes;
    this.http =
        shared
            .newBuilder()
            .callTimeout(timeout)
            .connectTimeout(timeout)
            .readTimeout(timeout)
            // OkHttp drops Authorization on a cross-host redirect, not x-api-key: never follow one
            .followRedirects(false)
            .followSslRedirects(false)
            .build();
    this.base = HttpUrl.get(apiRoot(baseUrl));
    this.key = key;
    this.userAgent = userAgent;
    this.timeout = timeout;
  }

  /**
   * The API root ending in {@code /v1}, from a base URL given with or without it (and with or
   * without a trailing slash); null is the public API. User info is dropped.
   */
  static String apiRoot(String baseUrl) {
    String b = baseUrl == null || baseUrl.isBlank() ? DEFAULT_BASE_URL : baseUrl.trim();
    while (b.endsWith("/")) b = b.substring(0, b.length() - 1);
    if (!b.endsWith("/v1")) b = b + "/v1";
    HttpUrl u = HttpUrl.get(b);
    return u.newBuilder().username("").password("").build().toString();
  }

  /** The API root, for the status page (no credentials). */
  public String target() {
    return base.toString();
  }

  @Override
  public List<UsageReport.Row> usage(Instant startingAt, BucketWidth width, SourceContext ctx)
      throws SourceException {
    String secret = key.read();
    List<UsageReport.Row> rows = new ArrayList<>();
    Set<String> cursors = new HashSet<>();
    String page = null;
    for (int n = 0; ; n++) {
      HttpUrl.Builder url =
          base.newBuilder()
              .addPathSegments("organizations/usage_report/messages")
              .addQueryParameter("starting_at", rfc3339(startingAt))
              .addQueryParameter("bucket_width", width.param())
              .addQueryParameter("limit", Integer.toString(width.maxLimit()));
      for (String g : GROUP_BY) url.addQueryParameter("group_by[]", g);
      if (page != null) url.addQueryParameter("page", page);
      Page<UsageBucket> p = get(url.build(), "usage_report", secret, ctx, USAGE_PAGE);
      try {
        for (UsageBucket b : nonNull(p.data())) rows.addAll(rows(b));
      } catch (IllegalArgumentException e) {
        ctx.upstreamCall("usage_report", "parse_error");
        throw new SourceException(
            "parse", "usage report from " + base + " has an impossible value: " + e.getMessage());
      }
      ctx.upstreamCall("usage_report", "success");
      page = next(p, "usage report", cursors, n);
      if (page == null) return rows;
    }
  }

  @Override
  public List<UsageReport.CostDay> cost(LocalDate from, SourceContext ctx) throws SourceException {
    String secret = key.read();
    TreeMap<LocalDate, BigDecimal> days = new TreeMap<>();
    Set<String> cursors = new HashSet<>();
    String page = null;
    for (int n = 0; ; n++) {
      HttpUrl.Builder url =
          base.newBuilder()
              .addPathSegments("organizations/cost_report")
              .addQueryParameter(
                  "starting_at", rfc3339(from.atStartOfDay(ZoneOffset.UTC).toInstant()))
              .addQueryParameter("bucket_width", "1d")
              .addQueryParameter("limit", Integer.toString(COST_LIMIT));
      if (page != null) url.addQueryParameter("page", page);
      Page<CostBucket> p = get(url.build(), "cost_report", secret, ctx, COST_PAGE);
      try {
        for (CostBucket b : nonNull(p.data())) {
          LocalDate day =
              instant(b.startingAt(), "starting_at").atOffset(ZoneOffset.UTC).toLocalDate();
          BigDecimal cents = days.getOrDefault(day, BigDecimal.ZERO);
          for (CostResult r : nonNull(b.results())) cents = cents.add(cents(r));
          days.put(day, cents);
        }
      } catch (IllegalArgumentException e) {
        ctx.upstreamCall("cost_report", "parse_error");
        throw new SourceException(
            "parse", "cost report from " + base + " has an impossible value: " + e.getMessage());
      }
      ctx.upstreamCall("cost_report", "success");
      page = next(p, "cost report", cursors, n);
      if (page == null) break;
    }
    List<UsageReport.CostDay> out = new ArrayList<>();
    // amounts are cents as decimal strings: "123.45" is $1.2345
    days.forEach((d, c) -> out.add(new UsageReport.CostDay(d, c.movePointLeft(2))));
    return out;
  }

  private static BigDecimal cents(CostResult r) {
    if (r.currency() != null && !r.currency().equalsIgnoreCase("USD"))
      throw new IllegalArgumentException("currency \"" + r.currency() + "\" is not USD");
    JsonNode a = r.amount();
    if (a == null || a.isNull()) return BigDecimal.ZERO;
    if (!a.isTextual() && !a.isNumber())
      throw new IllegalArgumentException("amount is not a decimal string");
    try {
      return new BigDecimal(a.asText().trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("amount \"" + clip(a.asText()) + "\" is not a decimal");
    }
  }

  private static List<UsageReport.Row> rows(UsageBucket b) {
    Instant start = instant(b.startingAt(), "starting_at");
    Instant end = b.endingAt() == null ? null : instant(b.endingAt(), "ending_at");
    List<UsageReport.Row> out = new ArrayList<>();
    for (UsageResult r : nonNull(b.results())) {
      if (r == null) continue;
      CacheCreation cc = r.cacheCreation();
      out.add(
          new UsageReport.Row(
              start,
              end,
              r.apiKeyId(),
              r.workspaceId(),
              r.model(),
              r.serviceTier(),
              r.contextWindow(),
              tokens(r.uncachedInputTokens(), "uncached_input_tokens"),
              tokens(r.cacheReadInputTokens(), "cache_read_input_tokens"),
              tokens(cc == null ? null : cc.ephemeral5mInputTokens(), "ephemeral_5m_input_tokens"),
              tokens(cc == null ? null : cc.ephemeral1hInputTokens(), "ephemeral_1h_input_tokens"),
              tokens(r.outputTokens(), "output_tokens")));
    }
    return out;
  }

  private static long tokens(Long v, String field) {
    if (v == null) return 0; // optional fields that are absent count nothing
    if (v < 0) throw new IllegalArgumentException(field + " is negative (" + v + ")");
    return v;
  }

  private static Instant instant(String text, String field) {
    if (text == null) throw new IllegalArgumentException("bucket without " + field);
    try {
      return ZonedDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(field + " \"" + clip(text) + "\" is not RFC 3339");
    }
  }

  private static <T> List<T> nonNull(List<T> l) {
    return l == null ? List.of() : l;
  }

  /** The next page's cursor, or null at the end; a cursor seen before is a loop. */
  private String next(Page<?> p, String what, Set<String> cursors, int n) throws SourceException {
    if (!Boolean.TRUE.equals(p.hasMore())) return null;
    String c = p.nextPage();
    if (c == null || c.isEmpty())
      throw new SourceException(
          "parse", what + " from " + base + " says has_more without next_page");
    if (!cursors.add(c) || n + 1 >= MAX_PAGES)
      throw new SourceException(
          "parse", what + " from " + base + " repeats its next_page cursor; not counted");
    return c;
  }

  private interface Reader<T> {
    T read(byte[] body) throws IOException;
  }

  private static final Reader<Page<UsageBucket>> USAGE_PAGE =
      b ->
          JSON.readValue(
              b, JSON.getTypeFactory().constructParametricType(Page.class, UsageBucket.class));
  private static final Reader<Page<CostBucket>> COST_PAGE =
      b ->
          JSON.readValue(
              b, JSON.getTypeFactory().constructParametricType(Page.class, CostBucket.class));

  private <T> T get(HttpUrl url, String op, String secret, SourceContext ctx, Reader<T> reader)
      throws SourceException {
    Request req =
        new Request.Builder()
            .url(url)
            .header("x-api-key", secret)
            .header("anthropic-version", API_VERSION)
            .header("User-Agent", userAgent)
            .header("Accept", "application/json")
            .build();
    byte[] body;
    try (Response resp = http.newCall(req).execute()) {
      int code = resp.code();
      AdminApiFailures.refusedKey(
          code,
          op,
          base + " (" + op + ")",
          key,
          "revoked, expired, or not an admin key: sk-ant-admin...",
          ctx);
      if (code == 429) {
        ctx.upstreamCall(op, "http_429");
        Duration wait = AdminApiFailures.retryAfter(resp.header("retry-after"));
        throw new RateLimitedException(
            base
                + " rate-limited the "
                + op
                + " call (HTTP 429"
                + (wait == null ? "" : ", retry-after " + wait.toSeconds() + "s")
                + ")",
            wait);
      }
      if (!resp.isSuccessful()) {
        ctx.upstreamCall(op, "http_" + code);
        throw new SourceException("http_status", base + " answered HTTP " + code + " to " + op);
      }
      ResponseBody rb = resp.body();
      BufferedSource src = rb.source();
      // a page bigger than this is refused before it fills the heap; request() buffers at most that
      if (rb.contentLength() > maxPageBytes || src.request(maxPageBytes + 1)) {
        ctx.upstreamCall(op, "too_large");
        throw new SourceException(
            "too_large",
            op + " page from " + base + " exceeds " + (maxPageBytes >> 20) + " MiB; not counted");
      }
      body = src.readByteArray();
    } catch (SourceException e) {
      throw e;
    } catch (IOException e) { // timeouts, refused connections, broken bodies
      throw AdminApiFailures.transport(e, op, op + " from " + base, base.toString(), timeout, ctx);
    }
    try {
      T page = reader.read(body);
      if (page == null) throw new JsonProcessingException("empty body") {};
      return page;
    } catch (IOException e) {
      ctx.upstreamCall(op, "parse_error");
      throw new SourceException(
          "parse", op + " from " + base + " is not the documented JSON: " + firstLine(e));
    }
  }

  static String rfc3339(Instant t) {
    return DateTimeFormatter.ISO_INSTANT.format(t);
  }

  private static String firstLine(IOException e) {
    String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    if (m == null) return e.getClass().getSimpleName();
    int nl = m.indexOf('\n');
    return clip(nl < 0 ? m : m.substring(0, nl));
  }

  private static String clip(String s) {
    return s.length() > 120 ? s.substring(0, 120) + "..." : s;
  }
}
