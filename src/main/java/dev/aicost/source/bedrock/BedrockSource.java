package dev.aicost.source.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aicost.collect.Batch;
import dev.aicost.collect.Source;
import dev.aicost.collect.SourceContext;
import dev.aicost.collect.SourceException;
import dev.aicost.model.TokenCounts;
import dev.aicost.model.UsageDelta;
import dev.aicost.source.aws.AwsFailures;
import dev.aicost.source.buckets.BucketTally;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.DimensionFilter;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataResponse;
import software.amazon.awssdk.services.cloudwatch.model.ListMetricsRequest;
import software.amazon.awssdk.services.cloudwatch.model.ListMetricsResponse;
import software.amazon.awssdk.services.cloudwatch.model.Metric;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;
import software.amazon.awssdk.services.cloudwatch.model.MetricStat;
import software.amazon.awssdk.services.cloudwatch.model.ScanBy;
import software.amazon.awssdk.services.cloudwatch.model.StatusCode;

/**
 * Bedrock usage of one region from CloudWatch ({@code AWS/Bedrock}, dimension {@code ModelId}): the
 * per-minute Sum of requests and of each token type, read with GetMetricData on the source's own
 * interval (never per scrape), up to 500 queries per call.
 *
 * <p>CloudWatch revises recent minutes, so every poll re-reads the trailing {@code window} and
 * counts each (ModelId, metric, minute) exactly once through a {@link BucketTally} per ModelId:
 * only growth becomes usage, and the per-minute totals counted so far are the checkpoint. Each
 * ModelId keeps its own floor, so a ModelId that ListMetrics reports late (it lags new metrics by
 * up to 15 minutes, and is re-listed only every {@code discovery_interval}) is read back to the
 * previous listing, and one whose data came back incomplete ({@code PartialData}) keeps its floor
 * until a later poll reads it whole.
 *
 * <p>{@code InputTokenCount} is taken as uncached input (Bedrock reports cache reads and writes in
 * their own metrics), so the five metrics map one to one onto the token types.
 */
public final class BedrockSource implements Source {
  private static final Logger log = LoggerFactory.getLogger(BedrockSource.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  public static final String PROVIDER = "aws";
  public static final String SERVICE = "bedrock";
  static final String NAMESPACE = "AWS/Bedrock";
  static final String DIMENSION = "ModelId";

  /** The five metrics in {@link BucketTally} field order: the token types, then requests. */
  static final List<String> METRICS =
      List.of(
          "InputTokenCount",
          "CacheReadInputTokenCount",
          "CacheWriteInputTokenCount",
          "OutputTokenCount",
          "Invocations");

  static final int MAX_QUERIES_PER_CALL = 500;
  static final long MINUTE = 60;

  /** ListMetrics shows a new metric up to 15 minutes after its first data point. */
  static final long LIST_LAG_SECONDS = 15 * 60;

  /** CloudWatch keeps 1-minute data for 15 days: no floor reaches further back than this. */
  static final long MAX_LOOKBACK_SECONDS = 14 * 24 * 3600;

  static final List<String> ERROR_REASONS =
      concat(
          AwsFailures.REASONS,
          "bad_value",
          "bucket_shrank",
          "partial_data",
          InferenceProfiles.REASON,
          "too_many_models");

  /** Everything a poll needs besides the client. */
  public record Settings(
      String region,
      Duration interval,
      Duration window,
      Duration backfill,
      Duration discoveryInterval,
      List<String> modelIds,
      double pricePerMetric,
      int maxModels) {}

  /**
   * Committed state: per ModelId its tally, and when the ModelId list was last known complete
   * (epoch seconds; 0 before the first poll).
   */
  record State(long knownAt, Map<String, BucketTally.State> models) {
    static final State EMPTY = new State(0, Map.of());
  }

  private final Settings s;
  private final CloudWatchClient cw;
  private final InferenceProfiles profiles;
  private final BucketTally tally = new BucketTally(METRICS.size());
  private volatile State state = State.EMPTY;

  // ListMetrics answer, reused for discovery_interval; not part of the exactly-once state
  private List<String> discovered;
  private long discoveredAt;

  /** Application inference profiles are not resolved: their usage stays unpriced. */
  public BedrockSource(Settings settings, CloudWatchClient cloudWatch) {
    this(settings, cloudWatch, InferenceProfiles.off(settings.region()));
  }

  public BedrockSource(Settings settings, CloudWatchClient cloudWatch, InferenceProfiles profiles) {
    this.s = settings;
    this.cw = cloudWatch;
    this.profiles = profiles;
  }

  @Override
  public String name() {
    return "bedrock/" + s.region();
  }

  @Override
  public String target() {
    return "cloudwatch " + s.region() + " " + NAMESPACE;
  }

  @Override
  public Duration interval() {
    return s.interval();
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
      Map<String, BucketTally.State> models = new LinkedHashMap<>();
      root.path("models")
          .fields()
          .forEachRemaining(
              e -> models.put(e.getKey(), BucketTally.State.fromJson(e.getValue().toString())));
      state = new State(root.path("known_at").asLong(0), Map.copyOf(models));
    } catch (Exception e) {
      log.warn(
          "event=checkpoint_unreadable collector={} error=\"{}\" effect=\"first poll reads the backfill again\"",
          name(),
          e.getMessage());
    }
  }

  @Override
  public void close() {
    cw.close();
    profiles.close();
  }

  @Override
  public void committed(Batch batch) {
    state = (State) batch.nextState();
  }

  @Override
  public Batch collect(Instant now, SourceContext ctx) throws SourceException {
    State committed = state;
    long nowS = now.getEpochSecond();
    long end = align(nowS) + MINUTE; // the current minute too: it grows, growth is counted later
    List<String> listed = modelIds(nowS, ctx);

    // What to read: every listed ModelId, plus any whose recent minutes are still open.
    TreeSet<String> wanted = new TreeSet<>(listed);
    committed
        .models()
        .forEach(
            (id, st) -> {
              if (!st.counted().isEmpty()) wanted.add(id);
            });
    TreeSet<String> read = wanted;
    if (read.size() > s.maxModels()) {
      List<String> kept = new ArrayList<>(read).subList(0, s.maxModels());
      ctx.partialError(
          "too_many_models",
          read.size()
              + " ModelIds in "
              + s.region()
              + ", reading the first "
              + s.maxModels()
              + " (limits.max_models_per_source)");
      read = new TreeSet<>(kept);
    }

    Map<String, BucketTally.State> before = new HashMap<>();
    long start = end;
    for (String id : read) {
      BucketTally.State st = committed.models().get(id);
      if (st == null) st = BucketTally.State.initial(newModelFloor(committed, nowS));
      // a ModelId not read for a long time resumes where it stopped, within CloudWatch's retention
      long floor = Math.max(st.floor(), align(nowS - MAX_LOOKBACK_SECONDS));
      if (floor != st.floor()) st = new BucketTally.State(floor, st.counted());
      before.put(id, st);
      start = Math.min(start, st.floor());
    }

    Readings got = read.isEmpty() ? new Readings() : read(new ArrayList<>(read), start, end, ctx);

    // the profiles with data in this read get their model (cached; a failure never fails the poll)
    profiles.refresh(got.values.keySet(), nowS, ctx);

    Map<String, BucketTally.State> next = new LinkedHashMap<>(committed.models());
    List<UsageDelta> usage = new ArrayList<>();
    long windowFloor = align(nowS - s.window().getSeconds());
    for (String id : read) {
      BucketTally.State st = before.get(id);
      String group = BucketTally.group(s.region(), id);
      Map<BucketTally.Key, long[]> readings = new HashMap<>();
      // a minute or metric missing from this answer keeps what was counted (not a shrink)
      st.counted()
          .forEach(
              (k, v) -> {
                if (k.start() >= st.floor()) readings.put(k, v.clone());
              });
      got.values
          .getOrDefault(id, Map.of())
          .forEach(
              (minute, fields) -> {
                long[] r =
                    readings.computeIfAbsent(
                        new BucketTally.Key(minute, group), k -> new long[METRICS.size()]);
                for (int f = 0; f < fields.length; f++) if (fields[f] >= 0) r[f] = fields[f];
              });
      boolean incomplete = got.incomplete.contains(id);
      long newFloor = incomplete ? st.floor() : Math.max(st.floor(), windowFloor);
      BucketTally.Result res = tally.reconcile(st, readings, newFloor);
      for (BucketTally.Change c : res.shrinks()) {
        ctx.partialError(
            "bucket_shrank",
            "CloudWatch lowered "
                + id
                + " at "
                + Instant.ofEpochSecond(c.key().start())
                + " in "
                + s.region()
                + "; the higher total stays counted");
      }
      for (BucketTally.Change c : res.growth()) usage.add(delta(id, c));
      next.put(id, res.next());
    }
    // keep ModelIds no longer read (their floor says where to resume), within retention
    next.entrySet().removeIf(e -> e.getValue().floor() < align(nowS - MAX_LOOKBACK_SECONDS));

    long knownAt = s.modelIds() != null ? nowS : Math.max(committed.knownAt(), discoveredAt);
    State after = new State(knownAt, Map.copyOf(next));
    return Batch.managed(usage, List.of(), List.of(), toJson(after), after);
  }

  /**
   * Where a ModelId seen for the first time starts: back to the listing before (minus ListMetrics'
   * lag), so usage between two listings is not lost; the backfill on the very first poll.
   */
  private long newModelFloor(State committed, long nowS) {
    if (committed.knownAt() == 0) return align(nowS - s.backfill().getSeconds());
    long since = committed.knownAt() - LIST_LAG_SECONDS - MINUTE;
    return align(Math.max(since, nowS - MAX_LOOKBACK_SECONDS));
  }

  private UsageDelta delta(String modelId, BucketTally.Change c) {
    long[] d = c.delta();
    Map<String, String> ids = new TreeMap<>();
    ids.put("region", s.region());
    if (ModelIds.isApplicationProfile(modelId)) ids.put("inference_profile", modelId);
    Instant t = Instant.ofEpochSecond(c.key().start());
    return new UsageDelta(
        t,
        t.plusSeconds(MINUTE),
        PROVIDER,
        SERVICE,
        "",
        profiles.model(modelId), // the tally stays keyed by the raw ModelId
        ids,
        new TokenCounts(d[0], d[1], d[2], d[3]),
        d[4]);
  }

  /** The ModelIds to read: configured, or ListMetrics' answer (reused for discovery_interval). */
  private List<String> modelIds(long nowS, SourceContext ctx) throws SourceException {
    if (s.modelIds() != null) return s.modelIds();
    if (discovered != null && nowS - discoveredAt < s.discoveryInterval().getSeconds()) {
      return discovered;
    }
    TreeSet<String> ids = new TreeSet<>();
    String token = null;
    do {
      ListMetricsResponse r;
      try {
        r =
            cw.listMetrics(
                ListMetricsRequest.builder()
                    .namespace(NAMESPACE)
                    .dimensions(DimensionFilter.builder().name(DIMENSION).build())
                    .nextToken(token)
                    .build());
      } catch (SdkException e) {
        SourceException f = AwsFailures.of(e, "cloudwatch:ListMetrics", s.region());
        ctx.upstreamCall("ListMetrics", f.reason());
        throw f;
      }
      ctx.upstreamCall("ListMetrics", "success");
      ctx.upstreamCost(s.pricePerMetric()); // $0.01 per 1,000 requests, like a metric
      for (Metric m : r.metrics()) {
        // ModelId alone: the image metrics add ImageSize and BucketedStepSize
        if (m.dimensions().size() != 1) continue;
        Dimension d = m.dimensions().get(0);
        if (DIMENSION.equals(d.name()) && d.value() != null && !d.value().isEmpty()) {
          ids.add(d.value());
        }
      }
      token = r.nextToken();
    } while (token != null && !token.isEmpty());
    discovered = List.copyOf(ids);
    discoveredAt = nowS;
    return discovered;
  }

  /** What GetMetricData answered: per ModelId, minute → fields (-1: no data point). */
  static final class Readings {
    final Map<String, Map<Long, long[]>> values = new HashMap<>();
    final java.util.Set<String> incomplete = new java.util.HashSet<>();
  }

  /**
   * Reads [start, end) for every ModelId: five queries each, 500 per call, every page. Any failed
   * call fails the whole collect (nothing counted, the next poll reads the same minutes again).
   */
  private Readings read(List<String> ids, long start, long end, SourceContext ctx)
      throws SourceException {
    List<MetricDataQuery> queries = new ArrayList<>();
    Map<String, int[]> byId = new HashMap<>(); // query id → [model index, field]
    for (int m = 0; m < ids.size(); m++) {
      for (int f = 0; f < METRICS.size(); f++) {
        String qid = "q" + m + "_" + f;
        byId.put(qid, new int[] {m, f});
        queries.add(
            MetricDataQuery.builder()
                .id(qid)
                .metricStat(
                    MetricStat.builder()
                        .metric(
                            Metric.builder()
                                .namespace(NAMESPACE)
                                .metricName(METRICS.get(f))
                                .dimensions(
                                    Dimension.builder().name(DIMENSION).value(ids.get(m)).build())
                                .build())
                        .period((int) MINUTE)
                        .stat("Sum")
                        .build())
                .returnData(true)
                .build());
      }
    }
    Readings out = new Readings();
    for (int from = 0; from < queries.size(); from += MAX_QUERIES_PER_CALL) {
      List<MetricDataQuery> chunk =
          queries.subList(from, Math.min(queries.size(), from + MAX_QUERIES_PER_CALL));
      Map<String, StatusCode> lastStatus = new HashMap<>();
      String token = null;
      do {
        GetMetricDataResponse r;
        try {
          r =
              cw.getMetricData(
                  GetMetricDataRequest.builder()
                      .metricDataQueries(chunk)
                      .startTime(Instant.ofEpochSecond(start))
                      .endTime(Instant.ofEpochSecond(end))
                      .scanBy(ScanBy.TIMESTAMP_ASCENDING)
                      .nextToken(token)
                      .build());
        } catch (SdkException e) {
          SourceException f = AwsFailures.of(e, "cloudwatch:GetMetricData", s.region());
          ctx.upstreamCall("GetMetricData", f.reason());
          // a throttled or refused call is not billed; one that answered with an error might be,
          // but CloudWatch does not say: counted only when it answered
          throw f;
        }
        ctx.upstreamCall("GetMetricData", "success");
        ctx.upstreamCost(chunk.size() * s.pricePerMetric());
        for (MetricDataResult res : r.metricDataResults()) {
          int[] at = byId.get(res.id());
          if (at == null) {
            ctx.partialError("bad_value", "GetMetricData answered unknown query id " + res.id());
            continue;
          }
          String model = ids.get(at[0]);
          lastStatus.put(res.id(), res.statusCode());
          List<Instant> ts = res.timestamps();
          List<Double> vs = res.values();
          for (int i = 0; i < Math.min(ts.size(), vs.size()); i++) {
            long t = ts.get(i).getEpochSecond();
            Double v = vs.get(i);
            if (t % MINUTE != 0 || v == null || !(v >= 0) || v > 1e15) {
              ctx.partialError(
                  "bad_value",
                  METRICS.get(at[1])
                      + " of "
                      + model
                      + " at "
                      + ts.get(i)
                      + " is not a minute's count ("
                      + v
                      + ")");
              continue;
            }
            long[] fields =
                out.values
                    .computeIfAbsent(model, k -> new HashMap<>())
                    .computeIfAbsent(t, k -> blank());
            // one minute, one value; a repeat across pages replaces
            fields[at[1]] = Math.round(v);
          }
        }
        token = r.nextToken();
      } while (token != null && !token.isEmpty());
      // PartialData after the last page: keep what came, hold the ModelId's floor
      lastStatus.forEach(
          (qid, st) -> {
            if (st != StatusCode.COMPLETE) {
              String model = ids.get(byId.get(qid)[0]);
              if (out.incomplete.add(model)) {
                ctx.partialError(
                    "partial_data",
                    "GetMetricData returned "
                        + st
                        + " for "
                        + model
                        + " in "
                        + s.region()
                        + "; its minutes are read again next poll");
              }
            }
          });
    }
    return out;
  }

  private static long[] blank() {
    long[] a = new long[METRICS.size()];
    java.util.Arrays.fill(a, -1);
    return a;
  }

  static long align(long epochSeconds) {
    return Math.floorDiv(epochSeconds, MINUTE) * MINUTE;
  }

  private static String toJson(State st) {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", 1);
    root.put("known_at", st.knownAt());
    ObjectNode models = root.putObject("models");
    new TreeMap<>(st.models())
        .forEach(
            (id, t) -> {
              try {
                models.set(id, JSON.readTree(t.toJson()));
              } catch (Exception e) {
                throw new IllegalStateException("BucketTally state is not JSON", e);
              }
            });
    return root.toString();
  }

  private static List<String> concat(List<String> a, String... b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(List.of(b));
    return List.copyOf(out);
  }
}
