package dev.aicost.source.nvml;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * JNA direct mapping of NVML (about 0.1 µs a call, no argument conversion: every pointer is a
 * {@code long} address of a buffer the caller reuses). Direct mapping binds a class's static
 * natives once, so each library gets this class from its own class loader ({@link NvmlLibrary});
 * each optional function sits in its own nested class so a symbol an old driver lacks disables that
 * function only.
 */
public final class NvmlDirect implements NvmlCalls {
  private final Set<String> missing = new LinkedHashSet<>();

  public NvmlDirect(NativeLibrary library) {
    Native.register(Core.class, library); // throws UnsatisfiedLinkError: not an NVML library
    optional(library, DriverVersion.class, "nvmlSystemGetDriverVersion");
    optional(library, Name.class, "nvmlDeviceGetName");
    optional(library, Utilization.class, "nvmlDeviceGetUtilizationRates");
    optional(library, Samples.class, "nvmlDeviceGetSamples");
    optional(library, Energy.class, "nvmlDeviceGetTotalEnergyConsumption");
    optional(library, Power.class, "nvmlDeviceGetPowerUsage");
    optional(library, MemoryInfo.class, "nvmlDeviceGetMemoryInfo");
    optional(library, Processes.class, "nvmlDeviceGetComputeRunningProcesses_v3");
    optional(library, Mig.class, "nvmlDeviceGetMigMode");
  }

  private void optional(NativeLibrary library, Class<?> holder, String symbol) {
    try {
      Native.register(holder, library);
    } catch (UnsatisfiedLinkError e) {
      missing.add(symbol);
    }
  }

  @Override
  public Set<String> missing() {
    return Set.copyOf(missing);
  }

  static final class Core {
    static native int nvmlInit_v2();

    static native int nvmlShutdown();

    static native String nvmlErrorString(int rc);

    static native int nvmlDeviceGetCount_v2(long count);

    static native int nvmlDeviceGetHandleByIndex_v2(int index, long device);

    static native int nvmlDeviceGetUUID(long device, long buf, int len);
  }

  static final class DriverVersion {
    static native int nvmlSystemGetDriverVersion(long buf, int len);
  }

  static final class Name {
    static native int nvmlDeviceGetName(long device, long buf, int len);
  }

  static final class Utilization {
    static native int nvmlDeviceGetUtilizationRates(long device, long utilization);
  }

  static final class Samples {
    static native int nvmlDeviceGetSamples(
        long device, int type, long lastSeen, long valueType, long count, long samples);
  }

  static final class Energy {
    static native int nvmlDeviceGetTotalEnergyConsumption(long device, long energy);
  }

  static final class Power {
    static native int nvmlDeviceGetPowerUsage(long device, long power);
  }

  static final class MemoryInfo {
    static native int nvmlDeviceGetMemoryInfo(long device, long memory);
  }

  static final class Processes {
    static native int nvmlDeviceGetComputeRunningProcesses_v3(long device, long count, long infos);
  }

  static final class Mig {
    static native int nvmlDeviceGetMigMode(long device, long current, long pending);
  }

  @Override
  public int init() {
    return Core.nvmlInit_v2();
  }

  @Override
  public int shutdown() {
    return Core.nvmlShutdown();
  }

  @Override
  public String errorString(int rc) {
    return Core.nvmlErrorString(rc);
  }

  @Override
  public int systemGetDriverVersion(long buf, int len) {
    return DriverVersion.nvmlSystemGetDriverVersion(buf, len);
  }

  @Override
  public int deviceGetCount(long count) {
    return Core.nvmlDeviceGetCount_v2(count);
  }

  @Override
  public int deviceGetHandleByIndex(int index, long device) {
    return Core.nvmlDeviceGetHandleByIndex_v2(index, device);
  }

  @Override
  public int deviceGetUuid(long device, long buf, int len) {
    return Core.nvmlDeviceGetUUID(device, buf, len);
  }

  @Override
  public int deviceGetName(long device, long buf, int len) {
    return Name.nvmlDeviceGetName(device, buf, len);
  }

  @Override
  public int deviceGetUtilizationRates(long device, long u) {
    return Utilization.nvmlDeviceGetUtilizationRates(device, u);
  }

  @Override
  public int deviceGetSamples(
      long device, int type, long lastSeen, long valueType, long count, long samples) {
    return Samples.nvmlDeviceGetSamples(device, type, lastSeen, valueType, count, samples);
  }

  @Override
  public int deviceGetTotalEnergyConsumption(long device, long e) {
    return Energy.nvmlDeviceGetTotalEnergyConsumption(device, e);
  }

  @Override
  public int deviceGetPowerUsage(long device, long p) {
    return Power.nvmlDeviceGetPowerUsage(device, p);
  }

  @Override
  public int deviceGetMemoryInfo(long device, long m) {
    return MemoryInfo.nvmlDeviceGetMemoryInfo(device, m);
  }

  @Override
  public int deviceGetComputeRunningProcesses(long device, long count, long infos) {
    return Processes.nvmlDeviceGetComputeRunningProcesses_v3(device, count, infos);
  }

  @Override
  public int deviceGetMigMode(long device, long c, long p) {
    return Mig.nvmlDeviceGetMigMode(device, c, p);
  }
}
