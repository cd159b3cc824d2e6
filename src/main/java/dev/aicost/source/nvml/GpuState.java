package dev.aicost.source.nvml;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The committed accounting state of one GPU, as checkpointed in the ledger.
 *
 * @param lastPollMicros end of the last accounted interval (µs since the epoch)
 * @param lastSampleMicros timestamp of the newest utilization sample integrated (NVML's lastSeen);
 *     0 = none yet
 * @param energyMillijoules the energy counter at the last poll; -1 = not read (unsupported)
 * @param busyCarrySeconds busy time integrated from samples beyond the elapsed time of the poll it
 *     arrived in (samples lag the poll by up to one period); counted in the next poll so wall time
 *     and sample time never drift apart
 * @param samplePeriodMicros the sampling period learned from consecutive samples; 0 = unknown
 * @param utilization latest sample as a ratio 0..1; -1 = unknown
 */
public record GpuState(
    @JsonProperty("last_poll_us") long lastPollMicros,
    @JsonProperty("last_sample_us") long lastSampleMicros,
    @JsonProperty("energy_mj") long energyMillijoules,
    @JsonProperty("busy_carry_s") double busyCarrySeconds,
    @JsonProperty("sample_period_us") long samplePeriodMicros,
    @JsonProperty("utilization") double utilization) {}
