package dev.aicost.config;

/**
 * {@code limits:} guards against upstream pages and label sets that would hurt the exporter.
 *
 * @param maxScrapeBytes largest upstream page read, in bytes ({@code 16MiB} in YAML)
 * @param maxLabelValueLength longest upstream label value accepted; longer series are skipped
 */
public record LimitsConfig(Integer maxSeriesPerMetric, DataSize maxScrapeBytes, Integer maxLabelValueLength) {
  public LimitsConfig {
    maxSeriesPerMetric = maxSeriesPerMetric != null ? maxSeriesPerMetric : 10_000;
    maxScrapeBytes = maxScrapeBytes != null ? maxScrapeBytes : new DataSize(16L * 1024 * 1024);
    maxLabelValueLength = maxLabelValueLength != null ? maxLabelValueLength : 1024;
  }
}
