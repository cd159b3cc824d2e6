package dev.aicost.accounting;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of an interval that fall in each clock hour, so time-based dollars land in the hourly
 * rows they were spent in (an exporter down for three hours books three hours, not one spike).
 */
public record HourSlice(Instant at, double fraction) {
  private static final long HOUR_MS = 3_600_000L;

  public static List<HourSlice> split(Instant start, Instant end) {
    long s = start.toEpochMilli();
    long e = end.toEpochMilli();
    if (e <= s) return List.of(new HourSlice(end, 1.0));
    List<HourSlice> out = new ArrayList<>();
    double total = e - s;
    long cursor = s;
    while (cursor < e) {
      long next = Math.min(e, (Math.floorDiv(cursor, HOUR_MS) + 1) * HOUR_MS);
      out.add(new HourSlice(Instant.ofEpochMilli(cursor), (next - cursor) / total));
      cursor = next;
    }
    return out;
  }
}
