package dev.aicost.source.costexplorer;

import dev.aicost.collect.Batch;
import dev.aicost.collect.Source;
import dev.aicost.collect.SourceContext;
import dev.aicost.collect.SourceException;
import dev.aicost.model.BilledAmount;
import dev.aicost.model.SpendDelta;
import dev.aicost.source.aws.AwsFailures;
import dev.aicost.source.buckets.BucketTally;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.costexplorer.CostExplorerClient;
import software.amazon.awssdk.services.costexplorer.model.DateInterval;
import software.amazon.awssdk.services.costexplorer.model.Dimension;
import software.amazon.awssdk.services.costexplorer.model.DimensionValues;
import software.amazon.awssdk.services.costexplorer.model.Expression;
import software.amazon.awssdk.services.costexplorer.model.GetCostAndUsageRequest;
import software.amazon.awssdk.services.costexplorer.model.GetCostAndUsageResponse;
import software.amazon.awssdk.services.costexplorer.model.Granularity;
import software.amazon.awssdk.services.costexplorer.model.Group;
import software.amazon.awssdk.services.costexplorer.model.GroupDefinition;
import software.amazon.awssdk.services.costexplorer.model.GroupDefinitionType;
import software.amazon.awssdk.services.costexplorer.model.MetricValue;
import software.amazon.awssdk.services.costexplorer.model.ResultByTime;

/**
 * The AWS bill from Cost Explorer: {@code GetCostAndUsage} DAILY {@code UnblendedCost} of usage
 * records (credits and refunds left out, so the figure compares with list-price estimates) grouped
 * by SERVICE, re-reading the trailing {@code window} of days every few hours.
 *
 * <p>Every day of every service becomes a {@link BilledAmount} (the full day each time: a revision
 * replaces), Bedrock's services (its own and the marketplace models' "... (Amazon Bedrock
 * Edition)") summed under service {@code bedrock} so they reconcile with the Bedrock source's
 * spend. Services mapped to a category (EC2 → compute, S3 → storage, data transfer → networking)
 * also become {@link SpendDelta}s, counted exactly once in micro-dollars through a {@link
 * BucketTally}: a day revised upwards adds only the difference.
 */
public final class CostExplorerSource implements Source {
  private static final Logger log = LoggerFactory.getLogger(CostExplorerSource.class);
  public static final String PROVIDER = "aws";
  static final String METRIC = "UnblendedCost";
  static final long DAY = 86_400;

  static final List<String> ERROR_REASONS =
      concat(AwsFailures.REASONS, "bad_value", "bucket_shrank");

  public record Settings(
      Duration interval, Duration window, Map<String, String> categories, double pricePerRequest) {}

  private final Settings s;
  private final CostExplorerClient ce;
  private final BucketTally tally = new BucketTally(1);
  private volatile BucketTally.State state;

  public CostExplorerSource(Settings settings, CostExplorerClient client) {
    this.s = settings;
    this.ce = client;
  }

  @Override
  public String name() {
    return "aws_cost_explorer";
  }

  @Override
  public String target() {
    return "cost explorer GetCostAndUsage DAILY " + METRIC + " by SERVICE";
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
      state = BucketTally.State.fromJson(checkpointJson);
    } catch (RuntimeException e) {
      log.warn(
          "event=checkpoint_unreadable collector={} error=\"{}\" effect=\"the window is read as new\"",
          name(),
          e.getMessage());
    }
  }

  @Override
  public void committed(Batch batch) {
    state = (BucketTally.State) batch.nextState();
  }

  @Override
  public void close() {
    ce.close();
  }

  @Override
  public Batch collect(Instant now, SourceContext ctx) throws SourceException {
    long today = BucketTally.alignDown(now.getEpochSecond(), DAY);
    long windowFloor = today - Math.max(1, s.window().toDays()) * DAY;
    BucketTally.State committed = state != null ? state : BucketTally.State.initial(windowFloor);
    LocalDate from = day(committed.floor());
    LocalDate to = day(today).plusDays(1); // exclusive: today's partial figure too

    Map<LocalDate, Map<String, Double>> byDay = new TreeMap<>(); // day → AWS service → usd
    String token = null;
    do {
      GetCostAndUsageResponse r;
      try {
        r =
            ce.getCostAndUsage(
                GetCostAndUsageRequest.builder()
                    .timePeriod(
                        DateInterval.builder().start(from.toString()).end(to.toString()).build())
                    .granularity(Granularity.DAILY)
                    .metrics(METRIC)
                    .filter(
                        Expression.builder()
                            .dimensions(
                                DimensionValues.builder()
                                    .key(Dimension.RECORD_TYPE)
                                    .values("Usage")
                                    .build())
                            .build())
                    .groupBy(
                        GroupDefinition.builder()
                            .type(GroupDefinitionType.DIMENSION)
                            .key("SERVICE")
                            .build())
                    .nextPageToken(token)
                    .build());
      } catch (SdkException e) {
        SourceException f = AwsFailures.of(e, "ce:GetCostAndUsage", "us-east-1");
        ctx.upstreamCall("GetCostAndUsage", f.reason());
        throw f;
      }
      ctx.upstreamCall("GetCostAndUsage", "success");
      ctx.upstreamCost(s.pricePerRequest());
      for (ResultByTime day : r.resultsByTime()) {
        LocalDate d;
        try {
          d = LocalDate.parse(day.timePeriod().start());
        } catch (RuntimeException e) {
          throw new SourceException("parse", "Cost Explorer answered a day that is no date");
        }
        Map<String, Double> services = byDay.computeIfAbsent(d, k -> new TreeMap<>());
        for (Group g : day.groups()) {
          if (g.keys().isEmpty()) continue;
          MetricValue v = g.metrics().get(METRIC);
          double usd = amount(v);
          if (!(usd >= 0) || Double.isInfinite(usd)) {
            ctx.partialError(
                "bad_value",
                METRIC
                    + " of \""
                    + g.keys().get(0)
                    + "\" on "
                    + d
                    + " is "
                    + (v == null ? "missing" : v.amount())
                    + " "
                    + (v == null ? "" : v.unit()));
            continue;
          }
          services.merge(g.keys().get(0), usd, Double::sum);
        }
      }
      token = r.nextPageToken();
    } while (token != null && !token.isEmpty());

    List<BilledAmount> billed = new ArrayList<>();
    Map<BucketTally.Key, long[]> readings = new HashMap<>();
    Map<String, String> serviceOf = new HashMap<>();
    byDay.forEach(
        (d, services) -> {
          Map<String, Double> perService = new TreeMap<>();
          services.forEach((aws, usd) -> perService.merge(billedService(aws), usd, Double::sum));
          perService.forEach((svc, usd) -> billed.add(new BilledAmount(PROVIDER, svc, d, usd)));
          services.forEach(
              (aws, usd) -> {
                if (!s.categories().containsKey(aws)) return;
                String group = BucketTally.group(aws);
                serviceOf.put(group, aws);
                readings.put(
                    new BucketTally.Key(d.toEpochDay() * DAY, group),
                    new long[] {Math.round(usd * 1e6)});
              });
        });
    BucketTally.Result res = tally.reconcile(committed, readings, windowFloor);
    for (BucketTally.Change c : res.shrinks()) {
      ctx.partialError(
          "bucket_shrank",
          "Cost Explorer lowered "
              + BucketTally.groupValues(c.key().group()).get(0)
              + " on "
              + day(c.key().start())
              + " by "
              + c.get(0) / 1e6
              + " USD; the higher figure stays counted");
    }
    List<SpendDelta> spend = new ArrayList<>();
    for (BucketTally.Change c : res.growth()) {
      String aws = BucketTally.groupValues(c.key().group()).get(0);
      Instant start = Instant.ofEpochSecond(c.key().start());
      spend.add(
          new SpendDelta(
              start,
              start.plusSeconds(DAY),
              PROVIDER,
              slug(aws),
              s.categories().get(aws),
              "",
              "",
              Map.of("aws_service", aws),
              c.get(0) / 1e6));
    }
    return Batch.managed(List.of(), billed, spend, res.next().toJson(), res.next());
  }

  /** Bedrock's own line and its marketplace models ("Claude ... (Amazon Bedrock Edition)"). */
  static String billedService(String aws) {
    return aws.contains("Bedrock") ? "bedrock" : slug(aws);
  }

  /** A bounded label-safe form of an AWS service name: lowercase, [a-z0-9_], at most 64. */
  static String slug(String aws) {
    String s = aws.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
    return s.length() > 64 ? s.substring(0, 64) : s;
  }

  private static double amount(MetricValue v) {
    if (v == null || v.amount() == null) return Double.NaN;
    if (v.unit() != null && !"USD".equals(v.unit())) return Double.NaN;
    try {
      return Double.parseDouble(v.amount());
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static LocalDate day(long epochSecond) {
    return Instant.ofEpochSecond(epochSecond).atZone(ZoneOffset.UTC).toLocalDate();
  }

  private static List<String> concat(List<String> a, String... b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(List.of(b));
    return List.copyOf(out);
  }
}
