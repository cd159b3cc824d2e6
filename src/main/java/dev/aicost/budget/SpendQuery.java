package dev.aicost.budget;

import dev.aicost.ledger.LedgerException;
import dev.aicost.ledger.LedgerReader;
import dev.aicost.metrics.Family;
import dev.aicost.metrics.Metrics;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Spend (and, for unit economics, requests and tokens) from the ledger by day or hour and by any
 * labels, over whole days in the configured zone. Bounded: at most {@value #MAX_DAYS} days by day,
 * {@value #MAX_HOUR_DAYS} by hour, and {@value #MAX_ROWS} result rows (refused beyond, naming the
 * parameter to narrow), so one request cannot exhaust memory.
 */
public final class SpendQuery {
  public static final int MAX_DAYS = 400;
  public static final int MAX_HOUR_DAYS = 31;
  public static final int MAX_ROWS = 20_000;

  /** Labels unit economics can group by: those spend, requests and tokens all carry. */
  public static final List<String> UNIT_LABELS = commonLabels();

  public enum Granularity {
    DAY,
    HOUR
  }

  /** A validated request. */
  public record Request(
      DayRange range, List<String> groupBy, Granularity granularity, Map<String, String> match) {}

  /** One result row; {@code bucket} is a day (YYYY-MM-DD) or a local hour with its offset. */
  public record Row(String bucket, List<String> group, double usd) {}

  /** One unit-economics row; the ratios are NaN where their divisor is 0. */
  public record UnitRow(
      String bucket, List<String> group, double usd, double requests, double tokens) {
    public double usdPerRequest() {
      return requests > 0 ? usd / requests : Double.NaN;
    }

    public double usdPer1kTokens() {
      return tokens > 0 ? usd / tokens * 1000 : Double.NaN;
    }
  }

  private SpendQuery() {}

  /**
   * Parses the API's parameters; absent {@code from}/{@code to} mean the last 7 days through today.
   */
  public static Request parse(
      String from,
      String to,
      String groupBy,
      String granularity,
      List<String> allowedLabels,
      ZoneId zone,
      Instant now)
      throws BadParameter {
    LocalDate today = LocalDate.ofInstant(now, zone);
    LocalDate last = to == null ? today : date("to", to);
    LocalDate first = from == null ? last.minusDays(6) : date("from", from);
    if (last.isBefore(first))
      throw new BadParameter("to", "must not be before from (" + first + ")");
    Granularity g;
    if (granularity == null || granularity.equals("day")) g = Granularity.DAY;
    else if (granularity.equals("hour")) g = Granularity.HOUR;
    else throw new BadParameter("granularity", "must be day or hour");
    long days = ChronoUnit.DAYS.between(first, last) + 1;
    int max = g == Granularity.DAY ? MAX_DAYS : MAX_HOUR_DAYS;
    if (days > max)
      throw new BadParameter(
          "to",
          "range of "
              + days
              + " days is over the "
              + max
              + "-day limit for granularity="
              + g.name().toLowerCase(java.util.Locale.ROOT));
    List<String> labels = new ArrayList<>();
    if (groupBy != null && !groupBy.isBlank()) {
      for (String part : groupBy.split(",")) {
        String label = part.trim();
        if (label.equals("environment")) label = "app_env"; // the deprecated name
        if (!allowedLabels.contains(label))
          throw new BadParameter(
              "group_by", "unknown dimension \"" + part.trim() + "\"; one of " + allowedLabels);
        if (!labels.contains(label)) labels.add(label);
      }
    }
    return new Request(new DayRange(first, last, zone), labels, g, Map.of());
  }

  private static LocalDate date(String param, String value) throws BadParameter {
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw new BadParameter(param, "must be a date YYYY-MM-DD, got \"" + shorten(value) + "\"");
    }
  }

  private static String shorten(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  /** Spend rows, oldest bucket first, groups in label-value order within a bucket. */
  public static List<Row> spend(LedgerReader ledger, Request r)
      throws LedgerException, BadParameter {
    Map<Instant, Map<List<String>, double[]>> cells = new TreeMap<>();
    Counter rows = new Counter();
    read(ledger, Metrics.SPEND, r, cells, rows, 0, 1);
    List<Row> out = new ArrayList<>(rows.n);
    cells.forEach(
        (start, groups) -> {
          String bucket = name(start, r);
          groups.forEach((g, v) -> out.add(new Row(bucket, g, v[0])));
        });
    return out;
  }

  /** Spend, requests and tokens by bucket and group: cost per request and per 1k tokens. */
  public static List<UnitRow> unitCosts(LedgerReader ledger, Request r)
      throws LedgerException, BadParameter {
    for (String l : r.groupBy())
      if (!UNIT_LABELS.contains(l))
        throw new BadParameter("group_by", "unit costs group by one of " + UNIT_LABELS);
    Map<Instant, Map<List<String>, double[]>> cells = new TreeMap<>();
    Counter rows = new Counter();
    read(ledger, Metrics.SPEND, r, cells, rows, 0, 3);
    read(ledger, Metrics.REQUESTS, r, cells, rows, 1, 3);
    read(ledger, Metrics.TOKENS, r, cells, rows, 2, 3);
    List<UnitRow> out = new ArrayList<>(rows.n);
    cells.forEach(
        (start, groups) -> {
          String bucket = name(start, r);
          groups.forEach((g, v) -> out.add(new UnitRow(bucket, g, v[0], v[1], v[2])));
        });
    return out;
  }

  private static final class Counter {
    int n;
  }

  private static void read(
      LedgerReader ledger,
      Family family,
      Request r,
      Map<Instant, Map<List<String>, double[]>> cells,
      Counter rows,
      int slot,
      int width)
      throws LedgerException, BadParameter {
    ZoneId zone = r.range().zone();
    Map<Instant, Instant> bucketOf = new HashMap<>();
    boolean[] over = {false};
    ledger.sum(
        family,
        r.range().start(),
        r.range().end(),
        r.groupBy(),
        r.match(),
        (start, group, value) -> {
          if (over[0]) return;
          Instant bucket =
              bucketOf.computeIfAbsent(start, s -> bucketStart(s, zone, r.granularity()));
          Map<List<String>, double[]> groups =
              cells.computeIfAbsent(bucket, b -> new TreeMap<>(SpendQuery::compare));
          List<String> key = Arrays.asList(group);
          double[] v = groups.get(key);
          if (v == null) {
            if (++rows.n > MAX_ROWS) {
              over[0] = true;
              return;
            }
            v = new double[width];
            groups.put(key, v);
          }
          v[slot] += value;
        });
    if (over[0])
      throw new BadParameter(
          "group_by",
          "the answer would exceed "
              + MAX_ROWS
              + " rows; group by fewer dimensions, use granularity=day or a shorter from/to");
  }

  /**
   * The start of the day or local hour a row falls in; buckets are keyed by instant so the hour a
   * DST change repeats (02:00+02:00, then 02:00+01:00) stays two hours, in time order.
   */
  static Instant bucketStart(Instant rowStart, ZoneId zone, Granularity g) {
    ZonedDateTime t = ZonedDateTime.ofInstant(rowStart, zone);
    if (g == Granularity.DAY) return t.toLocalDate().atStartOfDay(zone).toInstant();
    return t.truncatedTo(ChronoUnit.HOURS).toInstant();
  }

  private static String name(Instant bucketStart, Request r) {
    ZonedDateTime t = ZonedDateTime.ofInstant(bucketStart, r.range().zone());
    return r.granularity() == Granularity.DAY
        ? t.toLocalDate().toString()
        : t.toOffsetDateTime().toString();
  }

  private static int compare(List<String> a, List<String> b) {
    for (int i = 0; i < a.size(); i++) {
      int c = a.get(i).compareTo(b.get(i));
      if (c != 0) return c;
    }
    return 0;
  }

  private static List<String> commonLabels() {
    LinkedHashSet<String> s = new LinkedHashSet<>(Metrics.REQUESTS.labelNames());
    s.retainAll(Metrics.SPEND.labelNames());
    s.retainAll(Metrics.TOKENS.labelNames());
    return List.copyOf(s);
  }
}
