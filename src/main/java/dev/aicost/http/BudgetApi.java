package dev.aicost.http;

import dev.aicost.budget.BadParameter;
import dev.aicost.budget.BudgetFigures;
import dev.aicost.budget.BudgetService;
import dev.aicost.budget.Movers;
import dev.aicost.budget.SpendQuery;
import dev.aicost.budget.WeeklyReport;
import dev.aicost.ledger.LedgerException;
import dev.aicost.metrics.Metrics;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Read-only views of the ledger: {@code /api/v1/budgets}, {@code /api/v1/movers}, {@code
 * /api/v1/unit-costs}, {@code /api/v1/report/weekly}, and {@code /api/v1/spend} by date range (JSON
 * or CSV). A bad parameter is a 400 whose message starts with the parameter's name.
 */
final class BudgetApi implements JsonApi.Extension {
  private static final List<String> RANGE_PARAMS =
      List.of("from", "to", "group_by", "granularity", "format");

  private final BudgetService budgets;

  BudgetApi(BudgetService budgets) {
    this.budgets = budgets;
  }

  @Override
  public void register(Javalin app) {
    app.get("/api/v1/budgets", this::budgetsJson);
    app.get("/api/v1/movers", this::movers);
    app.get("/api/v1/unit-costs", this::unitCosts);
    app.get("/api/v1/report/weekly", this::weekly);
  }

  /** The range form of /api/v1/spend; without these parameters the older days/by form answers. */
  static boolean isRangeQuery(Context ctx) {
    for (String p : RANGE_PARAMS) if (ctx.queryParam(p) != null) return true;
    return false;
  }

  private static void bad(Context ctx, BadParameter e) {
    ctx.status(HttpStatus.BAD_REQUEST)
        .json(Map.of("error", e.getMessage(), "parameter", e.parameter()));
  }

  private SpendQuery.Request request(Context ctx, List<String> labels) throws BadParameter {
    if (ctx.queryParam("days") != null || ctx.queryParam("by") != null)
      throw new BadParameter(
          ctx.queryParam("days") != null ? "days" : "by",
          "use from/to/group_by, or days/by, not both");
    String format = ctx.queryParam("format");
    if (format != null && !format.equals("json") && !format.equals("csv"))
      throw new BadParameter("format", "must be json or csv");
    return SpendQuery.parse(
        ctx.queryParam("from"),
        ctx.queryParam("to"),
        ctx.queryParam("group_by"),
        ctx.queryParam("granularity"),
        labels,
        budgets.zone(),
        budgets.clock().instant());
  }

  void spendRange(Context ctx) throws LedgerException {
    SpendQuery.Request r;
    List<SpendQuery.Row> rows;
    try {
      r = request(ctx, Metrics.SPEND.labelNames());
      rows = SpendQuery.spend(budgets.reader(), r);
    } catch (BadParameter e) {
      bad(ctx, e);
      return;
    }
    String bucket = bucketName(r);
    List<String> columns = new ArrayList<>(List.of(bucket));
    columns.addAll(r.groupBy());
    columns.add("usd");
    List<List<Object>> table = new ArrayList<>(rows.size());
    double total = 0;
    for (SpendQuery.Row row : rows) {
      List<Object> line = new ArrayList<>(columns.size());
      line.add(row.bucket());
      line.addAll(row.group());
      line.add(row.usd());
      table.add(line);
      total += row.usd();
    }
    answer(ctx, r, "spend", columns, table, Map.of("total_usd", total));
  }

  private void unitCosts(Context ctx) throws LedgerException {
    SpendQuery.Request r;
    List<SpendQuery.UnitRow> rows;
    try {
      r = request(ctx, SpendQuery.UNIT_LABELS);
      rows = SpendQuery.unitCosts(budgets.reader(), r);
    } catch (BadParameter e) {
      bad(ctx, e);
      return;
    }
    List<String> columns = new ArrayList<>(List.of(bucketName(r)));
    columns.addAll(r.groupBy());
    columns.addAll(List.of("usd", "requests", "tokens", "usd_per_request", "usd_per_1k_tokens"));
    List<List<Object>> table = new ArrayList<>(rows.size());
    for (SpendQuery.UnitRow row : rows) {
      List<Object> line = new ArrayList<>(columns.size());
      line.add(row.bucket());
      line.addAll(row.group());
      line.add(row.usd());
      line.add(row.requests());
      line.add(row.tokens());
      line.add(orNull(row.usdPerRequest()));
      line.add(orNull(row.usdPer1kTokens()));
      table.add(line);
    }
    answer(ctx, r, "unit-costs", columns, table, Map.of());
  }

  private static String bucketName(SpendQuery.Request r) {
    return r.granularity() == SpendQuery.Granularity.DAY ? "day" : "hour";
  }

  private void answer(
      Context ctx,
      SpendQuery.Request r,
      String what,
      List<String> columns,
      List<List<Object>> table,
      Map<String, Object> extra) {
    if ("csv".equals(ctx.queryParam("format"))) {
      StringBuilder csv = new StringBuilder(64 + table.size() * 48);
      csv.append(String.join(",", columns)).append("\r\n");
      for (List<Object> line : table) {
        for (int i = 0; i < line.size(); i++) {
          if (i > 0) csv.append(',');
          csv.append(Csv.cell(line.get(i)));
        }
        csv.append("\r\n");
      }
      ctx.header(
          "Content-Disposition",
          "attachment; filename=\"aicost-" + what + "-" + r.range() + ".csv\"");
      ctx.contentType("text/csv; charset=utf-8").result(csv.toString());
      return;
    }
    List<Map<String, Object>> rows = new ArrayList<>(table.size());
    for (List<Object> line : table) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (int i = 0; i < columns.size(); i++) m.put(columns.get(i), line.get(i));
      rows.add(m);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("timezone", r.range().zone().getId());
    body.put("from", r.range().first().toString());
    body.put("to", r.range().last().toString());
    body.put("granularity", bucketName(r));
    body.put("group_by", r.groupBy());
    body.putAll(extra);
    body.put("rows", rows);
    ctx.json(body);
  }

  private static Object orNull(double v) {
    return Double.isNaN(v) ? null : v;
  }

  private void budgetsJson(Context ctx) {
    List<Map<String, Object>> list = new ArrayList<>();
    Instant asOf = null;
    for (BudgetFigures f : budgets.tracker().figures()) {
      asOf = f.asOf();
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("budget", f.name());
      m.put("match", f.match());
      m.put("monthly_usd", f.monthlyUsd());
      m.put("month_to_date_usd", f.monthToDateUsd());
      m.put("forecast_month_end_usd", f.forecastUsd());
      m.put("variance_ratio", f.varianceRatio());
      m.put("pace_usd_per_day", f.pace());
      m.put("pace_basis", f.paceBasis());
      m.put("remaining_days", f.remainingDays());
      m.put("unpriced_tokens_month_to_date", orNull(f.unpricedTokensMonthToDate()));
      list.add(m);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("timezone", budgets.zone().getId());
    body.put("as_of", asOf == null ? null : asOf.toString());
    body.put("budgets", list);
    ctx.json(body);
  }

  private void movers(Context ctx) throws LedgerException {
    List<Movers.Period> periods;
    String p = ctx.queryParam("period");
    if (p == null) periods = List.of(Movers.Period.values());
    else if (p.equals("day")) periods = List.of(Movers.Period.DAY);
    else if (p.equals("week")) periods = List.of(Movers.Period.WEEK);
    else {
      bad(ctx, new BadParameter("period", "must be day or week"));
      return;
    }
    ZoneId zone = budgets.zone();
    LocalDate yesterday = LocalDate.ofInstant(budgets.clock().instant(), zone).minusDays(1);
    List<Map<String, Object>> out = new ArrayList<>();
    for (Movers.Period period : periods)
      out.add(moversJson(Movers.compute(budgets.reader(), period, yesterday, zone)));
    ctx.json(Map.of("timezone", zone.getId(), "periods", out));
  }

  static Map<String, Object> moversJson(Movers.Result r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("period", r.period().name().toLowerCase(Locale.ROOT));
    m.put("current", range(r.current().first(), r.current().last(), r.currentUsd()));
    m.put("previous", range(r.previous().first(), r.previous().last(), r.previousUsd()));
    Map<String, Object> dims = new LinkedHashMap<>();
    r.byDimension()
        .forEach(
            (dim, ranking) -> {
              Map<String, Object> d = new LinkedHashMap<>();
              d.put("up", moves(ranking.up()));
              d.put("down", moves(ranking.down()));
              dims.put(dim, d);
            });
    m.put("dimensions", dims);
    return m;
  }

  private static Map<String, Object> range(LocalDate from, LocalDate to, double usd) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("from", from.toString());
    m.put("to", to.toString());
    m.put("usd", usd);
    return m;
  }

  private static List<Map<String, Object>> moves(List<Movers.Move> moves) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Movers.Move mv : moves) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("value", mv.value());
      m.put("usd", mv.currentUsd());
      m.put("previous_usd", mv.previousUsd());
      m.put("change_usd", mv.changeUsd());
      m.put("change_ratio", orNull(mv.changeRatio()));
      out.add(m);
    }
    return out;
  }

  private void weekly(Context ctx) throws LedgerException {
    ZoneId zone = budgets.zone();
    Instant now = budgets.clock().instant();
    LocalDate last = LocalDate.ofInstant(now, zone).minusDays(1);
    String end = ctx.queryParam("end");
    if (end != null) {
      try {
        last = LocalDate.parse(end);
      } catch (DateTimeParseException e) {
        bad(ctx, new BadParameter("end", "must be a date YYYY-MM-DD (the week's last day)"));
        return;
      }
    }
    String md =
        WeeklyReport.render(
            new WeeklyReport.Input(
                budgets.reader(),
                zone,
                last,
                budgets.budgetConfigs(),
                budgets.reconciliationDrift(),
                now));
    ctx.contentType("text/markdown; charset=utf-8").result(md);
  }
}
