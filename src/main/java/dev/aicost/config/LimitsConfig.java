package dev.aicost.config;

/**
 * {@code limits:} guards against upstream pages and label sets that would hurt the exporter.
 *
 * @param maxScrapeBytes largest upstream page read, in bytes ({@code 16MiB} in YAML)
 * @param maxLabelValueLength longest upstream label value accepted; longer series are skipped
 * @param maxModelsPerSource models one upstream (one vLLM URL) is tracked for; further models on
 *     its pages are counted together under the model {@code __overflow__}
 */
public record LimitsConfig(
    Integer maxSeriesPerMetric,
    DataSize maxScrapeBytes,
    Integer maxLabelValueLength,
    Integer maxModelsPerSource) {

  public LimitsConfig(
      Integer maxSeriesPerMetric, DataSize maxScrapeBytes, Integer maxLabelValueLength) {
    this(maxSeriesPerMetric, maxScrapeBytes, maxLabelValueLength, null);
  }

  public LimitsConfig {
    maxSeriesPerMetric = maxSeriesPerMetric != null ? maxSeriesPerMetric : 10_000;
    maxScrapeBytes = maxScrapeBytes != null ? maxScrapeBytes : new DataSize(16L * 1024 * 1024);
    maxLabelValueLength = maxLabelValueLength != null ? maxLabelValueLength : 1024;
    maxModelsPerSource = maxModelsPerSource != null ? maxModelsPerSource : 1000;
  }
}
