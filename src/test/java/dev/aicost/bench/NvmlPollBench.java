package dev.aicost.bench;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.PointerByReference;
import dev.aicost.collect.Batch;
import dev.aicost.collect.SourceContext;
import dev.aicost.config.NvmlConfig;
import dev.aicost.model.GpuDelta;
import dev.aicost.source.nvml.NvmlGpuSource;
import dev.aicost.source.nvml.NvmlLibrary;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Exporter CPU of the NVML source against the fake libnvidia-ml (whose own work is a few hundred ns
 * a poll): {@code poll8Gpus} is one collect + commit of 8 GPUs, each with 6 new utilization samples
 * (1 s at the H100's 1/6 s period); divide by 8 for the figure per GPU. The {@code call*}
 * benchmarks are single NVML calls: the binding's direct mapping with reused buffers, against a JNA
 * interface with a new Structure per call. Run with bench/nvml.sh (it adds {@code -prof gc} for the
 * bytes allocated per operation).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
public class NvmlPollBench {
  private static final long T0 = 1_700_000_000_000_000L;
  private static final long SECOND = 1_000_000L;

  private String path;
  private Function control;
  private NvmlLibrary nvml;
  private NvmlGpuSource source;
  private long handle;
  private long now;
  private final SourceContext ctx =
      new SourceContext() {
        @Override
        public void upstreamCall(String operation, String outcome) {}

        @Override
        public void partialError(String reason, String message) {}
      };

  // A classic JNA interface mapping, for comparison only.
  public interface InterfaceNvml extends Library {
    int nvmlInit_v2();

    int nvmlDeviceGetHandleByIndex_v2(int index, PointerByReference device);

    int nvmlDeviceGetMemoryInfo(Pointer device, MemoryStruct memory);
  }

  @Structure.FieldOrder({"total", "free", "used"})
  public static class MemoryStruct extends Structure {
    public long total;
    public long free;
    public long used;
  }

  private InterfaceNvml viaInterface;
  private Pointer interfaceHandle;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    path =
        System.getProperty(
            "fake.nvml", Path.of("target/fake-nvml/libnvidia-ml.so.1").toAbsolutePath().toString());
    control = NativeLibrary.getInstance(path).getFunction("fake_nvml_control");
    now = T0;
    control.invokeInt(
        new Object[] {
          "reset;now_us="
              + now
              + ";devices=8;"
              + "gpu.0.duty=10;gpu.1.duty=20;gpu.2.duty=30;gpu.3.duty=40;gpu.4.duty=50;gpu.5.duty=60;gpu.6.duty=70;gpu.7.duty=80"
        });
    nvml = NvmlLibrary.load(path);
    source = new NvmlGpuSource(nvml, new NvmlConfig("true", path, null), Map.of());
    source.committed(source.collect(at(now), ctx)); // baseline
    handle = nvml.deviceHandle(0);

    viaInterface = Native.load(path, InterfaceNvml.class);
    viaInterface.nvmlInit_v2();
    PointerByReference ref = new PointerByReference();
    viaInterface.nvmlDeviceGetHandleByIndex_v2(0, ref);
    interfaceHandle = ref.getValue();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    source.close();
  }

  private static Instant at(long micros) {
    return Instant.ofEpochSecond(0, micros * 1000);
  }

  /**
   * One poll of 8 GPUs: 1 s of simulated time passes first (in the fake: ~1 µs incl. the JNA string
   * call).
   */
  @Benchmark
  public Batch poll8Gpus() throws Exception {
    now += SECOND;
    control.invokeInt(new Object[] {"advance_us=1000000"});
    Batch batch = source.collect(at(now), ctx);
    source.committed(batch);
    return batch;
  }

  /** The fake's own share of {@link #poll8Gpus}: advancing its clock, without the exporter. */
  @Benchmark
  public int advanceFakeClockOnly() {
    return control.invokeInt(new Object[] {"advance_us=0"});
  }

  /**
   * One NVML call through the binding: direct mapping, pointer args as longs, reused native buffer.
   */
  @Benchmark
  public long callReusedBuffer() {
    nvml.memoryInfo(handle);
    return nvml.memoryUsed();
  }

  /**
   * The same call through a JNA interface with a new Structure per call (what the binding avoids).
   */
  @Benchmark
  public long callInterfaceStructure() {
    MemoryStruct m = new MemoryStruct();
    viaInterface.nvmlDeviceGetMemoryInfo(interfaceHandle, m);
    return m.used;
  }

  /** Six new utilization samples read and decoded through the reused sample buffer. */
  @Benchmark
  public void samplesSixNew(Blackhole bh) {
    nvml.utilizationSamples(handle, now - SECOND);
    int n = nvml.sampleCount();
    for (int i = 0; i < n; i++) {
      bh.consume(nvml.sampleTimestamp(i));
      bh.consume(nvml.samplePercent(i));
    }
  }

  /**
   * Sanity check from the command line: java ... dev.aicost.bench.NvmlPollBench prints one poll.
   */
  public static void main(String[] args) throws Exception {
    NvmlPollBench b = new NvmlPollBench();
    b.setUp();
    for (GpuDelta d : b.poll8Gpus().gpus()) System.out.println(d);
    b.tearDown();
  }
}
