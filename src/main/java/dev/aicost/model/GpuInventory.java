package dev.aicost.model;

import java.util.List;
import java.util.Optional;

/**
 * What NVML says the host has, for {@code
 * aicost_gpu_info{gpu,uuid,name,driver_version,deployment}}. Immutable; the NVML source swaps in a
 * new one when something changes.
 *
 * @param driverVersion e.g. {@code 550.54.15}; "" when NVML does not say
 */
public record GpuInventory(String driverVersion, List<Gpu> gpus) {
  public static final GpuInventory EMPTY = new GpuInventory("", List.of());

  public GpuInventory {
    gpus = List.copyOf(gpus);
  }

  /**
   * @param index NVML index (not stable across reboots, not CUDA's order): the {@code gpu} label
   *     only
   * @param uuid the key of every GPU series
   * @param name as NVML reports it, e.g. {@code NVIDIA H100 80GB HBM3} (price matching); "" if
   *     unknown
   * @param deployment configured deployment, "" when none
   * @param migEnabled MIG mode on: utilization unknown
   */
  public record Gpu(int index, String uuid, String name, String deployment, boolean migEnabled) {}

  public Optional<Gpu> byUuid(String uuid) {
    return gpus.stream().filter(g -> g.uuid().equals(uuid)).findFirst();
  }
}
