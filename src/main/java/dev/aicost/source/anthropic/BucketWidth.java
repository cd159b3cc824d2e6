package dev.aicost.source.anthropic;

import java.time.Instant;

/** A usage bucket width the source polls with, and the most buckets one page may hold. */
public enum BucketWidth {
  MINUTE("1m", 60, 1440),
  HOUR("1h", 3600, 168);

  private final String param;
  private final long seconds;
  private final int maxLimit;

  BucketWidth(String param, long seconds, int maxLimit) {
    this.param = param;
    this.seconds = seconds;
    this.maxLimit = maxLimit;
  }

  /** From the configuration's {@code bucket_width} (validated to be 1m or 1h). */
  public static BucketWidth of(String text) {
    for (BucketWidth w : values()) if (w.param.equals(text)) return w;
    throw new IllegalArgumentException("bucket_width must be 1m or 1h, got \"" + text + "\"");
  }

  public String param() {
    return param;
  }

  public long seconds() {
    return seconds;
  }

  /** The largest {@code limit} the API accepts for this width (buckets per page). */
  public int maxLimit() {
    return maxLimit;
  }

  /** The start of the bucket holding {@code epochSecond}. */
  public long align(long epochSecond) {
    return Math.floorDiv(epochSecond, seconds) * seconds;
  }

  public long align(Instant t) {
    return align(t.getEpochSecond());
  }
}
