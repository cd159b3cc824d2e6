package dev.aicost.pricing;

import dev.aicost.metrics.LabelValues;

/**
 * The hourly price of one GPU.
 *
 * @param source {@code deployment} (set on the deployment), {@code config} ({@code pricing.gpus})
 *     or {@code default} (the built-in estimate table: an estimate, never a bill)
 */
public record GpuPrice(double hourlyUsd, String source) {
  public static final String DEPLOYMENT = LabelValues.PRICE_DEPLOYMENT;
  public static final String CONFIG = LabelValues.PRICE_CONFIG;
  public static final String DEFAULT = LabelValues.PRICE_DEFAULT;
}
