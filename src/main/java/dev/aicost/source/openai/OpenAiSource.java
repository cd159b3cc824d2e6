package dev.aicost.source.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aicost.collect.Batch;
import dev.aicost.collect.Source;
import dev.aicost.collect.SourceContext;
import dev.aicost.collect.SourceException;
import dev.aicost.config.ManagedApiSourceConfig;
import dev.aicost.model.BilledAmount;
import dev.aicost.model.TokenCounts;
import dev.aicost.model.UsageDelta;
import dev.aicost.source.buckets.BucketTally;
import dev.aicost.source.openai.OpenAiUsageApi.CostBucket;
import dev.aicost.source.openai.OpenAiUsageApi.CostPage;
import dev.aicost.source.openai.OpenAiUsageApi.UsageBucket;
import dev.aicost.source.openai.OpenAiUsageApi.UsagePage;
import dev.aicost.source.openai.OpenAiUsageApi.UsageQuery;
import dev.aicost.source.openai.OpenAiUsageApi.UsageResult;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenAI organisation's usage ({@code completions} and {@code embeddings}, the usage endpoints
 * that carry tokens) and what its costs endpoint says was billed per day.
 *
 * <p>Exactly once: every poll re-reads the buckets from the committed floor on (all pages; any
 * failure fails the poll, nothing counted), and {@link BucketTally} counts per (bucket, group) only
 * the growth over what was already counted. The tally's state is the checkpoint, so a restart
 * neither repeats nor loses. Each reading is {@code [input uncached, cache_read, cache_write,
 * output, requests]}.
 */
public final class OpenAiSource implements Source {
  private static final Logger log = LoggerFactory.getLogger(OpenAiSource.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  public static final String PROVIDER = "openai";

  /** The service label of billed amounts (the costs endpoint covers the whole API). */
  public static final String BILLED_SERVICE = "api";

  static final int FIELDS = 5;

  /** Days of costs re-read each poll: today and the two before (late revisions). */
  static final int COST_DAYS = 3;

  /** A cursor that never ends is a broken upstream, not a big organisation. */
  static final int MAX_PAGES = 500;

  static final List<String> ERROR_REASONS =
      List.of(
          "auth",
          "bad_value",
          "bucket_shrank",
          "config",
          "connect",
          "duplicate_bucket",
          "http_status",
          "io",
          "parse",
          "rate_limited",
          "timeout",
          "too_large");

  /** Usage endpoints read, with the group_by each accepts. */
  static final Map<String, List<String>> ENDPOINTS =
      Map.of(
          "completions",
          List.of("project_id", "api_key_id", "model", "batch", "service_tier"),
          "embeddings",
          List.of("project_id", "api_key_id", "model"));

  static final List<String> ENDPOINT_ORDER = List.of("completions", "embeddings");

  private final String name;
  private final ManagedApiSourceConfig cfg;
  private final OpenAiUsageApi api;
  private final long width;
  private final int maxLimit;

  /**
   * Buckets asked for per page: the API's maximum, divided by 4 after each page over {@code
   * limits.max_scrape_bytes} (a large organisation's minute buckets), so the source gets through.
   */
  private volatile int limit;

  private final BucketTally tally = new BucketTally(FIELDS);

  /** Null until the first collect (its floor is relative to that poll) unless restored. */
  private volatile BucketTally.State committed;

  /** A checkpoint was unreadable: the first poll counts only buckets that start after it. */
  private volatile boolean blind;

  /** No call before this instant (an HTTP 429's retry-after). */
  private volatile Instant quietUntil = Instant.MIN;

  public OpenAiSource(String name, ManagedApiSourceConfig cfg, OpenAiUsageApi api) {
    this.name = name;
    this.cfg = cfg;
    this.api = api;
    this.width = widthSeconds(cfg.bucketWidth());
    this.maxLimit = width == 60 ? 1440 : 168; // the API's maximum for the width
    this.limit = maxLimit;
  }

  static long widthSeconds(String bucketWidth) {
    return switch (bucketWidth) {
      case "1m" -> 60;
      case "1h" -> 3600;
      default -> throw new IllegalArgumentException("bucket_width must be 1m or 1h");
    };
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String target() {
    return api.target();
  }

  @Override
  public Duration interval() {
    return cfg.interval();
  }

  @Override
  public List<String> errorReasons() {
    return ERROR_REASONS;
  }

  @Override
  public void restore(String checkpointJson) {
    if (checkpointJson == null) return;
    try {
      JsonNode cp = JSON.readTree(checkpointJson);
      if (cp == null || !cp.path("bucket_width").isTextual() || !cp.path("tally").isObject())
        throw new IllegalArgumentException("not an OpenAI source checkpoint");
      BucketTally.State state = BucketTally.State.fromJson(cp.get("tally").toString());
      String was = cp.get("bucket_width").asText();
      committed = was.equals(cfg.bucketWidth()) ? state : rebucketed(state, was);
    } catch (IOException | RuntimeException e) {
      blind = true;
      log.warn(
          "event=checkpoint_unreadable collector={} error=\"{}\" effect=\"counting starts with the next bucket; usage of the current one may be missed, none is counted twice\"",
          name,
          e.getMessage());
    }
  }

  /**
   * bucket_width changed: buckets of the new width overlap the counted ones under other keys, so
   * counting resumes at the first new bucket after every counted one (the rest of the last counted
   * bucket may be missed; nothing is counted twice).
   */
  private BucketTally.State rebucketed(BucketTally.State old, String was) {
    long oldWidth = widthSeconds(was);
    long end = old.floor();
    for (BucketTally.Key k : old.counted().keySet()) end = Math.max(end, k.start() + oldWidth);
    long floor = Math.floorDiv(end + width - 1, width) * width;
    log.warn(
        "event=bucket_width_changed collector={} from={} to={} counting_from={} effect=\"usage between the last counted bucket and this time may be missed, none is counted twice\"",
        name,
        was,
        cfg.bucketWidth(),
        Instant.ofEpochSecond(floor));
    return BucketTally.State.initial(floor);
  }

  /** The checkpoint: the tally's state and the bucket width its keys are in. */
  private String checkpoint(BucketTally.State next) {
    ObjectNode cp = JSON.createObjectNode();
    cp.put("bucket_width", cfg.bucketWidth());
    try {
      cp.set("tally", JSON.readTree(next.toJson()));
    } catch (IOException e) {
      throw new IllegalStateException("tally state not serialisable", e);
    }
    return cp.toString();
  }

  private long align(long epochSecond) {
    return BucketTally.alignDown(epochSecond, width);
  }

  @Override
  public Batch collect(Instant now, SourceContext ctx) throws SourceException {
    if (now.isBefore(quietUntil))
      throw new SourceException(
          "rate_limited",
          "rate limited by " + api.target() + ": no call before " + quietUntil + " (retry-after)");
    long nowS = now.getEpochSecond();
    BucketTally.State prev = committed;
    if (prev == null)
      prev =
          BucketTally.State.initial(
              blind ? align(nowS) + width : align(nowS - cfg.backfill().toSeconds()));
    long floor = prev.floor();

    // a floor after now (a fresh start after an unreadable checkpoint) is never asked for: the API
    // may refuse a start_time in the future; the buckets before the floor are ignored
    long from = Math.min(floor, align(nowS));
    Map<BucketTally.Key, long[]> readings = new HashMap<>();
    try {
      for (String endpoint : ENDPOINT_ORDER) read(endpoint, from, floor, readings, ctx);
    } catch (OpenAiUsageApi.RateLimited e) {
      quietUntil = now.plusSeconds(e.retryAfterSeconds());
      throw e;
    } catch (SourceException e) {
      if (!e.reason().equals("too_large") || limit == 1) throw e;
      limit = Math.max(1, limit / 4);
      log.warn(
          "event=page_limit_lowered collector={} buckets_per_page={} effect=\"smaller pages from the next poll on\"",
          name,
          limit);
      throw new SourceException(
          "too_large", e.getMessage() + "; the next poll asks for " + limit + " buckets per page");
    }
    long newFloor = Math.max(floor, align(nowS - cfg.window().toSeconds()));
    BucketTally.Result r = tally.reconcile(prev, readings, newFloor);
    if (!r.shrinks().isEmpty()) shrank(r.shrinks(), ctx);
    List<UsageDelta> usage = new ArrayList<>();
    for (BucketTally.Change c : r.growth()) {
      UsageDelta u = delta(c);
      if (u != null) usage.add(u);
    }
    List<BilledAmount> billed = billed(now, ctx);
    return Batch.managed(usage, billed, List.of(), checkpoint(r.next()), r.next());
  }

  @Override
  public void committed(Batch batch) {
    committed = (BucketTally.State) batch.nextState();
    blind = false;
  }

  /** Every page of one usage endpoint from {@code floor} on, into {@code readings}. */
  private void read(
      String endpoint,
      long from,
      long floor,
      Map<BucketTally.Key, long[]> readings,
      SourceContext ctx)
      throws SourceException {
    UsageQuery q =
        new UsageQuery(endpoint, from, cfg.bucketWidth(), limit, ENDPOINTS.get(endpoint));
    Set<Long> seen = new HashSet<>();
    Problems bad = new Problems();
    int duplicates = 0;
    String page = null;
    for (int n = 0; ; n++) {
      if (n == MAX_PAGES)
        throw new SourceException(
            "parse", endpoint + " usage: more than " + MAX_PAGES + " pages; the cursor never ends");
      UsagePage p = api.usage(q, page, ctx);
      for (UsageBucket b : p.buckets()) {
        if (b.start() % width != 0 || b.end() != b.start() + width) {
          bad.add(
              "bucket " + b.start() + ".." + b.end() + " is not one aligned " + width + "s bucket");
          continue;
        }
        if (!seen.add(b.start())) { // a page repeated: its bucket counts once
          duplicates++;
          continue;
        }
        if (b.start() < floor) continue;
        for (UsageResult res : b.results()) {
          long[] v = values(res, bad);
          if (v == null) continue;
          BucketTally.Key key = new BucketTally.Key(b.start(), group(endpoint, res));
          long[] sum = readings.computeIfAbsent(key, k -> new long[FIELDS]);
          for (int i = 0; i < FIELDS; i++) sum[i] += v[i];
        }
      }
      String next = p.nextPage();
      if (next == null) break;
      if (next.equals(page))
        throw new SourceException(
            "parse", endpoint + " usage: next_page repeats the page just read; the cursor loops");
      page = next;
    }
    if (duplicates > 0)
      ctx.partialError(
          "duplicate_bucket",
          endpoint + " usage: " + duplicates + " buckets answered twice; each counted once");
    if (bad.count > 0)
      ctx.partialError(
          "bad_value",
          endpoint
              + " usage: "
              + bad.count
              + " results not counted (first: "
              + bad.first
              + "); counted when a later poll reads them sane");
  }

  private static final class Problems {
    int count;
    String first;

    void add(String what) {
      if (count++ == 0) first = what;
    }
  }

  /** [input uncached, cache_read, cache_write, output, requests], or null when not countable. */
  private static long[] values(UsageResult r, Problems bad) {
    if (r.bad() != null) {
      bad.add(r.bad());
      return null;
    }
    long input = n(r.inputTokens());
    long cached = n(r.inputCachedTokens());
    long write = n(r.inputCacheWriteTokens());
    long uncached =
        r.inputUncachedTokens() != null ? r.inputUncachedTokens() : input - cached - write;
    if (uncached < 0) {
      bad.add(
          "input_tokens="
              + input
              + " is less than input_cached_tokens + input_cache_write_tokens = "
              + (cached + write));
      return null;
    }
    return new long[] {uncached, cached, write, n(r.outputTokens()), n(r.requests())};
  }

  private static long n(Long v) {
    return v == null ? 0 : v;
  }

  private static String group(String endpoint, UsageResult r) {
    return BucketTally.group(
        endpoint,
        r.projectId(),
        r.apiKeyId(),
        r.model(),
        r.batch() == null ? null : r.batch().toString(),
        r.serviceTier());
  }

  private UsageDelta delta(BucketTally.Change c) {
    long[] d = c.delta();
    if (d[0] == 0 && d[1] == 0 && d[2] == 0 && d[3] == 0 && d[4] == 0) return null;
    List<String> g = BucketTally.groupValues(c.key().group());
    Map<String, String> ids = new TreeMap<>();
    put(ids, "project_id", g.get(1));
    put(ids, "api_key_id", g.get(2));
    if ("true".equals(g.get(4))) ids.put("batch", "true");
    put(ids, "service_tier", g.get(5));
    Instant start = Instant.ofEpochSecond(c.key().start());
    return new UsageDelta(
        start,
        start.plusSeconds(width),
        PROVIDER,
        g.get(0),
        "",
        g.get(3) == null || g.get(3).isEmpty() ? "unknown" : g.get(3),
        ids,
        new TokenCounts(d[0], d[1], d[2], d[3]),
        d[4]);
  }

  private static void put(Map<String, String> ids, String key, String value) {
    if (value != null && !value.isEmpty()) ids.put(key, value);
  }

  private void shrank(List<BucketTally.Change> shrinks, SourceContext ctx) {
    BucketTally.Change first = shrinks.get(0);
    log.warn(
        "event=bucket_shrank collector={} buckets={} first_bucket={} first_group={} effect=\"the counted maximum stands; no negative increment\"",
        name,
        shrinks.size(),
        Instant.ofEpochSecond(first.key().start()),
        first.key().group());
    ctx.partialError(
        "bucket_shrank",
        shrinks.size()
            + " usage buckets now report less than was counted (provider correction); first "
            + Instant.ofEpochSecond(first.key().start()));
  }

  /**
   * The last {@link #COST_DAYS} UTC days as the costs endpoint states them. A failure here fails no
   * usage: it is a partial error, and the next poll reads the days again.
   */
  private List<BilledAmount> billed(Instant now, SourceContext ctx) {
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    long start = today.minusDays(COST_DAYS - 1).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    Map<LocalDate, Double> days = new TreeMap<>();
    Problems bad = new Problems();
    String page = null;
    try {
      for (int n = 0; ; n++) {
        if (n == MAX_PAGES)
          throw new SourceException("parse", "costs: more than " + MAX_PAGES + " pages");
        CostPage p = api.costs(start, COST_DAYS, page, ctx);
        for (CostBucket b : p.buckets()) {
          if (b.start() % 86_400 != 0) {
            bad.add("cost bucket " + b.start() + " does not start at midnight UTC");
            continue;
          }
          if (b.bad() != null) {
            bad.add(b.bad());
            continue;
          }
          LocalDate day = LocalDate.ofEpochDay(b.start() / 86_400);
          if (b.start() >= start) days.putIfAbsent(day, b.usd());
        }
        String next = p.nextPage();
        if (next == null || next.equals(page)) break;
        page = next;
      }
    } catch (OpenAiUsageApi.RateLimited e) {
      quietUntil = now.plusSeconds(e.retryAfterSeconds());
      ctx.partialError(e.reason(), "costs: " + e.getMessage());
      return List.of();
    } catch (SourceException e) {
      ctx.partialError(e.reason(), "costs: " + e.getMessage());
      return List.of();
    }
    if (bad.count > 0)
      ctx.partialError(
          "bad_value", "costs: " + bad.count + " days not read (first: " + bad.first + ")");
    List<BilledAmount> out = new ArrayList<>();
    days.forEach((day, usd) -> out.add(new BilledAmount(PROVIDER, BILLED_SERVICE, day, usd)));
    return out;
  }
}
