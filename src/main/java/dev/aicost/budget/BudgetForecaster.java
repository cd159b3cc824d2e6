package dev.aicost.budget;

import dev.aicost.config.BudgetConfig;
import dev.aicost.ledger.LedgerException;
import dev.aicost.ledger.LedgerReader;
import dev.aicost.metrics.Metrics;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Month-to-date and month-end forecast of a budget, from the ledger's time rows (usage is dated by
 * when it happened, so late data lands on its own day).
 *
 * <p>The pace is measured inside the month: the mean of the trailing 7 complete days from the 8th
 * on; the mean of the month's complete days from the 2nd to the 7th; on the 1st, today's spend so
 * far divided by the elapsed fraction of today. Forecast = month-to-date + pace × remaining days,
 * where today's remaining part counts as the fraction of its own length (23 or 25 hours on a DST
 * day) that is left.
 */
public final class BudgetForecaster {
  static final int TRAILING_DAYS = 7;

  private BudgetForecaster() {}

  public static BudgetFigures compute(
      LedgerReader ledger, BudgetConfig budget, ZoneId zone, Instant now) throws LedgerException {
    LocalDate today = LocalDate.ofInstant(now, zone);
    LocalDate first = today.withDayOfMonth(1);
    Instant monthStart = first.atStartOfDay(zone).toInstant();
    Map<LocalDate, Double> byDay = new TreeMap<>();
    // rows that start after now are future-dated (a skewed upstream clock): not spent yet
    ledger.sum(
        Metrics.SPEND,
        monthStart,
        now,
        List.of(),
        budget.match(),
        (start, group, usd) -> byDay.merge(LocalDate.ofInstant(start, zone), usd, Double::sum));
    double mtd = byDay.values().stream().mapToDouble(Double::doubleValue).sum();

    Instant todayStart = today.atStartOfDay(zone).toInstant();
    Instant tomorrowStart = today.plusDays(1).atStartOfDay(zone).toInstant();
    double todayLength = Duration.between(todayStart, tomorrowStart).toMillis();
    double elapsed = Duration.between(todayStart, now).toMillis() / todayLength;
    double remaining =
        (1 - elapsed) + ChronoUnit.DAYS.between(today.plusDays(1), first.plusMonths(1));

    int completeDays = today.getDayOfMonth() - 1;
    double pace;
    String basis;
    if (completeDays >= TRAILING_DAYS) {
      pace = sumDays(byDay, today.minusDays(TRAILING_DAYS), today) / TRAILING_DAYS;
      basis = "trailing_7_days";
    } else if (completeDays > 0) {
      pace = sumDays(byDay, first, today) / completeDays;
      basis = "month_days";
    } else {
      double sofar = byDay.getOrDefault(today, 0.0);
      pace = elapsed > 0 ? sofar / elapsed : 0;
      basis = "today_so_far";
    }
    double unpriced = Double.NaN;
    if (Metrics.UNPRICED_TOKENS.labelNames().containsAll(budget.match().keySet())) {
      double[] sum = {0};
      ledger.sum(
          Metrics.UNPRICED_TOKENS,
          monthStart,
          now,
          List.of(),
          budget.match(),
          (start, group, tokens) -> sum[0] += tokens);
      unpriced = sum[0];
    }
    return new BudgetFigures(
        budget.name(),
        budget.match(),
        budget.monthlyUsd(),
        mtd,
        mtd + pace * remaining,
        pace,
        basis,
        remaining,
        unpriced,
        now);
  }

  /** Spend of the days in [from, until). */
  private static double sumDays(Map<LocalDate, Double> byDay, LocalDate from, LocalDate until) {
    double s = 0;
    for (Map.Entry<LocalDate, Double> e : byDay.entrySet())
      if (!e.getKey().isBefore(from) && e.getKey().isBefore(until)) s += e.getValue();
    return s;
  }
}
