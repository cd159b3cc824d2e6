package dev.aicost.source.nvml;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/** The {@code nvml} source's checkpoint in the ledger: per GPU UUID, its {@link GpuState}. */
public record NvmlCheckpoint(
    @JsonProperty("version") int version, @JsonProperty("gpus") Map<String, GpuState> gpus) {
  public static final int VERSION = 1;

  public NvmlCheckpoint {
    gpus = gpus != null ? Map.copyOf(gpus) : Map.of();
  }
}
