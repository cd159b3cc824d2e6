package dev.aicost.http;

import dev.aicost.collect.CollectorHealth;
import dev.aicost.ledger.Ledger;
import dev.aicost.ledger.LedgerException;
import dev.aicost.metrics.Family;
import dev.aicost.metrics.Metrics;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * {@code /api/v1/status} (collector health) and {@code /api/v1/spend?days=N&by=provider,model}
 * (daily dollars from the ledger's hourly rows, days in the configured time zone); with budgets,
 * the range form of spend and the endpoints of {@link BudgetApi}.
 */
public final class JsonApi {
  private static final int MAX_DAYS = 400;

  private final Ledger ledger;
  private final StatusView status;
  private final Supplier<ZoneId> zone;
  private final Clock clock;
  private final List<Extension> extensions = new ArrayList<>();
  private BudgetApi budgetApi;

  /** More routes registered by optional parts (the demo's load control). */
  @FunctionalInterface
  public interface Extension {
    void register(Javalin app);
  }

  /**
   * @param zone the configured time zone, read per request so a reload that changes it applies at
   *     once
   */
  public JsonApi(Ledger ledger, StatusView status, Supplier<ZoneId> zone, Clock clock) {
    this.ledger = ledger;
    this.status = status;
    this.zone = zone;
    this.clock = clock;
  }

  public JsonApi with(Extension e) {
    extensions.add(e);
    return this;
  }

  /**
   * Budgets, movers, unit costs, the weekly report, and {@code /api/v1/spend} by date range
   * (BudgetApi).
   */
  public JsonApi withBudgets(dev.aicost.budget.BudgetService budgets) {
    budgetApi = new BudgetApi(budgets);
    return with(budgetApi);
  }

  void register(Javalin app) {
    app.get("/api/v1/status", this::statusJson);
    app.get("/api/v1/spend", this::spend);
    extensions.forEach(e -> e.register(app));
  }

  private void statusJson(Context ctx) {
    List<Map<String, Object>> collectors = new ArrayList<>();
    for (CollectorHealth c : status.collectors()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("collector", c.collector());
      m.put("target", status.targets().getOrDefault(c.collector(), ""));
      m.put("state", c.state());
      m.put(
          "last_success",
          c.lastSuccessEpochSeconds() > 0
              ? Instant.ofEpochMilli((long) (c.lastSuccessEpochSeconds() * 1000)).toString()
              : null);
      m.put("last_duration_seconds", c.lastDurationSeconds());
      m.put("last_error", c.success() ? null : c.lastErrorReason() + ": " + c.lastError());
      collectors.add(m);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("version", status.version());
    body.put("demo", status.demo());
    body.put("started_at", status.startedAt() == null ? null : status.startedAt().toString());
    body.put("config_file", status.configFile());
    StatusView.Reload r = status.lastReload();
    if (r != null) {
      Map<String, Object> reload = new LinkedHashMap<>();
      reload.put("ok", r.ok());
      reload.put("at", r.at().toString());
      reload.put("message", r.message());
      body.put("last_reload", reload);
    }
    body.put("ledger_path", status.ledgerPath());
    body.put("ledger_bytes", status.ledgerBytes());
    if (!Double.isNaN(status.demoLoadFactor()))
      body.put("demo_load_factor", status.demoLoadFactor());
    body.put("totals", status.totals());
    body.put("collectors", collectors);
    List<Map<String, Object>> gpus = new ArrayList<>();
    for (StatusView.Gpu g : status.gpus()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("gpu", g.index());
      m.put("uuid", g.uuid());
      m.put("name", g.name());
      m.put("deployment", g.deployment());
      m.put("hourly_usd", g.hourlyUsd());
      m.put("price_source", g.priceSource());
      m.put("estimate", "default".equals(g.priceSource()));
      gpus.add(m);
    }
    body.put("gpus", gpus);
    ctx.json(body);
  }

  private void spend(Context ctx) throws LedgerException {
    if (budgetApi != null && BudgetApi.isRangeQuery(ctx)) {
      budgetApi.spendRange(ctx);
      return;
    }
    int days;
    try {
      days = Integer.parseInt(ctx.queryParamAsClass("days", String.class).getOrDefault("7"));
    } catch (NumberFormatException e) {
      days = -1;
    }
    if (days < 1 || days > MAX_DAYS) {
      ctx.status(HttpStatus.BAD_REQUEST)
          .json(Map.of("error", "days must be an integer between 1 and " + MAX_DAYS));
      return;
    }
    Family spend = Metrics.SPEND;
    List<String> by = new ArrayList<>();
    String byParam = ctx.queryParam("by");
    if (byParam != null && !byParam.isBlank()) {
      for (String b : byParam.split(",")) {
        String label = b.trim();
        if (!spend.labelNames().contains(label)) {
          ctx.status(HttpStatus.BAD_REQUEST)
              .json(
                  Map.of(
                      "error",
                      "by: unknown dimension \"" + label + "\"; one of " + spend.labelNames()));
          return;
        }
        by.add(label);
      }
    }
    ZoneId zone = this.zone.get();
    LocalDate today = LocalDate.ofInstant(clock.instant(), zone);
    Instant from = today.minusDays(days - 1L).atStartOfDay(zone).toInstant();
    Map<String, Map<List<String>, Double>> byDay = new TreeMap<>();
    for (Ledger.HourlyRow row : ledger.hourly(spend, from, clock.instant().plusSeconds(3600))) {
      String day = LocalDate.ofInstant(row.hour(), zone).toString();
      List<String> key = new ArrayList<>();
      for (String b : by) key.add(row.labels().get(spend.labelIndex(b)));
      byDay.computeIfAbsent(day, d -> new LinkedHashMap<>()).merge(key, row.value(), Double::sum);
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    byDay.forEach(
        (day, groups) ->
            groups.forEach(
                (key, usd) -> {
                  Map<String, Object> r = new LinkedHashMap<>();
                  r.put("day", day);
                  for (int i = 0; i < by.size(); i++) r.put(by.get(i), key.get(i));
                  r.put("usd", usd);
                  rows.add(r);
                }));
    ctx.json(Map.of("timezone", zone.getId(), "days", days, "by", by, "rows", rows));
  }
}
