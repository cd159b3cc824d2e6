package dev.aicost.budget;

import dev.aicost.ledger.LedgerException;
import dev.aicost.ledger.LedgerReader;
import dev.aicost.metrics.Metrics;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What changed: spend of one period against the period before, per value of a dimension (category,
 * provider, model, team). Periods are whole days in the configured zone: {@code day} is yesterday
 * against the day before, {@code week} the 7 days ending yesterday against the 7 before (today is
 * never complete, so it is never compared).
 */
public final class Movers {
  public static final List<String> DIMENSIONS = List.of("category", "provider", "model", "team");
  public static final int TOP = 5;

  public enum Period {
    DAY(1),
    WEEK(7);

    final int days;

    Period(int days) {
      this.days = days;
    }
  }

  /**
   * One value's change; {@code changeRatio} is NaN when it spent nothing the period before (new).
   */
  public record Move(String dimension, String value, double currentUsd, double previousUsd) {
    public double changeUsd() {
      return currentUsd - previousUsd;
    }

    public double changeRatio() {
      return previousUsd > 0 ? currentUsd / previousUsd - 1 : Double.NaN;
    }
  }

  /** The top moves up and down of one dimension, and every move (for the report's triage). */
  public record Ranking(String dimension, List<Move> up, List<Move> down, List<Move> all) {}

  public record Result(
      Period period,
      DayRange current,
      DayRange previous,
      double currentUsd,
      double previousUsd,
      Map<String, Ranking> byDimension) {}

  private Movers() {}

  /** The periods that end with {@code lastDay} (usually yesterday). */
  public static Result compute(LedgerReader ledger, Period period, LocalDate lastDay, ZoneId zone)
      throws LedgerException {
    DayRange current = DayRange.ending(lastDay, period.days, zone);
    DayRange previous = current.previous();
    Map<String, Ranking> rankings = new LinkedHashMap<>();
    double[] totals = new double[2];
    for (String dim : DIMENSIONS) {
      Map<String, double[]> sums = new TreeMap<>();
      totals[0] = totals[1] = 0;
      ledger.sum(
          Metrics.SPEND,
          previous.start(),
          current.end(),
          List.of(dim),
          Map.of(),
          (start, group, usd) -> {
            int slot = current.contains(LocalDate.ofInstant(start, zone)) ? 0 : 1;
            sums.computeIfAbsent(group[0], k -> new double[2])[slot] += usd;
            totals[slot] += usd;
          });
      List<Move> all = new ArrayList<>();
      sums.forEach((value, v) -> all.add(new Move(dim, value, v[0], v[1])));
      rankings.put(dim, rank(dim, all));
    }
    return new Result(period, current, previous, totals[0], totals[1], rankings);
  }

  static Ranking rank(String dim, List<Move> all) {
    List<Move> up =
        all.stream()
            .filter(m -> m.changeUsd() > 0)
            .sorted(
                Comparator.comparingDouble(Move::changeUsd).reversed().thenComparing(Move::value))
            .limit(TOP)
            .toList();
    List<Move> down =
        all.stream()
            .filter(m -> m.changeUsd() < 0)
            .sorted(Comparator.comparingDouble(Move::changeUsd).thenComparing(Move::value))
            .limit(TOP)
            .toList();
    return new Ranking(dim, up, down, List.copyOf(all));
  }
}
