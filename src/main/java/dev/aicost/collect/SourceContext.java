package dev.aicost.collect;

/** What a source may report while collecting, besides its records. */
public interface SourceContext {

  /**
   * One call made upstream: {@code aicost_upstream_requests_total{collector,operation,outcome}}.
   */
  void upstreamCall(String operation, String outcome);

  /**
   * A problem that did not fail the whole collect (a skipped series, an oversized label): {@code
   * aicost_collector_errors_total{collector,reason}}. Reason is a short bounded token.
   */
  void partialError(String reason, String message);

  /**
   * How many distinct upstream processes answered recently: {@code
   * aicost_upstream_processes{collector}}.
   */
  default void upstreamProcesses(int count) {}

  /** An upstream API cost the exporter itself incurred (CloudWatch, Cost Explorer), in USD. */
  default void upstreamCost(double usd) {}
}
