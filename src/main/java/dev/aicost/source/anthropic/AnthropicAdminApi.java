package dev.aicost.source.anthropic;

import dev.aicost.collect.SourceContext;
import dev.aicost.collect.SourceException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * The organisation's usage and cost, as Anthropic reports them. One implementation reads the Admin
 * API's usage and cost reports ({@link AdminApiClient}); the reference notes a newer analytics API
 * that a second implementation may read.
 *
 * <p>Each method reads every page or fails as a whole: a half-read report is never returned.
 */
public interface AnthropicAdminApi {

  /** Every usage row of buckets of {@code bucketWidth} starting at or after {@code startingAt}. */
  List<UsageReport.Row> usage(Instant startingAt, BucketWidth bucketWidth, SourceContext ctx)
      throws SourceException;

  /** The cost of each UTC day from {@code from} (inclusive) on. */
  List<UsageReport.CostDay> cost(LocalDate from, SourceContext ctx) throws SourceException;
}
