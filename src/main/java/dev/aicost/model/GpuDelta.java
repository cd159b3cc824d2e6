package dev.aicost.model;

import java.time.Instant;

/**
 * One GPU over [start, end): busy / idle seconds, energy, and the latest gauges. Keyed by UUID.
 *
 * @param utilizationKnown false for MIG-enabled GPUs, whose busy time NVML cannot tell: their
 *     seconds are then neither busy nor idle
 * @param deployment the configured deployment the GPU serves, or "" when none
 * @param deploymentHourlyUsd that deployment's {@code gpu_hourly_usd} as the source was configured,
 *     or null (then {@code pricing.gpus} by {@code name}, else the default table)
 */
public record GpuDelta(
    Instant start,
    Instant end,
    String uuid,
    int index,
    String name,
    String deployment,
    Double deploymentHourlyUsd,
    boolean utilizationKnown,
    double busySeconds,
    double idleSeconds,
    double energyJoules,
    double powerWatts,
    long memoryUsedBytes,
    long memoryTotalBytes,
    double utilizationRatio) {}
