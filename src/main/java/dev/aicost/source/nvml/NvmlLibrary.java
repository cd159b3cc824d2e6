package dev.aicost.source.nvml;

import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import dev.aicost.collect.SourceException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One loaded NVML library and the native buffers its calls reuse: a poll allocates no native memory
 * and no Java objects on the call path (results are read from the reused buffers through the
 * accessors).
 *
 * <p>Hot-path methods return the {@code nvmlReturn_t} and leave their result in the buffers ({@link
 * #intResult()}, {@link #longResult()}, {@link #sampleCount()}, ...). A function the library does
 * not export returns {@link NvmlReturn#FUNCTION_NOT_FOUND}, as NVML itself does, so an old driver
 * degrades that feature only. Not thread-safe: one collector thread at a time. Identity reads
 * (UUID, name, driver version) allocate and throw {@link NvmlException}; they run once per device
 * at inventory time.
 */
public final class NvmlLibrary {
  public static final int GPU_UTILIZATION_SAMPLES = 1;
  public static final int VALUE_DOUBLE = 0;
  public static final int VALUE_UNSIGNED_INT = 1;
  public static final int VALUE_UNSIGNED_LONG = 2;
  public static final int VALUE_UNSIGNED_LONG_LONG = 3;
  public static final int VALUE_SIGNED_LONG_LONG = 4;
  public static final int VALUE_SIGNED_INT = 5;

  private static final int SAMPLE_BYTES = 16;
  private static final int STRING_BYTES = 96;
  private static final int PROCESS_BYTES = 24;

  private final String path;
  private final NvmlCalls calls;
  private final Set<String> missing;
  private final boolean hasUtilization;
  private final boolean hasEnergy;
  private final boolean hasPower;
  private final boolean hasMemory;
  private final boolean hasMig;
  private final boolean hasSamples;

  // Reused native buffers; the Memory objects are kept so their native memory lives as long as this
  // object.
  private final Memory out = new Memory(64);
  private final long outAddress = Pointer.nativeValue(out);
  private final Memory text = new Memory(STRING_BYTES);
  private final long textAddress = Pointer.nativeValue(text);
  private Memory samples;
  private long samplesAddress;
  private int samplesCapacity;
  private int sampleCount;
  private int sampleValueType;

  private NvmlLibrary(String path, NvmlCalls calls) {
    this.path = path;
    this.calls = calls;
    this.missing = calls.missing();
    hasUtilization = has("nvmlDeviceGetUtilizationRates");
    hasEnergy = has("nvmlDeviceGetTotalEnergyConsumption");
    hasPower = has("nvmlDeviceGetPowerUsage");
    hasMemory = has("nvmlDeviceGetMemoryInfo");
    hasMig = has("nvmlDeviceGetMigMode");
    hasSamples = has("nvmlDeviceGetSamples");
    growSamples(128);
  }

  /**
   * Loads NVML from {@code path} ({@code sources.nvml.library}), or when null or blank from the
   * system's {@code nvidia-ml} / {@code libnvidia-ml.so.1} ({@code nvml} on Windows).
   *
   * @throws SourceException reason {@code library} when it cannot be loaded or is not NVML
   */
  public static NvmlLibrary load(String path) throws SourceException {
    List<String> candidates =
        path != null && !path.isBlank()
            ? List.of(path)
            : Platform.isWindows() ? List.of("nvml") : List.of("nvidia-ml", "libnvidia-ml.so.1");
    List<String> failures = new ArrayList<>();
    for (String candidate : candidates) {
      NativeLibrary library;
      try {
        library = NativeLibrary.getInstance(candidate);
      } catch (UnsatisfiedLinkError e) {
        failures.add(candidate + ": " + firstLine(e.getMessage()));
        continue;
      }
      try {
        return new NvmlLibrary(
            library.getFile() != null ? library.getFile().getPath() : candidate, bind(library));
      } catch (UnsatisfiedLinkError e) {
        throw new SourceException(
            "library", "not an NVML library: " + candidate + ": " + firstLine(e.getMessage()), e);
      }
    }
    throw new SourceException(
        "library",
        "cannot load the NVML library ("
            + String.join("; ", failures)
            + "); install the NVIDIA driver, give the container the GPU (--gpus) or set sources.nvml.library");
  }

  private static String firstLine(String message) {
    if (message == null) return "";
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }

  /**
   * Binds {@link NvmlDirect} in a class loader of its own: direct mapping is per class, we want per
   * library.
   */
  private static NvmlCalls bind(NativeLibrary library) {
    try {
      Class<?> direct =
          Class.forName(
              NvmlDirect.class.getName(),
              true,
              new IsolatingLoader(NvmlLibrary.class.getClassLoader()));
      return (NvmlCalls) direct.getConstructor(NativeLibrary.class).newInstance(library);
    } catch (java.lang.reflect.InvocationTargetException e) {
      if (e.getCause() instanceof UnsatisfiedLinkError u) throw u;
      throw new IllegalStateException("cannot bind NVML", e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot bind NVML", e);
    }
  }

  /** Defines {@code NvmlDirect} and its nested classes itself; delegates everything else. */
  private static final class IsolatingLoader extends ClassLoader {
    private static final String PREFIX = NvmlDirect.class.getName();

    IsolatingLoader(ClassLoader parent) {
      super(parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (!name.startsWith(PREFIX)) return super.loadClass(name, resolve);
      synchronized (getClassLoadingLock(name)) {
        Class<?> c = findLoadedClass(name);
        if (c == null) {
          try (InputStream in =
              getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
            if (in == null) throw new ClassNotFoundException(name);
            byte[] bytes = in.readAllBytes();
            c = defineClass(name, bytes, 0, bytes.length, NvmlLibrary.class.getProtectionDomain());
          } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
          }
        }
        if (resolve) resolveClass(c);
        return c;
      }
    }
  }

  /** The file the library was loaded from. */
  public String path() {
    return path;
  }

  /** Whether the library exports {@code symbol} (all the required ones always are). */
  public boolean has(String symbol) {
    return !missing.contains(symbol);
  }

  /** Optional functions this library lacks. */
  public Set<String> missing() {
    return missing;
  }

  public int init() {
    return calls.init();
  }

  public int shutdown() {
    return calls.shutdown();
  }

  /** NVML's own message for a code, e.g. "GPU is lost". */
  public String errorString(int rc) {
    String s = calls.errorString(rc);
    return s != null ? s : NvmlReturn.name(rc);
  }

  // ---- identity (allocates; inventory time only) ----

  public String driverVersion() throws NvmlException {
    if (!has("nvmlSystemGetDriverVersion")) throw missing("nvmlSystemGetDriverVersion");
    check("nvmlSystemGetDriverVersion", calls.systemGetDriverVersion(textAddress, STRING_BYTES));
    return text.getString(0);
  }

  public int deviceCount() throws NvmlException {
    check("nvmlDeviceGetCount_v2", calls.deviceGetCount(outAddress));
    return out.getInt(0);
  }

  /** The device handle (an opaque pointer) of NVML index {@code index}. */
  public long deviceHandle(int index) throws NvmlException {
    out.setLong(0, 0);
    check("nvmlDeviceGetHandleByIndex_v2", calls.deviceGetHandleByIndex(index, outAddress));
    return out.getLong(0);
  }

  public String deviceUuid(long device) throws NvmlException {
    check("nvmlDeviceGetUUID", calls.deviceGetUuid(device, textAddress, STRING_BYTES));
    return text.getString(0);
  }

  public String deviceName(long device) throws NvmlException {
    if (!has("nvmlDeviceGetName")) throw missing("nvmlDeviceGetName");
    check("nvmlDeviceGetName", calls.deviceGetName(device, textAddress, STRING_BYTES));
    return text.getString(0);
  }

  /**
   * PIDs of the compute processes on the device (the list may change between calls:
   * over-allocated).
   */
  public int[] runningProcessPids(long device) throws NvmlException {
    String fn = "nvmlDeviceGetComputeRunningProcesses_v3";
    if (!has(fn)) throw missing(fn);
    out.setInt(0, 0);
    int rc = calls.deviceGetComputeRunningProcesses(device, outAddress, 0);
    if (rc == NvmlReturn.SUCCESS) return new int[0];
    if (rc != NvmlReturn.INSUFFICIENT_SIZE) check(fn, rc);
    for (int attempt = 0; ; attempt++) {
      int capacity = out.getInt(0) + 8;
      Memory infos = new Memory((long) capacity * PROCESS_BYTES);
      out.setInt(0, capacity);
      rc = calls.deviceGetComputeRunningProcesses(device, outAddress, Pointer.nativeValue(infos));
      if (rc == NvmlReturn.INSUFFICIENT_SIZE && attempt < 3) continue;
      check(fn, rc);
      int n = out.getInt(0);
      int[] pids = new int[n];
      for (int i = 0; i < n; i++) pids[i] = infos.getInt((long) i * PROCESS_BYTES);
      return pids;
    }
  }

  // ---- per-poll reads (no allocation; results in the reused buffers) ----

  /** {@code nvmlDeviceGetUtilizationRates}: then {@link #intResult()} is the GPU percent. */
  public int utilizationRates(long device) {
    if (!hasUtilization) return NvmlReturn.FUNCTION_NOT_FOUND;
    return calls.deviceGetUtilizationRates(device, outAddress);
  }

  /**
   * {@code nvmlDeviceGetTotalEnergyConsumption}: then {@link #longResult()} is millijoules since
   * the driver loaded.
   */
  public int totalEnergy(long device) {
    if (!hasEnergy) return NvmlReturn.FUNCTION_NOT_FOUND;
    return calls.deviceGetTotalEnergyConsumption(device, outAddress);
  }

  /** {@code nvmlDeviceGetPowerUsage}: then {@link #unsignedIntResult()} is milliwatts. */
  public int powerUsage(long device) {
    if (!hasPower) return NvmlReturn.FUNCTION_NOT_FOUND;
    return calls.deviceGetPowerUsage(device, outAddress);
  }

  /**
   * {@code nvmlDeviceGetMemoryInfo}: then {@link #memoryTotal()} / {@link #memoryUsed()} in bytes.
   */
  public int memoryInfo(long device) {
    if (!hasMemory) return NvmlReturn.FUNCTION_NOT_FOUND;
    return calls.deviceGetMemoryInfo(device, outAddress);
  }

  /** {@code nvmlDeviceGetMigMode}: then {@link #intResult()} is the current mode (1 = enabled). */
  public int migMode(long device) {
    if (!hasMig) return NvmlReturn.FUNCTION_NOT_FOUND;
    return calls.deviceGetMigMode(device, outAddress, outAddress + 8);
  }

  /**
   * {@code nvmlDeviceGetSamples(GPU_UTILIZATION_SAMPLES)}: every buffered sample newer than {@code
   * lastSeenMicros}, oldest first, then read with {@link #sampleCount()}, {@link
   * #sampleTimestamp(int)}, {@link #samplePercent(int)}. NOT_FOUND means no new sample. The sample
   * buffer grows (once) when NVML says it is too small.
   */
  public int utilizationSamples(long device, long lastSeenMicros) {
    sampleCount = 0;
    if (!hasSamples) return NvmlReturn.FUNCTION_NOT_FOUND;
    for (int attempt = 0; ; attempt++) {
      out.setInt(4, samplesCapacity);
      int rc =
          calls.deviceGetSamples(
              device,
              GPU_UTILIZATION_SAMPLES,
              lastSeenMicros,
              outAddress,
              outAddress + 4,
              samplesAddress);
      if (rc == NvmlReturn.INSUFFICIENT_SIZE && attempt < 2) {
        rc =
            calls.deviceGetSamples(
                device, GPU_UTILIZATION_SAMPLES, lastSeenMicros, outAddress, outAddress + 4, 0);
        if (rc != NvmlReturn.SUCCESS) return rc;
        growSamples(Math.max(out.getInt(4), samplesCapacity * 2));
        continue;
      }
      if (rc == NvmlReturn.SUCCESS) {
        sampleValueType = out.getInt(0);
        sampleCount = Math.min(out.getInt(4), samplesCapacity);
      }
      return rc;
    }
  }

  private void growSamples(int capacity) {
    samples = new Memory((long) capacity * SAMPLE_BYTES);
    samplesAddress = Pointer.nativeValue(samples);
    samplesCapacity = capacity;
  }

  public int sampleCount() {
    return sampleCount;
  }

  /** Microseconds since the epoch (CLOCK_REALTIME). */
  public long sampleTimestamp(int i) {
    return samples.getLong((long) i * SAMPLE_BYTES);
  }

  /**
   * The sample's value as a number, whatever {@code nvmlValueType_t} NVML chose (a percent for
   * utilization).
   */
  public double samplePercent(int i) {
    long off = (long) i * SAMPLE_BYTES + 8;
    return switch (sampleValueType) {
      case VALUE_DOUBLE -> samples.getDouble(off);
      case VALUE_UNSIGNED_INT -> Integer.toUnsignedLong(samples.getInt(off));
      case VALUE_SIGNED_INT -> samples.getInt(off);
      case VALUE_SIGNED_LONG_LONG -> samples.getLong(off);
      default ->
          (double) samples.getLong(off); // unsigned long / long long: far below 2^63 for a percent
    };
  }

  public int intResult() {
    return out.getInt(0);
  }

  public long unsignedIntResult() {
    return Integer.toUnsignedLong(out.getInt(0));
  }

  public long longResult() {
    return out.getLong(0);
  }

  public long memoryTotal() {
    return out.getLong(0);
  }

  public long memoryUsed() {
    return out.getLong(16);
  }

  private void check(String function, int rc) throws NvmlException {
    if (rc != NvmlReturn.SUCCESS) throw new NvmlException(function, rc, errorString(rc));
  }

  private NvmlException missing(String function) {
    return new NvmlException(function, NvmlReturn.FUNCTION_NOT_FOUND, "not exported by " + path);
  }
}
