package dev.aicost.pricing;

/**
 * The hourly price of one GPU.
 *
 * @param source {@code deployment} (set on the deployment), {@code config} ({@code pricing.gpus}) or
 *     {@code default} (the built-in estimate table: an estimate, never a bill)
 */
public record GpuPrice(double hourlyUsd, String source) {
  public static final String DEPLOYMENT = "deployment";
  public static final String CONFIG = "config";
  public static final String DEFAULT = "default";
}
