package dev.aicost.budget;

import java.time.Instant;
import java.util.Map;

/**
 * One budget's figures at {@code asOf}.
 *
 * @param pace the daily spend the forecast projects, US dollars per day
 * @param paceBasis how the pace was measured: {@code trailing_7_days}, {@code month_days} (the
 *     month's complete days, fewer than 7) or {@code today_so_far} (the 1st of the month)
 * @param remainingDays calendar days left in the month, today's unelapsed part included
 * @param unpricedTokensMonthToDate tokens matching the budget that had no price this month (their
 *     cost is missing from the figures); NaN when the budget matches on a label unpriced tokens do
 *     not carry (team, category, ...), so they cannot be told apart
 */
public record BudgetFigures(
    String name,
    Map<String, String> match,
    double monthlyUsd,
    double monthToDateUsd,
    double forecastUsd,
    double pace,
    String paceBasis,
    double remainingDays,
    double unpricedTokensMonthToDate,
    Instant asOf) {

  /** Forecast month-end spend / budget - 1: above 0 the month is heading over budget. */
  public double varianceRatio() {
    return forecastUsd / monthlyUsd - 1;
  }
}
