package dev.aicost.collect;

import dev.aicost.model.GpuInventory;
import java.util.Set;

/**
 * A source that reads GPUs (NVML, the demo's simulated ones): what it sees and whose dollars it
 * measures.
 */
public interface GpuSource extends Source {
  /**
   * The GPUs and driver version last seen, for {@code aicost_gpu_info}; empty until the first
   * successful collect.
   */
  GpuInventory inventory();

  /**
   * Deployments whose dollars come from this source's GPU time (instead of gpu_count x price), so
   * nothing is booked twice.
   */
  Set<String> meteredDeployments();
}
