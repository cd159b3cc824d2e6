package dev.aicost.source.anthropic;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;

/** What the Anthropic usage and cost reports say, independent of how they were read. */
public final class UsageReport {
  private UsageReport() {}

  /**
   * One result of a usage bucket: the tokens of one (api key, workspace, model, service tier,
   * context window) group in [start, end). Group values are null when the API reports none (a null
   * workspace is the default workspace). Missing token fields are 0.
   */
  public record Row(
      Instant start,
      Instant end,
      String apiKeyId,
      String workspaceId,
      String model,
      String serviceTier,
      String contextWindow,
      long uncachedInput,
      long cacheRead,
      long cacheWrite5m,
      long cacheWrite1h,
      long output) {}

  /** What the cost report states for one UTC day, all results summed, in dollars. */
  public record CostDay(LocalDate day, BigDecimal usd) {}
}
