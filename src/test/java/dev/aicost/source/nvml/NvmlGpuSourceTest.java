package dev.aicost.source.nvml;

import static dev.aicost.source.nvml.FakeNvml.PATH;
import static dev.aicost.source.nvml.FakeNvml.T0;
import static dev.aicost.source.nvml.FakeNvml.at;
import static dev.aicost.source.nvml.FakeNvml.control;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.collect.Batch;
import dev.aicost.collect.SourceException;
import dev.aicost.config.NvmlConfig;
import dev.aicost.config.VllmSourceConfig;
import dev.aicost.model.GpuDelta;
import dev.aicost.model.GpuInventory;
import dev.aicost.testing.RecordingContext;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * NvmlGpuSource with the real JNA binding against the fake libnvidia-ml, on the fake's simulated
 * clock.
 */
class NvmlGpuSourceTest {
  private static final double EPS = 1e-9;
  private static final NvmlConfig CONFIG = new NvmlConfig("true", PATH, null);
  private static final String UUID0 = "GPU-00000000-0000-0000-0000-000000000000";
  private static final String UUID1 = "GPU-00000000-0000-0000-0000-000000000001";
  private static NvmlLibrary nvml;

  private final RecordingContext ctx = new RecordingContext();
  private NvmlGpuSource source;
  private String lastCheckpoint; // what the ledger holds after the last commit

  @BeforeAll
  static void load() throws SourceException {
    nvml = NvmlLibrary.load(PATH);
  }

  @AfterEach
  void close() {
    if (source != null) source.close();
  }

  /** Fresh fake on the simulated clock at T0 with 0.1 s sample periods, then {@code settings}. */
  private NvmlGpuSource start(String settings, Map<String, String> deployments) {
    control("reset;period_us=100000;now_us=" + T0 + ";" + settings);
    source = new NvmlGpuSource(nvml, CONFIG, deployments);
    return source;
  }

  /** Moves the fake's clock to {@code micros}, collects at that time and commits. */
  private List<GpuDelta> poll(NvmlGpuSource s, long micros) throws SourceException {
    control("now_us=" + micros);
    Batch batch = s.collect(at(micros), ctx);
    s.committed(batch);
    lastCheckpoint = batch.checkpointJson();
    return batch.gpus();
  }

  @Test
  void noGpus() throws Exception {
    NvmlGpuSource s = start("devices=0", Map.of());
    assertEquals(List.of(), poll(s, T0));
    assertEquals(List.of(), poll(s, T0 + 1_000_000));
    assertEquals(List.of(), s.inventory().gpus());
    assertEquals("550.54.15", s.inventory().driverVersion());
  }

  @Test
  void oneGpuBusySecondsFollowTheDutyCycle() throws Exception {
    NvmlGpuSource s =
        start(
            "devices=1;gpu.0.duty=25;gpu.0.power_mw=300000;gpu.0.mem_used=4096",
            Map.of(UUID0, "llama-prod"));
    GpuDelta baseline = poll(s, T0).get(0);
    assertEquals(at(T0), baseline.start());
    assertEquals(at(T0), baseline.end());
    assertEquals(0, baseline.busySeconds() + baseline.idleSeconds() + baseline.energyJoules(), EPS);

    GpuDelta d = poll(s, T0 + 2_500_000).get(0);
    assertEquals(at(T0), d.start());
    assertEquals(at(T0 + 2_500_000), d.end());
    assertEquals(UUID0, d.uuid());
    assertEquals(0, d.index());
    assertEquals("NVIDIA H100 80GB HBM3", d.name());
    assertEquals("llama-prod", d.deployment());
    assertTrue(d.utilizationKnown());
    assertEquals(
        0.625, d.busySeconds(), 0.01 * 0.625); // within 1 % of the programmed duty cycle...
    assertEquals(0.625, d.busySeconds(), EPS); // ...and in fact exact on aligned samples
    assertEquals(1.875, d.idleSeconds(), EPS);
    assertEquals(0.25, d.utilizationRatio(), EPS);
    assertEquals(750.0, d.energyJoules(), 1e-3); // 300 W x 2.5 s
    assertEquals(300.0, d.powerWatts(), EPS);
    assertEquals(4096, d.memoryUsedBytes());
    assertEquals(85_899_345_920L, d.memoryTotalBytes());
    assertEquals(List.of(), ctx.partialErrors);
  }

  @Test
  void realClockIntervalMatchesTheDutyCycleWithinOnePercent() throws Exception {
    // Sample timestamps from CLOCK_REALTIME, poll times from Instant.now(): the same clock as in
    // production.
    control("reset;buffer=1024;period_us=5000;devices=1;gpu.0.duty=30");
    source = new NvmlGpuSource(nvml, CONFIG, Map.of());
    source.committed(source.collect(Instant.now(), ctx));
    Thread.sleep(2000);
    GpuDelta d = source.collect(Instant.now(), ctx).gpus().get(0);
    double elapsed = d.busySeconds() + d.idleSeconds();
    assertEquals(java.time.Duration.between(d.start(), d.end()).toNanos() / 1e9, elapsed, 1e-6);
    assertTrue(elapsed >= 2.0, "elapsed " + elapsed);
    assertEquals(0.30 * elapsed, d.busySeconds(), 0.01 * 0.30 * elapsed);
  }

  @Test
  void varyingSamplesAreIntegratedOverTheirOwnPeriods() throws Exception {
    // 100 % one period in four: 25 % busy, but every single sample says 0 or 100.
    NvmlGpuSource s = start("devices=1;gpu.0.duty=100,0,0,0", Map.of());
    poll(s, T0);
    double busy = 0;
    double idle = 0;
    for (long t = T0 + 130_000;
        t <= T0 + 3_000_000;
        t += 130_000) { // polls out of step with the samples
      GpuDelta d = poll(s, t).get(0);
      assertEquals((double) 130_000 / 1e6, d.busySeconds() + d.idleSeconds(), EPS);
      busy += d.busySeconds();
      idle += d.idleSeconds();
    }
    double elapsed = busy + idle;
    // Samples lag the last poll by at most one period: 0.1 s at 100 %.
    assertEquals(0.25 * elapsed, busy, 0.1);
    GpuDelta last =
        poll(s, T0 + 4_000_000).get(0); // a poll on a sample boundary settles it exactly
    assertEquals(1.0, busy + last.busySeconds(), EPS);
  }

  @Test
  void eightGpusEachKeyedByUuid() throws Exception {
    StringBuilder settings = new StringBuilder("devices=8");
    for (int i = 0; i < 8; i++) settings.append(";gpu.").append(i).append(".duty=").append(i * 10);
    settings.append(";gpu.7.name=NVIDIA A100-SXM4-80GB");
    List<VllmSourceConfig> vllm =
        List.of(
            VllmSourceConfig.of("llama-prod", "http://127.0.0.1:8000/metrics")
                .withGpus(List.of(UUID0, UUID1)),
            new VllmSourceConfig(
                "qwen",
                "http://127.0.0.1:8001/metrics",
                null,
                null,
                null,
                null,
                null,
                List.of("GPU-00000000-0000-0000-0000-000000000005"),
                null));
    NvmlGpuSource s = start(settings.toString(), NvmlGpuSource.deploymentsByGpu(vllm));
    assertEquals(8, poll(s, T0).size());
    List<GpuDelta> deltas = poll(s, T0 + 2_000_000);
    assertEquals(8, deltas.size());
    for (int i = 0; i < 8; i++) {
      GpuDelta d = deltas.get(i);
      assertEquals(i, d.index());
      assertEquals(String.format("GPU-00000000-0000-0000-0000-%012d", i), d.uuid());
      assertEquals(0.2 * i, d.busySeconds(), EPS);
      assertEquals(2.0 - 0.2 * i, d.idleSeconds(), EPS);
      assertEquals(i < 2 ? "llama-prod" : i == 5 ? "qwen" : "", d.deployment());
    }
    assertEquals("NVIDIA A100-SXM4-80GB", deltas.get(7).name());
    GpuInventory inventory = s.inventory();
    assertEquals(8, inventory.gpus().size());
    assertEquals(
        new GpuInventory.Gpu(
            5, "GPU-00000000-0000-0000-0000-000000000005", "NVIDIA H100 80GB HBM3", "qwen", false),
        inventory.gpus().get(5));
  }

  @Test
  void noNewSampleIsNotAnError() throws Exception {
    NvmlGpuSource s = start("devices=1;gpu.0.duty=25", Map.of());
    poll(s, T0);
    poll(s, T0 + 1_000_000);
    GpuDelta d = poll(s, T0 + 1_050_000).get(0); // half a sample period: NVML answers NOT_FOUND
    assertEquals(0, d.busySeconds(), EPS);
    assertEquals(0.05, d.idleSeconds(), EPS);
    assertEquals(0.25, d.utilizationRatio(), EPS); // the latest known sample
    d = poll(s, T0 + 2_000_000).get(0);
    assertEquals(0.25, d.busySeconds(), EPS); // the ten samples of the whole second
    assertEquals(0.70, d.idleSeconds(), EPS);
    assertEquals(List.of(), ctx.partialErrors);
  }

  @Test
  void samplesNotSupportedFallsBackToUtilizationRates() throws Exception {
    NvmlGpuSource s = start("devices=1;gpu.0.duty=40;gpu.0.samples_rc=3", Map.of());
    poll(s, T0);
    GpuDelta d = poll(s, T0 + 2_000_000).get(0);
    assertTrue(d.utilizationKnown());
    assertEquals(0.8, d.busySeconds(), EPS);
    assertEquals(1.2, d.idleSeconds(), EPS);
    assertEquals(0.4, d.utilizationRatio(), EPS);
    assertEquals(List.of(), ctx.partialErrors);
  }

  @Test
  void aMissingSamplesSymbolDegradesToUtilizationRates() throws Exception {
    NvmlLibrary old = NvmlLibrary.load(FakeNvml.NO_SAMPLES_PATH);
    control(
        FakeNvml.NO_SAMPLES_PATH,
        "reset;period_us=100000;now_us=" + T0 + ";devices=1;gpu.0.duty=60");
    source = new NvmlGpuSource(old, CONFIG, Map.of());
    source.committed(source.collect(at(T0), ctx));
    control(FakeNvml.NO_SAMPLES_PATH, "now_us=" + (T0 + 1_000_000));
    GpuDelta d = source.collect(at(T0 + 1_000_000), ctx).gpus().get(0);
    assertEquals(0.6, d.busySeconds(), EPS);
    assertEquals(0.4, d.idleSeconds(), EPS);
    assertEquals(List.of(), ctx.partialErrors);
  }

  @Test
  void migGpusHaveUnknownUtilizationNotIdle() throws Exception {
    NvmlGpuSource s = start("devices=2;gpu.1.mig=1;gpu.1.duty=50;gpu.1.power_mw=400000", Map.of());
    poll(s, T0);
    List<GpuDelta> deltas = poll(s, T0 + 1_000_000);
    GpuDelta mig = deltas.get(1);
    assertFalse(mig.utilizationKnown());
    assertEquals(0, mig.busySeconds(), EPS);
    assertEquals(0, mig.idleSeconds(), EPS);
    assertTrue(Double.isNaN(mig.utilizationRatio()));
    assertEquals(400.0, mig.energyJoules(), 1e-3);
    assertEquals(at(T0 + 1_000_000), mig.end());
    assertTrue(deltas.get(0).utilizationKnown());
    assertTrue(s.inventory().gpus().get(1).migEnabled());

    control("gpu.1.mig=0"); // MIG turned off (after a GPU reset): known again from the next poll
    GpuDelta after = poll(s, T0 + 2_000_000).get(1);
    assertTrue(after.utilizationKnown());
    assertFalse(s.inventory().gpus().get(1).migEnabled());
  }

  @Test
  void energyCounterResetIsNotNegative() throws Exception {
    NvmlGpuSource s = start("devices=1;gpu.0.power_mw=200000", Map.of());
    poll(s, T0);
    assertEquals(400.0, poll(s, T0 + 2_000_000).get(0).energyJoules(), 1e-3);
    control("gpu.0.energy_mj=0"); // driver reload: the counter restarts at 0
    assertEquals(200.0, poll(s, T0 + 3_000_000).get(0).energyJoules(), 1e-3);
    assertEquals(200.0, poll(s, T0 + 4_000_000).get(0).energyJoules(), 1e-3);
  }

  @Test
  void aLostGpuIsSkippedAndRetriedWhileOthersContinue() throws Exception {
    NvmlGpuSource s = start("devices=2;gpu.0.duty=50;gpu.1.duty=50", Map.of());
    poll(s, T0);
    assertEquals(2, poll(s, T0 + 1_000_000).size());

    control("gpu.1.lost=1");
    List<GpuDelta> deltas = poll(s, T0 + 2_000_000);
    assertEquals(1, deltas.size());
    assertEquals(UUID0, deltas.get(0).uuid());
    assertEquals(1, ctx.errors("gpu_lost"));
    assertTrue(ctx.partialErrors.get(0).contains(UUID1), ctx.partialErrors.toString());

    assertEquals(1, poll(s, T0 + 3_000_000).size()); // still lost: retried, reported again
    assertEquals(2, ctx.errors("gpu_lost"));

    control("gpu.1.lost=0");
    deltas = poll(s, T0 + 4_000_000);
    assertEquals(2, deltas.size());
    GpuDelta back = deltas.get(1);
    assertEquals(UUID1, back.uuid());
    assertEquals(
        at(T0 + 1_000_000), back.start()); // from its last good poll: the lost time is not dropped
    assertEquals(3.0, back.busySeconds() + back.idleSeconds(), EPS);
    assertEquals(1.5, back.busySeconds(), EPS); // its samples were still buffered
    assertEquals(2, ctx.errors("gpu_lost"));
  }

  @Test
  void aLongPauseCountsOnlyTheSamplesStillBuffered() throws Exception {
    NvmlGpuSource s =
        start("devices=1;gpu.0.duty=50", Map.of()); // the fake buffers 120 samples: 12 s
    poll(s, T0);
    GpuDelta d = poll(s, T0 + 60_000_000).get(0);
    assertEquals(6.0, d.busySeconds(), EPS);
    assertEquals(54.0, d.idleSeconds(), EPS);
  }

  @Test
  void initFailuresAreClearSourceErrorsAndAreRetried() throws Exception {
    NvmlGpuSource s = start("devices=1;init_rc=9", Map.of());
    SourceException e = assertThrows(SourceException.class, () -> s.collect(at(T0), ctx));
    assertEquals("driver_not_loaded", e.reason());
    assertTrue(e.getMessage().contains("DRIVER_NOT_LOADED"), e.getMessage());

    control("init_rc=4");
    e = assertThrows(SourceException.class, () -> s.collect(at(T0), ctx));
    assertEquals("no_permission", e.reason());
    assertTrue(e.getMessage().contains("/dev/nvidia"), e.getMessage());

    control("init_rc=0");
    assertEquals(1, poll(s, T0).size());
    assertEquals(
        List.of("init/driver_not_loaded", "init/no_permission", "init/success", "device/success"),
        ctx.calls);
  }

  @Test
  void anAbsentLibraryIsAClearSourceError() {
    source =
        NvmlGpuSource.fromConfig(
            new NvmlConfig("true", "/opt/nowhere/libnvidia-ml.so.1", null), List.of());
    SourceException e =
        assertThrows(SourceException.class, () -> source.collect(Instant.now(), ctx));
    assertEquals("library", e.reason());
    assertTrue(e.getMessage().contains("/opt/nowhere/libnvidia-ml.so.1"), e.getMessage());
    source = null;
  }

  @Test
  void restartFromCheckpointNeitherLosesNorDoubleCounts() throws Exception {
    NvmlGpuSource first = start("devices=1;gpu.0.duty=30;gpu.0.power_mw=100000", Map.of());
    poll(first, T0);
    GpuDelta a = poll(first, T0 + 1_000_000).get(0);
    String checkpoint = lastCheckpoint;
    control("now_us=" + (T0 + 1_500_000));
    Batch uncommitted =
        first.collect(at(T0 + 1_500_000), ctx); // collected, but the ledger never committed it
    first.close();
    assertEquals(0.15, uncommitted.gpus().get(0).busySeconds(), EPS);

    NvmlGpuSource second = new NvmlGpuSource(nvml, CONFIG, Map.of());
    source = second;
    second.restore(checkpoint);
    GpuDelta b = poll(second, T0 + 3_000_000).get(0);
    assertEquals(at(T0 + 1_000_000), b.start());
    assertEquals(0.3 + 0.6, a.busySeconds() + b.busySeconds(), EPS);
    assertEquals(3.0 - 0.9, a.idleSeconds() + b.idleSeconds(), EPS);
    assertEquals(300.0, a.energyJoules() + b.energyJoules(), 1e-3);
  }

  @Test
  void collectWithoutCommitIsRepeatable() throws Exception {
    NvmlGpuSource s = start("devices=1;gpu.0.duty=70", Map.of());
    poll(s, T0);
    control("now_us=" + (T0 + 1_000_000));
    Batch once = s.collect(at(T0 + 1_000_000), ctx);
    Batch again = s.collect(at(T0 + 1_000_000), ctx); // e.g. the ledger commit failed
    assertEquals(once.gpus(), again.gpus());
    assertEquals(once.checkpointJson(), again.checkpointJson());
    assertEquals(0.7, once.gpus().get(0).busySeconds(), EPS);
  }

  @Test
  void checkpointFormat() throws Exception {
    NvmlGpuSource s = start("devices=1;gpu.0.duty=30", Map.of());
    poll(s, T0);
    poll(s, T0 + 1_000_000);
    assertEquals(
        "{\"version\":1,\"gpus\":{\""
            + UUID0
            + "\":{\"last_poll_us\":"
            + (T0 + 1_000_000)
            + ",\"last_sample_us\":"
            + (T0 + 1_000_000)
            + ",\"energy_mj\":1100000,\"busy_carry_s\":0.0"
            + ",\"sample_period_us\":100000,\"utilization\":0.3}}}",
        lastCheckpoint);
    NvmlGpuSource restored = new NvmlGpuSource(nvml, CONFIG, Map.of());
    restored.restore("{not json");
    restored.restore(lastCheckpoint);
    restored.close();
  }
}
