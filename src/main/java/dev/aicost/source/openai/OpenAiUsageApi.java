package dev.aicost.source.openai;

import dev.aicost.collect.SourceContext;
import dev.aicost.collect.SourceException;
import java.util.List;

/**
 * One page of OpenAI's organisation usage and costs API. A second implementation (another wire, a
 * proxy) can stand in; the source does the paging and the counting. Every call reports itself
 * through {@code ctx.upstreamCall}. Failures are {@link SourceException}s with the health reason
 * ({@code auth}, {@code rate_limited} as {@link RateLimited}, {@code http_status}, {@code timeout},
 * {@code connect}, {@code parse}, {@code too_large}, {@code io}); their messages never hold the
 * key.
 */
public interface OpenAiUsageApi {

  /**
   * {@code GET /organization/usage/{endpoint}}, from {@code startTime} on; page null for the first.
   */
  UsagePage usage(UsageQuery query, String page, SourceContext ctx) throws SourceException;

  /**
   * {@code GET /organization/costs}, daily buckets from {@code startTime}, grouped by line item.
   */
  CostPage costs(long startTime, int days, String page, SourceContext ctx) throws SourceException;

  /** What the API root is, for the status page and messages (never a secret). */
  String target();

  /**
   * @param endpoint {@code completions} or {@code embeddings}
   * @param bucketWidth {@code 1m} or {@code 1h}
   * @param limit buckets per page
   */
  record UsageQuery(
      String endpoint, long startTime, String bucketWidth, int limit, List<String> groupBy) {
    public UsageQuery {
      groupBy = List.copyOf(groupBy);
    }
  }

  record UsagePage(List<UsageBucket> buckets, String nextPage) {
    public UsagePage {
      buckets = List.copyOf(buckets);
    }
  }

  /** start and end in epoch seconds. */
  record UsageBucket(long start, long end, List<UsageResult> results) {
    public UsageBucket {
      results = List.copyOf(results);
    }
  }

  /**
   * One result as reported: numbers null when absent; {@code bad} names a field whose value is not
   * a non-negative integer (the result is not counted).
   */
  record UsageResult(
      Long inputTokens,
      Long outputTokens,
      Long requests,
      Long inputCachedTokens,
      Long inputCacheWriteTokens,
      Long inputUncachedTokens,
      String projectId,
      String apiKeyId,
      String model,
      Boolean batch,
      String serviceTier,
      String bad) {}

  record CostPage(List<CostBucket> buckets, String nextPage) {
    public CostPage {
      buckets = List.copyOf(buckets);
    }
  }

  /** One day: the sum of its results' amounts in USD; {@code bad} as for usage. */
  record CostBucket(long start, double usd, String bad) {}

  /** HTTP 429: the source waits {@code retryAfterSeconds} before calling again. */
  final class RateLimited extends SourceException {
    private final long retryAfterSeconds;

    public RateLimited(String message, long retryAfterSeconds) {
      super("rate_limited", message);
      this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
      return retryAfterSeconds;
    }
  }
}
