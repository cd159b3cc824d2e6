package dev.aicost.budget;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;

/**
 * Whole calendar days [first, last] in a time zone, as instants: a day starts at its local midnight
 * (or the first instant after a DST gap), so a 23- or 25-hour day is still one day.
 */
public record DayRange(LocalDate first, LocalDate last, ZoneId zone) {
  public DayRange {
    if (last.isBefore(first)) throw new IllegalArgumentException(last + " is before " + first);
  }

  public static DayRange of(LocalDate day, ZoneId zone) {
    return new DayRange(day, day, zone);
  }

  /** The {@code days} whole days ending with {@code last}. */
  public static DayRange ending(LocalDate last, int days, ZoneId zone) {
    return new DayRange(last.minusDays(days - 1L), last, zone);
  }

  public Instant start() {
    return first.atStartOfDay(zone).toInstant();
  }

  /** The start of the day after {@code last}. */
  public Instant end() {
    return last.plusDays(1).atStartOfDay(zone).toInstant();
  }

  public long days() {
    return ChronoUnit.DAYS.between(first, last) + 1;
  }

  public boolean contains(LocalDate d) {
    return !d.isBefore(first) && !d.isAfter(last);
  }

  /** The same number of days just before this range. */
  public DayRange previous() {
    return new DayRange(first.minusDays(days()), first.minusDays(1), zone);
  }

  @Override
  public String toString() {
    return first.equals(last) ? first.toString() : first + ".." + last;
  }
}
