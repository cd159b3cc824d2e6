package dev.aicost.source.nvml;

import java.util.Set;

/**
 * The raw NVML entry points, one per exported function, with every pointer passed as a native
 * address. Implemented by {@link NvmlDirect} (JNA direct mapping) loaded in its own class loader
 * per library, so that two libraries in one JVM (the tests' fakes) never share a binding. Public
 * only because the isolated class must see it; use {@link NvmlLibrary}.
 */
public interface NvmlCalls {
  /** Exported names of the optional functions the library lacks (an old driver). */
  Set<String> missing();

  int init();

  int shutdown();

  String errorString(int rc);

  int systemGetDriverVersion(long buf, int len);

  int deviceGetCount(long countPtr);

  int deviceGetHandleByIndex(int index, long devicePtr);

  int deviceGetUuid(long device, long buf, int len);

  int deviceGetName(long device, long buf, int len);

  int deviceGetUtilizationRates(long device, long utilization);

  int deviceGetSamples(
      long device, int type, long lastSeen, long valueType, long count, long samples);

  int deviceGetTotalEnergyConsumption(long device, long energy);

  int deviceGetPowerUsage(long device, long power);

  int deviceGetMemoryInfo(long device, long memory);

  int deviceGetComputeRunningProcesses(long device, long count, long infos);

  int deviceGetMigMode(long device, long current, long pending);
}
