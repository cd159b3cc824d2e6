package dev.aicost.model;

import java.time.Instant;

/**
 * One GPU over [start, end): busy / idle seconds, energy, and the latest gauges. Keyed by UUID.
 *
 * @param utilizationKnown false for MIG-enabled GPUs, whose busy time NVML cannot tell: their
 *     seconds are then neither busy nor idle
 * @param deployment the configured deployment the GPU serves, or "" when none
 */
public record GpuDelta(
    Instant start,
    Instant end,
    String uuid,
    int index,
    String name,
    String deployment,
    boolean utilizationKnown,
    double busySeconds,
    double idleSeconds,
    double energyJoules,
    double powerWatts,
    long memoryUsedBytes,
    long memoryTotalBytes,
    double utilizationRatio) {}
