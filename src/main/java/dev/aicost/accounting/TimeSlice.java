package dev.aicost.accounting;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of an interval that fall in each quarter hour, so time-based dollars land in the ledger
 * rows they were spent in (an exporter down for three hours books three hours, not one spike).
 * Quarter hours, not hours: every time zone in use is a whole number of quarter hours from UTC
 * (+05:30, +05:45, +09:30 ...), so days in any zone are sums of whole slices.
 */
public record TimeSlice(Instant at, double fraction) {
  public static final long SLICE_MS = 15 * 60_000L;

  public static List<TimeSlice> split(Instant start, Instant end) {
    long s = start.toEpochMilli();
    long e = end.toEpochMilli();
    if (e <= s) return List.of(new TimeSlice(end, 1.0));
    List<TimeSlice> out = new ArrayList<>();
    double total = e - s;
    long cursor = s;
    while (cursor < e) {
      long next = Math.min(e, (Math.floorDiv(cursor, SLICE_MS) + 1) * SLICE_MS);
      out.add(new TimeSlice(Instant.ofEpochMilli(cursor), (next - cursor) / total));
      cursor = next;
    }
    return out;
  }
}
