package dev.aicost.source.nvml;

import static dev.aicost.source.nvml.FakeNvml.PATH;
import static dev.aicost.source.nvml.FakeNvml.T0;
import static dev.aicost.source.nvml.FakeNvml.control;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.collect.SourceException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The JNA binding itself, against the fake library: signatures, struct layouts, return codes. */
class NvmlLibraryTest {
  private NvmlLibrary nvml;

  @BeforeEach
  void setUp() throws Exception {
    control(
        "reset;period_us=100000;now_us="
            + T0
            + ";devices=2;driver=555.42.06;gpu.1.name=NVIDIA L4;gpu.1.pids=101,202");
    nvml = NvmlLibrary.load(PATH);
    assertEquals(NvmlReturn.SUCCESS, nvml.init());
  }

  @AfterEach
  void tearDown() {
    nvml.shutdown();
  }

  @Test
  void readsIdentityAndGauges() throws Exception {
    assertTrue(nvml.missing().isEmpty(), nvml.missing().toString());
    assertEquals("555.42.06", nvml.driverVersion());
    assertEquals(2, nvml.deviceCount());
    long h1 = nvml.deviceHandle(1);
    assertEquals("GPU-00000000-0000-0000-0000-000000000001", nvml.deviceUuid(h1));
    assertEquals("NVIDIA L4", nvml.deviceName(h1));
    assertArrayEquals(new int[] {101, 202}, nvml.runningProcessPids(h1));
    assertArrayEquals(new int[0], nvml.runningProcessPids(nvml.deviceHandle(0)));

    control(
        "gpu.1.power_mw=72500;gpu.1.mem_total=24000000000;gpu.1.mem_used=5000000000;gpu.1.mig=1");
    assertEquals(NvmlReturn.SUCCESS, nvml.powerUsage(h1));
    assertEquals(72500, nvml.unsignedIntResult());
    assertEquals(NvmlReturn.SUCCESS, nvml.memoryInfo(h1));
    assertEquals(24_000_000_000L, nvml.memoryTotal());
    assertEquals(5_000_000_000L, nvml.memoryUsed());
    assertEquals(NvmlReturn.SUCCESS, nvml.migMode(h1));
    assertEquals(1, nvml.intResult());
    assertEquals(NvmlReturn.SUCCESS, nvml.totalEnergy(h1));
    assertEquals(1_000_000L, nvml.longResult());
  }

  @Test
  void samplesNewerThanLastSeenWithEveryValueType() throws Exception {
    long h = nvml.deviceHandle(0);
    control("gpu.0.duty=30;advance_us=300000");
    assertEquals(NvmlReturn.SUCCESS, nvml.utilizationSamples(h, T0));
    assertEquals(3, nvml.sampleCount());
    for (int i = 0; i < 3; i++) {
      assertEquals(T0 + (i + 1) * 100_000L, nvml.sampleTimestamp(i));
      assertEquals(30.0, nvml.samplePercent(i));
    }
    control("gpu.0.value_type=0");
    assertEquals(NvmlReturn.SUCCESS, nvml.utilizationSamples(h, T0 + 200_000));
    assertEquals(1, nvml.sampleCount());
    assertEquals(30.0, nvml.samplePercent(0));
    control("gpu.0.value_type=3");
    assertEquals(NvmlReturn.SUCCESS, nvml.utilizationSamples(h, T0 + 200_000));
    assertEquals(30.0, nvml.samplePercent(0));
    assertEquals(NvmlReturn.NOT_FOUND, nvml.utilizationSamples(h, T0 + 300_000));
    assertEquals(0, nvml.sampleCount());
  }

  @Test
  void growsTheSampleBufferWhenNvmlHasMore() throws Exception {
    control("reset;buffer=1000;period_us=1000;now_us=" + T0 + ";devices=1");
    long h = nvml.deviceHandle(0);
    assertEquals(NvmlReturn.SUCCESS, nvml.utilizationSamples(h, 0));
    assertEquals(1000, nvml.sampleCount());
    assertEquals(T0, nvml.sampleTimestamp(999));
  }

  @Test
  void errorCodesHaveNamesAndMessages() throws Exception {
    control("gpu.0.lost=1");
    long h = nvml.deviceHandle(1);
    NvmlException e = assertThrows(NvmlException.class, () -> nvml.deviceHandle(0));
    assertEquals(NvmlReturn.GPU_IS_LOST, e.code());
    assertEquals("nvmlDeviceGetHandleByIndex_v2: GPU_IS_LOST (GPU is lost)", e.getMessage());
    assertEquals("Not Supported", nvml.errorString(NvmlReturn.NOT_SUPPORTED));
    assertEquals("DRIVER_NOT_LOADED", NvmlReturn.name(9));
    assertEquals("CODE_77", NvmlReturn.name(77));
    assertEquals(NvmlReturn.SUCCESS, nvml.powerUsage(h));
  }

  @Test
  void aMissingSymbolDisablesThatFunctionOnly() throws Exception {
    NvmlLibrary old = NvmlLibrary.load(FakeNvml.NO_SAMPLES_PATH);
    control(FakeNvml.NO_SAMPLES_PATH, "reset;devices=1");
    assertEquals(NvmlReturn.SUCCESS, old.init());
    try {
      assertFalse(old.has("nvmlDeviceGetSamples"));
      assertTrue(old.has("nvmlDeviceGetPowerUsage"));
      long h = old.deviceHandle(0);
      assertEquals(NvmlReturn.FUNCTION_NOT_FOUND, old.utilizationSamples(h, 0));
      assertEquals(NvmlReturn.SUCCESS, old.utilizationRates(h));
      // The other library in the same JVM keeps its own binding.
      assertTrue(nvml.has("nvmlDeviceGetSamples"));
      assertEquals(2, nvml.deviceCount());
      assertEquals(1, old.deviceCount());
    } finally {
      old.shutdown();
    }
  }

  @Test
  void aBadPathIsALibraryError() {
    SourceException e =
        assertThrows(
            SourceException.class, () -> NvmlLibrary.load("/nonexistent/libnvidia-ml.so.1"));
    assertEquals("library", e.reason());
    assertTrue(e.getMessage().contains("/nonexistent/libnvidia-ml.so.1"), e.getMessage());
    assertTrue(e.getMessage().contains("sources.nvml.library"), e.getMessage());
  }
}
