package dev.aicost.source.anthropic;

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
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The organisation's Claude API usage from the Admin API's usage report, counted exactly once, and
 * what the cost report says each UTC day cost.
 *
 * <p>Each poll re-reads every bucket from the tally's floor (the oldest bucket that may still grow)
 * to now, all pages, and books only what grew since it was last counted ({@link BucketTally}). Any
 * failure fails the whole poll: nothing is booked, the state stays, the next poll reads the same
 * span again. The tally's state is the checkpoint, so a restart neither repeats nor loses.
 *
 * <p>Tokens: input = {@code uncached_input_tokens}, cache_read = {@code cache_read_input_tokens},
 * cache_write = 5-minute writes, plus the 1-hour writes as their own record ({@code cache_ttl=1h},
 * priced at the 1-hour write price), output = {@code output_tokens}. The report has no request
 * count, so no requests are booked.
 */
public final class AnthropicSource implements Source {
  private static final Logger log = LoggerFactory.getLogger(AnthropicSource.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  public static final String NAME = "anthropic";
  public static final String PROVIDER = "anthropic";
  public static final String SERVICE = "messages";

  /** The {@code service} of the cost report's daily figures. */
  public static final String BILLED_SERVICE = "api";

  /** Usage without a workspace is the organisation's default workspace. */
  public static final String DEFAULT_WORKSPACE = "default";

  /** Days of the cost report re-read every poll (recent days are revised). */
  static final int COST_DAYS = 7;

  // the tally's fields per (bucket, group)
  static final int INPUT = 0, CACHE_READ = 1, WRITE_5M = 2, WRITE_1H = 3, OUTPUT = 4;
  static final List<String> FIELD_NAMES =
      List.of("input", "cache_read", "cache_write_5m", "cache_write_1h", "output");

  static final List<String> ERROR_REASONS =
      List.of(
          "auth",
          "bucket_shrank",
          "config",
          "connect",
          "duplicate_group",
          "http_status",
          "io",
          "parse",
          "rate_limited",
          "timeout",
          "too_large");

  private final ManagedApiSourceConfig cfg;
  private final AnthropicAdminApi api;
  private final String target;
  private final BucketWidth width;
  private final BucketTally tally = new BucketTally(FIELD_NAMES.size());
  private volatile Committed state; // null until restored or first committed
  private volatile Instant notBefore; // a 429's retry-after: no call before this
  private volatile String rateLimitMessage;

  /**
   * The committed tally, and after a change of {@code bucket_width} from a wider one: the old width
   * and where its buckets end ({@code coarseUntil}). Readings before that are summed into the old
   * width's buckets, which is how they were counted; none is counted twice.
   */
  record Committed(BucketTally.State tally, BucketWidth coarse, long coarseUntil) {
    long widthAt(long start, BucketWidth width) {
      return coarse != null && start < coarseUntil ? coarse.seconds() : width.seconds();
    }
  }

  public AnthropicSource(ManagedApiSourceConfig cfg, AnthropicAdminApi api, String target) {
    this.cfg = cfg;
    this.api = api;
    this.target = target;
    this.width = BucketWidth.of(cfg.bucketWidth());
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String target() {
    return target;
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
      JsonNode root = JSON.readTree(checkpointJson);
      BucketWidth was = BucketWidth.of(root.path("bucket_width").asText());
      BucketTally.State tally = BucketTally.State.fromJson(root.path("tally").toString());
      BucketWidth coarse =
          root.hasNonNull("coarse_width")
              ? BucketWidth.of(root.get("coarse_width").asText())
              : null;
      Committed c = new Committed(tally, coarse, root.path("coarse_until").asLong());
      state = was == width ? c : rewidth(c, was);
    } catch (IOException | RuntimeException e) {
      log.warn(
          "event=checkpoint_unreadable collector={} error=\"{}\" effect=\"the backfill is read anew\"",
          NAME,
          e.getMessage());
    }
  }

  /**
   * The committed state of {@code was}-wide buckets in this source's width. Narrower now: the
   * counted wide buckets stay, and readings inside them are summed into them. Wider now: counted
   * narrow buckets are summed into the wide ones, and the floor moves up to a wide boundary so no
   * wide bucket holds narrow ones already pruned (their late growth is not counted).
   */
  private Committed rewidth(Committed c, BucketWidth was) {
    BucketTally.State t = c.tally();
    if (was.seconds() > width.seconds()) {
      long until = t.floor();
      for (BucketTally.Key k : t.counted().keySet())
        until = Math.max(until, k.start() + was.seconds());
      log.info(
          "event=bucket_width_changed collector={} from={} to={} effect=\"{} buckets before {} are completed as {} buckets\"",
          NAME,
          was.param(),
          width.param(),
          was.param(),
          Instant.ofEpochSecond(until),
          was.param());
      return new Committed(t, was, until);
    }
    long floor = -Math.floorDiv(-t.floor(), width.seconds()) * width.seconds(); // up to a boundary
    java.util.TreeMap<BucketTally.Key, long[]> sums = new java.util.TreeMap<>();
    t.counted()
        .forEach(
            (k, v) -> {
              long start = width.align(k.start());
              if (start < floor) return;
              long[] sum =
                  sums.computeIfAbsent(
                      new BucketTally.Key(start, k.group()), x -> new long[v.length]);
              for (int i = 0; i < v.length; i++) sum[i] += v[i];
            });
    log.warn(
        "event=bucket_width_changed collector={} from={} to={} effect=\"late growth of buckets between {} and {} is not counted\"",
        NAME,
        was.param(),
        width.param(),
        Instant.ofEpochSecond(t.floor()),
        Instant.ofEpochSecond(floor));
    return new Committed(new BucketTally.State(floor, sums), null, 0);
  }

  @Override
  public Batch collect(Instant now, SourceContext ctx) throws SourceException {
    Instant wait = notBefore;
    if (wait != null && now.isBefore(wait))
      throw new SourceException(
          "rate_limited", rateLimitMessage + "; no call before " + wait + " (retry-after)");
    Committed prev = state;
    if (prev == null)
      prev =
          new Committed(BucketTally.State.initial(width.align(now.minus(cfg.backfill()))), null, 0);
    BucketTally.State committed = prev.tally();

    List<UsageReport.Row> rows;
    try {
      rows = api.usage(Instant.ofEpochSecond(committed.floor()), width, ctx);
    } catch (RateLimitedException e) {
      holdOff(now, e);
      throw e;
    }
    Map<BucketTally.Key, long[]> readings = coarsen(readings(rows, ctx), prev);
    long newFloor = Math.max(committed.floor(), width.align(now.minus(cfg.window())));
    // inside the earlier, wider buckets the floor moves a whole wide bucket at a time
    if (prev.coarse() != null && newFloor < prev.coarseUntil())
      newFloor = Math.max(committed.floor(), prev.coarse().align(newFloor));
    BucketTally.Result r = tally.reconcile(committed, readings, newFloor);
    if (!r.shrinks().isEmpty()) shrank(r.shrinks(), ctx);

    List<UsageDelta> usage = new ArrayList<>();
    for (BucketTally.Change c : r.growth()) records(c, prev.widthAt(c.key().start(), width), usage);
    List<BilledAmount> billed = billed(now, ctx);
    boolean coarseLeft = prev.coarse() != null && r.next().floor() < prev.coarseUntil();
    Committed next =
        new Committed(
            r.next(), coarseLeft ? prev.coarse() : null, coarseLeft ? prev.coarseUntil() : 0);
    return Batch.managed(usage, billed, List.of(), checkpoint(next), next);
  }

  @Override
  public void committed(Batch batch) {
    state = (Committed) batch.nextState();
  }

  private String checkpoint(Committed c) {
    ObjectNode root = JSON.createObjectNode();
    root.put("bucket_width", width.param());
    if (c.coarse() != null) {
      root.put("coarse_width", c.coarse().param());
      root.put("coarse_until", c.coarseUntil());
    }
    try {
      root.set("tally", JSON.readTree(c.tally().toJson()));
    } catch (IOException e) {
      throw new IllegalStateException("tally not serialisable", e);
    }
    return root.toString();
  }

  /** Readings inside the wider buckets of an earlier width, summed into those buckets. */
  private static Map<BucketTally.Key, long[]> coarsen(
      Map<BucketTally.Key, long[]> readings, Committed prev) {
    if (prev.coarse() == null) return readings;
    Map<BucketTally.Key, long[]> out = new HashMap<>();
    readings.forEach(
        (k, v) -> {
          BucketTally.Key key =
              k.start() < prev.coarseUntil()
                  ? new BucketTally.Key(prev.coarse().align(k.start()), k.group())
                  : k;
          long[] sum = out.computeIfAbsent(key, x -> new long[v.length]);
          for (int i = 0; i < v.length; i++) sum[i] += v[i];
        });
    return out;
  }

  private void holdOff(Instant now, RateLimitedException e) {
    if (e.retryAfter() == null) return; // the next poll is soon enough
    notBefore = now.plus(e.retryAfter());
    rateLimitMessage = e.getMessage();
  }

  /** Each (bucket, group) the report holds: [input, cache_read, write_5m, write_1h, output]. */
  private Map<BucketTally.Key, long[]> readings(List<UsageReport.Row> rows, SourceContext ctx) {
    Map<BucketTally.Key, long[]> out = new HashMap<>();
    int duplicates = 0;
    for (UsageReport.Row row : rows) {
      // buckets come back aligned to the aligned starting_at asked for; align anyway so a key never
      // shifts between polls
      long start = width.align(row.start());
      String group =
          BucketTally.group(
              row.apiKeyId(),
              row.workspaceId(),
              row.model(),
              row.serviceTier(),
              row.contextWindow());
      long[] v = {
        row.uncachedInput(), row.cacheRead(), row.cacheWrite5m(), row.cacheWrite1h(), row.output()
      };
      long[] prev = out.putIfAbsent(new BucketTally.Key(start, group), v);
      if (prev != null) {
        // the same group twice (a repeated page): the larger reading, never the sum
        duplicates++;
        for (int i = 0; i < v.length; i++) prev[i] = Math.max(prev[i], v[i]);
      }
    }
    if (duplicates > 0)
      ctx.partialError(
          "duplicate_group",
          duplicates + " usage rows repeated a (bucket, group) already read; counted once");
    return out;
  }

  private void shrank(List<BucketTally.Change> shrinks, SourceContext ctx) {
    BucketTally.Change first = shrinks.get(0);
    int field = 0;
    while (field < first.delta().length - 1 && first.delta()[field] == 0) field++;
    log.warn(
        "event=bucket_shrank collector={} groups={} first_bucket={} first_model=\"{}\" field={} by={} effect=\"the larger figure stays counted; never a negative increment\"",
        NAME,
        shrinks.size(),
        Instant.ofEpochSecond(first.key().start()),
        model(BucketTally.groupValues(first.key().group())),
        FIELD_NAMES.get(field),
        first.delta()[field]);
    ctx.partialError(
        "bucket_shrank",
        shrinks.size()
            + " usage (bucket, group) totals went down (provider correction); the larger figures stay counted");
  }

  private void records(BucketTally.Change c, long widthSeconds, List<UsageDelta> out) {
    List<String> g = BucketTally.groupValues(c.key().group());
    long[] d = c.delta();
    Instant start = Instant.ofEpochSecond(c.key().start());
    Instant end = start.plusSeconds(widthSeconds);
    Map<String, String> ids = new HashMap<>();
    if (g.get(0) != null) ids.put("api_key_id", g.get(0));
    ids.put("workspace_id", g.get(1) != null ? g.get(1) : DEFAULT_WORKSPACE);
    if (g.get(3) != null) ids.put("service_tier", g.get(3));
    if (g.get(4) != null) ids.put("context_window", g.get(4));
    String model = model(g);
    TokenCounts main = new TokenCounts(d[INPUT], d[CACHE_READ], d[WRITE_5M], d[OUTPUT]);
    // the usage report counts tokens, not requests: no request count is invented
    if (main.total() > 0)
      out.add(new UsageDelta(start, end, PROVIDER, SERVICE, "", model, ids, main, 0));
    if (d[WRITE_1H] > 0) {
      Map<String, String> oneHour = new HashMap<>(ids);
      oneHour.put("cache_ttl", "1h");
      out.add(
          new UsageDelta(
              start,
              end,
              PROVIDER,
              SERVICE,
              "",
              model,
              oneHour,
              new TokenCounts(0, 0, d[WRITE_1H], 0),
              0));
    }
  }

  private static String model(List<String> group) {
    String m = group.get(2);
    return m == null || m.isEmpty() ? "unknown" : m;
  }

  /** The cost report's last days; its failure is a partial error, usage is still booked. */
  private List<BilledAmount> billed(Instant now, SourceContext ctx) {
    LocalDate today = now.atOffset(ZoneOffset.UTC).toLocalDate();
    try {
      List<BilledAmount> out = new ArrayList<>();
      for (UsageReport.CostDay d : api.cost(today.minusDays(COST_DAYS - 1), ctx))
        out.add(new BilledAmount(PROVIDER, BILLED_SERVICE, d.day(), d.usd().doubleValue()));
      return out;
    } catch (RateLimitedException e) {
      holdOff(now, e);
      ctx.partialError(e.reason(), "cost report: " + e.getMessage());
    } catch (SourceException e) {
      ctx.partialError(e.reason(), "cost report: " + e.getMessage());
    }
    return List.of();
  }
}
