package dev.aicost.config;

import java.time.Duration;
import java.util.List;

/**
 * One vLLM deployment. {@code name} becomes the {@code deployment} label.
 *
 * @param gpuCount GPUs the deployment holds (until NVML maps them), default 1
 * @param gpuHourlyUsd per GPU-hour; else {@code pricing.gpus} by {@code gpu_name}; else the default
 *     table
 * @param gpuName the GPU model as NVML names it, for price matching without NVML
 * @param gpus GPU UUIDs this deployment holds (used when NVML is on); they win over {@code process}
 * @param process opt-in mapping of GPUs to this deployment by the processes running on them; null
 *     when off
 * @param processExpiry how long an upstream process (a replica behind the URL) is remembered
 *     unseen, default 24h
 */
public record VllmSourceConfig(
    String name,
    String url,
    Duration interval,
    Duration timeout,
    Integer gpuCount,
    Double gpuHourlyUsd,
    String gpuName,
    List<String> gpus,
    ProcessMatchConfig process,
    Duration processExpiry) {

  public VllmSourceConfig(
      String name,
      String url,
      Duration interval,
      Duration timeout,
      Integer gpuCount,
      Double gpuHourlyUsd,
      String gpuName,
      List<String> gpus,
      ProcessMatchConfig process) {
    this(name, url, interval, timeout, gpuCount, gpuHourlyUsd, gpuName, gpus, process, null);
  }

  public VllmSourceConfig {
    interval = interval != null ? interval : Duration.ofSeconds(15);
    timeout = timeout != null ? timeout : Duration.ofSeconds(5);
    gpuCount = gpuCount != null ? gpuCount : 1;
    gpus = ConfigCopies.list(gpus);
    processExpiry = processExpiry != null ? processExpiry : Duration.ofHours(24);
  }

  /** A deployment with every optional setting at its default. */
  public static VllmSourceConfig of(String name, String url) {
    return new VllmSourceConfig(name, url, null, null, null, null, null, null, null, null);
  }

  public VllmSourceConfig withInterval(Duration interval) {
    return new VllmSourceConfig(
        name,
        url,
        interval,
        timeout,
        gpuCount,
        gpuHourlyUsd,
        gpuName,
        gpus,
        process,
        processExpiry);
  }

  public VllmSourceConfig withTimeout(Duration timeout) {
    return new VllmSourceConfig(
        name,
        url,
        interval,
        timeout,
        gpuCount,
        gpuHourlyUsd,
        gpuName,
        gpus,
        process,
        processExpiry);
  }

  /**
   * GPUs priced by time without NVML: how many, their hourly price (null: by name) and their name.
   */
  public VllmSourceConfig withGpuCount(int gpuCount, Double gpuHourlyUsd, String gpuName) {
    return new VllmSourceConfig(
        name,
        url,
        interval,
        timeout,
        gpuCount,
        gpuHourlyUsd,
        gpuName,
        gpus,
        process,
        processExpiry);
  }

  /** The GPU UUIDs NVML maps to this deployment. */
  public VllmSourceConfig withGpus(List<String> gpus) {
    return new VllmSourceConfig(
        name,
        url,
        interval,
        timeout,
        gpuCount,
        gpuHourlyUsd,
        gpuName,
        gpus,
        process,
        processExpiry);
  }

  public VllmSourceConfig withProcess(ProcessMatchConfig process) {
    return new VllmSourceConfig(
        name,
        url,
        interval,
        timeout,
        gpuCount,
        gpuHourlyUsd,
        gpuName,
        gpus,
        process,
        processExpiry);
  }

  /**
   * Whether GPUs are mapped to this deployment by their processes ({@code process:} with a way to
   * match).
   */
  public boolean matchesProcesses() {
    return process != null && process.enabled();
  }
}
