package dev.aicost.source.nvml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.testing.FakeVllmServer;
import dev.aicost.testing.MutableClock;
import dev.aicost.testing.RunningExporter;
import dev.aicost.testing.VllmPages;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole exporter with the real JNA binding against the fake libnvidia-ml: 2 GPUs at $2.00/h, 25
 * % busy for 60 s, serving one vLLM deployment.
 */
class GpuCostEndToEndTest {
  @TempDir Path dir;

  @Test
  void idleAndBusyDollarsAndTrueCostPer1kTokens() throws Exception {
    String a = "GPU-aaaaaaaa-0000-4000-8000-000000000001",
        b = "GPU-bbbbbbbb-0000-4000-8000-000000000002";
    FakeNvml.control(
        "reset;period_us=100000;now_us="
            + FakeNvml.T0
            + ";devices=2;driver=550.54.15;"
            + "gpu.0.uuid="
            + a
            + ";gpu.1.uuid="
            + b
            + ";gpu.0.duty=25;gpu.1.duty=25;gpu.0.power_mw=300000;gpu.1.power_mw=300000");
    MutableClock clock = new MutableClock(FakeNvml.at(FakeNvml.T0));
    try (FakeVllmServer vllm =
            new FakeVllmServer().page(VllmPages.v1("llama", "0", 0, 0, 0, 0, 1.6e9));
        RunningExporter ex =
            new RunningExporter(
                """
            state: { path: %s }
            pricing:
              gpus: [ { match: { name: "NVIDIA H100 80GB HBM3" }, hourly_usd: 2.00 } ]
              energy: { usd_per_kwh: 0.10, pue: 1.0 }
            sources:
              nvml: { enabled: true, library: "%s", sample_interval: 1h }
              vllm:
                - { name: llama-prod, url: "%s", interval: 1h, gpus: [ "%s", "%s" ] }
            """
                    .formatted(dir.resolve("l.db"), FakeNvml.PATH, vllm.url(), a, b),
                null,
                clock,
                false)) {
      ex.awaitFirstRuns();
      for (int s = 1; s <= 60; s++) { // NVML is polled every second, as configured by default
        FakeNvml.control("now_us=" + (FakeNvml.T0 + s * 1_000_000L));
        clock.advance(Duration.ofSeconds(1));
        if (s == 30) { // the deployment's token shares arrive mid-way, as with a 30 s vLLM interval
          vllm.page(VllmPages.v1("llama", "0", 40_000, 10_000, 15_000, 50, 1.6e9));
          ex.collect("vllm/llama-prod");
        }
        ex.collect("nvml");
      }
      vllm.page(VllmPages.v1("llama", "0", 80_000, 20_000, 30_000, 100, 1.6e9));
      ex.collect("vllm/llama-prod");
      String m = ex.text("/metrics");

      assertEquals(0.0500, sum(m, "aicost_gpu_cost_usd_total\\{[^}]*state=\"idle\"[^}]*}"), 1e-9);
      assertEquals(
          0.0500 / 3, sum(m, "aicost_gpu_cost_usd_total\\{[^}]*state=\"busy\"[^}]*}"), 1e-9);
      assertEquals(90.0, sum(m, "aicost_gpu_seconds_total\\{[^}]*state=\"idle\"[^}]*}"), 1e-9);
      assertEquals(30.0, sum(m, "aicost_gpu_seconds_total\\{[^}]*state=\"busy\"[^}]*}"), 1e-9);
      // 2 x 300 W x 60 s = 36,000 J = 0.01 kWh -> $0.001
      assertEquals(36_000, sum(m, "aicost_gpu_energy_joules_total\\{[^}]*}"), 1e-6);
      double spend = sum(m, "aicost_spend_usd_total\\{[^}]*deployment=\"llama-prod\"[^}]*}");
      assertEquals(
          0.001,
          sum(
              m,
              "aicost_spend_usd_total\\{[^}]*ai_service=\"gpu_energy\"[^}]*deployment=\"llama-prod\"[^}]*}"),
          1e-9);
      assertEquals(0.0500 + 0.0500 / 3 + 0.001, spend, 1e-9);
      // the deployment's dollars come from its GPUs, not from gpu_count x price: no second booking
      assertEquals(spend, sum(m, "aicost_spend_usd_total\\{[^}]*}"), 1e-12);
      // 100,000 tokens in the window: $/1k = GPU dollars / 100
      assertEquals(
          spend / 100,
          sum(m, "aicost_cost_per_1k_tokens_usd\\{[^}]*deployment=\"llama-prod\"[^}]*}"),
          1e-12);
      assertTrue(
          m.contains(
              "aicost_gpu_info{deployment=\"llama-prod\",driver_version=\"550.54.15\",gpu=\"0\",name=\"NVIDIA H100 80GB HBM3\",uuid=\""
                  + a
                  + "\"} 1"),
          m);
      assertTrue(
          m.contains(
              "aicost_gpu_price_usd_per_hour{deployment=\"llama-prod\",gpu=\"1\",price_source=\"config\",uuid=\""
                  + b
                  + "\"} 2.0"),
          m);
      assertEquals(0.25, sum(m, "aicost_gpu_utilization_ratio\\{gpu=\"0\"[^}]*}"), 1e-9);
      assertEquals(600, sum(m, "aicost_gpu_power_watts\\{[^}]*}"), 1e-9);
    }
  }

  @Test
  void aDeploymentMappedByItsPortOwnerIsPricedByItsGpus() throws Exception {
    // The test JVM owns the fake vLLM's listening socket and runs on GPU 0; GPU 1 runs nobody's
    // process.
    FakeNvml.control(
        "reset;period_us=100000;now_us="
            + FakeNvml.T0
            + ";devices=2;gpu.0.duty=50;gpu.1.duty=0;"
            + "gpu.0.pids="
            + ProcessHandle.current().pid());
    MutableClock clock = new MutableClock(FakeNvml.at(FakeNvml.T0));
    try (FakeVllmServer vllm =
            new FakeVllmServer().page(VllmPages.v1("llama", "0", 0, 0, 0, 0, 1.6e9));
        RunningExporter ex =
            new RunningExporter(
                """
            state: { path: %s }
            pricing: { gpus: [ { match: { name: "NVIDIA H100 80GB HBM3" }, hourly_usd: 3.60 } ] }
            sources:
              nvml: { enabled: true, library: "%s", sample_interval: 1h }
              vllm:
                - { name: llama-prod, url: "%s", interval: 1h, gpu_count: 4, process: { port_owner: true } }
            """
                    .formatted(dir.resolve("l.db"), FakeNvml.PATH, vllm.url()),
                null,
                clock,
                false)) {
      ex.awaitFirstRuns();
      for (int s = 1; s <= 10; s++) {
        FakeNvml.control("now_us=" + (FakeNvml.T0 + s * 1_000_000L));
        clock.advance(Duration.ofSeconds(1));
        ex.collect("nvml");
      }
      vllm.page(VllmPages.v1("llama", "0", 8_000, 2_000, 0, 10, 1.6e9));
      ex.collect("vllm/llama-prod");
      String m = ex.text("/metrics");
      // GPU 0: 10 s at $3.60/h = $0.01 for llama-prod; GPU 1: $0.01 with deployment=""
      assertEquals(
          0.01,
          sum(m, "aicost_gpu_cost_usd_total\\{deployment=\"llama-prod\",gpu=\"0\"[^}]*}"),
          1e-9);
      assertEquals(
          0.01, sum(m, "aicost_gpu_cost_usd_total\\{deployment=\"\",gpu=\"1\"[^}]*}"), 1e-9);
      // its dollars are its GPU's, not gpu_count (4) x price: no second booking
      assertEquals(
          0.01, sum(m, "aicost_spend_usd_total\\{[^}]*deployment=\"llama-prod\"[^}]*}"), 1e-9);
      assertEquals(0.02, sum(m, "aicost_spend_usd_total\\{[^}]*}"), 1e-9);
      assertTrue(
          m.contains(
              "aicost_gpu_info{deployment=\"llama-prod\",driver_version=\"550.54.15\",gpu=\"0\""),
          m);
      assertTrue(
          m.contains("aicost_gpu_info{deployment=\"\",driver_version=\"550.54.15\",gpu=\"1\""), m);
    }
  }

  @Test
  void gpuServingNoDeploymentStillCostsAndMigIsNeverIdle() throws Exception {
    FakeNvml.control(
        "reset;period_us=100000;now_us=" + FakeNvml.T0 + ";devices=2;gpu.0.duty=0;gpu.1.mig=1");
    MutableClock clock = new MutableClock(FakeNvml.at(FakeNvml.T0));
    try (RunningExporter ex =
        new RunningExporter(
            """
            state: { path: %s }
            pricing: { gpus: [ { match: { name: "NVIDIA H100*" }, hourly_usd: 3.60 } ] }
            sources: { nvml: { enabled: true, library: "%s", sample_interval: 1h } }
            """
                .formatted(dir.resolve("l.db"), FakeNvml.PATH),
            null,
            clock,
            false)) {
      ex.awaitFirstRuns();
      for (int s = 1; s <= 100; s++) {
        FakeNvml.control("now_us=" + (FakeNvml.T0 + s * 1_000_000L));
        clock.advance(Duration.ofSeconds(1));
        ex.collect("nvml");
      }
      String m = ex.text("/metrics");
      // GPU 0: idle 100 s at $3.60/h = $0.10, with deployment="" and ai_service="gpu"
      assertEquals(
          0.10,
          sum(m, "aicost_gpu_cost_usd_total\\{deployment=\"\",gpu=\"0\"[^}]*state=\"idle\"[^}]*}"),
          1e-9);
      // GPU 1 (MIG): 100 s of state="unknown", not idle
      assertEquals(
          100,
          sum(
              m,
              "aicost_gpu_seconds_total\\{deployment=\"\",gpu=\"1\"[^}]*state=\"unknown\"[^}]*}"),
          1e-9);
      assertEquals(
          0,
          sum(m, "aicost_gpu_seconds_total\\{deployment=\"\",gpu=\"1\"[^}]*state=\"idle\"[^}]*}"),
          1e-9);
      assertTrue(m.contains("aicost_gpu_utilization_known{gpu=\"1\""), m);
      assertEquals(
          0.20,
          sum(m, "aicost_spend_usd_total\\{ai_service=\"gpu\"[^}]*category=\"compute\"[^}]*}"),
          1e-9);
    }
  }

  @Test
  void missingLibraryInAutoModeLeavesTheRestRunning() throws Exception {
    try (FakeVllmServer vllm =
            new FakeVllmServer().page(VllmPages.v1("m", "0", 10, 1, 0, 1, 1.6e9));
        RunningExporter ex =
            new RunningExporter(
                """
            state: { path: %s }
            sources:
              nvml: { enabled: auto, library: /nonexistent/libnvidia-ml.so.1 }
              vllm: [ { name: d, url: "%s", interval: 1h } ]
            """
                    .formatted(dir.resolve("l.db"), vllm.url()),
                null,
                new MutableClock(FakeNvml.at(FakeNvml.T0)),
                false)) {
      ex.awaitFirstRuns();
      String m = ex.text("/metrics");
      assertTrue(m.contains("aicost_collector_success{collector=\"vllm/d\"} 1.0"), m);
      assertTrue(!m.contains("collector=\"nvml\""), m);
    }
  }

  @Test
  void enabledTrueWithoutLibraryIsReportedAsCollectorHealth() throws Exception {
    try (RunningExporter ex =
        new RunningExporter(
            """
            state: { path: %s }
            sources: { nvml: { enabled: "true", library: /nonexistent/libnvidia-ml.so.1, sample_interval: 1h } }
            """
                .formatted(dir.resolve("l.db")),
            null,
            new MutableClock(FakeNvml.at(FakeNvml.T0)),
            false)) {
      ex.awaitFirstRuns();
      String m = ex.text("/metrics");
      assertTrue(m.contains("aicost_collector_success{collector=\"nvml\"} 0.0"), m);
      assertTrue(
          m.contains("aicost_collector_errors_total{collector=\"nvml\",reason=\"library\"} 1.0"),
          m);
    }
  }

  static double sum(String metrics, String seriesRegex) {
    Matcher m = Pattern.compile("(?m)^" + seriesRegex + " (\\S+)$").matcher(metrics);
    double total = 0;
    while (m.find()) total += Double.parseDouble(m.group(1));
    return total;
  }
}
