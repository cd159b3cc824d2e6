package dev.aicost.source.nvml;

import static dev.aicost.source.nvml.FakeNvml.PATH;
import static dev.aicost.source.nvml.FakeNvml.T0;
import static dev.aicost.source.nvml.FakeNvml.at;
import static dev.aicost.source.nvml.FakeNvml.control;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.collect.Batch;
import dev.aicost.collect.SourceException;
import dev.aicost.config.NvmlConfig;
import dev.aicost.config.ProcessMatchConfig;
import dev.aicost.config.VllmSourceConfig;
import dev.aicost.model.GpuDelta;
import dev.aicost.model.GpuInventory;
import dev.aicost.testing.FakeVllmServer;
import dev.aicost.testing.RecordingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GPU to deployment by the processes on the GPU: the real JNA binding against the fake libnvidia-ml
 * (which lists the PIDs a test programs) and the real /proc of the test JVM, whose own loopback
 * server and child processes are the "vLLM" processes.
 */
class ProcessMappingTest {
  private static final NvmlConfig CONFIG = new NvmlConfig("true", PATH, null);
  private static final String UUID0 = "GPU-00000000-0000-0000-0000-000000000000";

  /** Above the kernel's PID_MAX_LIMIT (2^22): never a real process. */
  private static final long NO_SUCH_PID = (1 << 22) + 1;

  private static final long ME = ProcessHandle.current().pid();
  private static NvmlLibrary nvml;

  private final RecordingContext ctx = new RecordingContext();
  private final List<Process> children = new ArrayList<>();
  private FakeVllmServer server;
  private NvmlGpuSource source;

  @BeforeAll
  static void load() throws SourceException {
    nvml = NvmlLibrary.load(PATH);
  }

  @AfterEach
  void close() {
    if (source != null) source.close();
    if (server != null) server.close();
    for (Process p : children) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  private Process child(String... command) throws Exception {
    Process p = new ProcessBuilder(command).start();
    children.add(p);
    return p;
  }

  private static VllmSourceConfig vllm(
      String name, String url, List<String> gpus, Boolean portOwner, String cmdline) {
    return new VllmSourceConfig(
        name,
        url,
        null,
        null,
        null,
        null,
        null,
        gpus,
        portOwner == null && cmdline == null ? null : new ProcessMatchConfig(portOwner, cmdline));
  }

  private NvmlGpuSource start(
      NvmlLibrary library, String libraryPath, String settings, List<VllmSourceConfig> vllm) {
    control(libraryPath, "reset;period_us=100000;now_us=" + T0 + ";" + settings);
    source = NvmlGpuSource.fromConfig(() -> library, CONFIG, vllm);
    return source;
  }

  private List<String> deployments(NvmlGpuSource s, long micros) throws SourceException {
    control("now_us=" + micros);
    Batch batch = s.collect(at(micros), ctx);
    s.committed(batch);
    return batch.gpus().stream().map(GpuDelta::deployment).toList();
  }

  private static List<String> inventory(NvmlGpuSource s) {
    return s.inventory().gpus().stream().map(GpuInventory.Gpu::deployment).toList();
  }

  @Test
  void portOwnerCmdlineMajorityAndUnknownPids() throws Exception {
    server = new FakeVllmServer();
    long sleep1 = child("sleep", "30").pid();
    long sleep2 = child("sleep", "30").pid();
    NvmlGpuSource s =
        start(
            nvml,
            PATH,
            "devices=4"
                + ";gpu.0.pids="
                + ME // the JVM owns the api's listening socket
                + ";gpu.1.pids="
                + sleep1
                + ";gpu.2.pids="
                + ME
                + ","
                + sleep1
                + ","
                + sleep2 // two of three processes are batch's
                + ";gpu.3.pids="
                + NO_SUCH_PID,
            List.of(
                vllm("api", server.url(), List.of(), true, null),
                vllm("batch", "http://10.0.0.9:8000/metrics", List.of(), null, "^sleep 30$")));
    assertEquals(List.of("api", "batch", "batch", ""), deployments(s, T0));
    assertEquals(List.of("api", "batch", "batch", ""), inventory(s));
    assertEquals(List.of(), ctx.partialErrors);
  }

  @Test
  void descendantsOfAMatchedProcessBelongToItsDeployment() throws Exception {
    Process sh =
        child("sh", "-c", "sleep 31; :"); // "; :" keeps sh from exec-ing sleep: sleep is its child
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    ProcessHandle sleep = null;
    while (sleep == null && System.nanoTime() < deadline) {
      sleep = sh.children().findFirst().orElse(null);
      if (sleep == null) Thread.sleep(5);
    }
    assertTrue(sleep != null, "sh started no child");
    NvmlGpuSource s =
        start(
            nvml,
            PATH,
            "devices=2;gpu.0.pids=" + sleep.pid() + ";gpu.1.pids=" + sh.pid(),
            List.of(
                vllm(
                    "other",
                    "http://10.0.0.9:8000/metrics",
                    List.of(),
                    null,
                    "^sleep 31$"), // the child itself
                vllm(
                    "tree",
                    "http://10.0.0.9:8001/metrics",
                    List.of(),
                    null,
                    "^sh -c sleep 31; :$")));
    // sleep matches "other" as a root itself: the nearest root wins
    assertEquals(List.of("other", "tree"), deployments(s, T0));
    source.close();

    s =
        start(
            nvml,
            PATH,
            "devices=1;gpu.0.pids=" + sleep.pid(),
            List.of(
                vllm(
                    "tree",
                    "http://10.0.0.9:8001/metrics",
                    List.of(),
                    null,
                    "^sh -c sleep 31; :$")));
    assertEquals(List.of("tree"), deployments(s, T0));
  }

  @Test
  void configuredUuidsWinOverProcesses() throws Exception {
    server = new FakeVllmServer();
    NvmlGpuSource s =
        start(
            nvml,
            PATH,
            "devices=2;gpu.0.pids=" + ME + ";gpu.1.pids=" + ME,
            List.of(
                vllm("pinned", "http://10.0.0.9:8000/metrics", List.of(UUID0), null, null),
                vllm("api", server.url(), List.of(), true, null)));
    assertEquals(List.of("pinned", "api"), deployments(s, T0));
  }

  @Test
  void gpusAreRemappedEveryPeriod() throws Exception {
    server = new FakeVllmServer();
    long sleep = child("sleep", "30").pid();
    NvmlGpuSource s =
        start(
            nvml,
            PATH,
            "devices=1;gpu.0.pids=" + ME,
            List.of(
                vllm("api", server.url(), List.of(), true, null),
                vllm("batch", "http://10.0.0.9:8000/metrics", List.of(), null, "^sleep 30$")));
    assertEquals(List.of("api"), deployments(s, T0));
    control("gpu.0.pids=" + sleep);
    assertEquals(List.of("api"), deployments(s, T0 + 10_000_000)); // not yet: every 30 s
    assertEquals(List.of("batch"), deployments(s, T0 + 30_000_000));
    assertEquals(List.of("batch"), inventory(s));
    control("gpu.0.pids=");
    assertEquals(List.of(""), deployments(s, T0 + 60_000_000)); // no process: serves no deployment
    assertEquals(List.of(""), inventory(s));
  }

  @Test
  void eachGpuCarriesThePriceOfTheDeploymentItServes() throws Exception {
    server = new FakeVllmServer();
    NvmlGpuSource s =
        start(
            nvml,
            PATH,
            "devices=3;gpu.1.pids=" + ME + ";gpu.2.pids=" + NO_SUCH_PID,
            List.of(
                vllm("pinned", "http://10.0.0.9:8000/metrics", List.of(UUID0), null, null)
                    .withGpuCount(0, 2.5, null),
                vllm("api", server.url(), List.of(), true, null).withGpuCount(0, 4.0, null)));
    control("now_us=" + T0);
    Batch b = s.collect(at(T0), ctx);
    assertEquals(
        List.of("pinned", "api", ""), b.gpus().stream().map(GpuDelta::deployment).toList());
    assertEquals(
        java.util.Arrays.asList(2.5, 4.0, null),
        b.gpus().stream().map(GpuDelta::deploymentHourlyUsd).toList());
  }

  @Test
  void aLibraryWithoutTheProcessListKeepsUuidMapping() throws Exception {
    server = new FakeVllmServer();
    NvmlLibrary old = NvmlLibrary.load(FakeNvml.NO_PROCESSES_PATH);
    assertTrue(!old.has("nvmlDeviceGetComputeRunningProcesses_v3"));
    NvmlGpuSource s =
        start(
            old,
            FakeNvml.NO_PROCESSES_PATH,
            "devices=2;gpu.0.pids=" + ME + ";gpu.1.pids=" + ME,
            List.of(
                vllm("pinned", "http://10.0.0.9:8000/metrics", List.of(UUID0), null, null),
                vllm("api", server.url(), List.of(), true, null)));
    control(FakeNvml.NO_PROCESSES_PATH, "now_us=" + T0);
    s.committed(s.collect(at(T0), ctx));
    control(FakeNvml.NO_PROCESSES_PATH, "now_us=" + (T0 + 40_000_000));
    Batch b = s.collect(at(T0 + 40_000_000), ctx);
    assertEquals(List.of("pinned", ""), b.gpus().stream().map(GpuDelta::deployment).toList());
    assertEquals(2, b.gpus().size());
    assertEquals(List.of(), ctx.partialErrors);
  }

  @Test
  void noOptInReadsNoProcesses() throws Exception {
    NvmlGpuSource s =
        start(
            nvml,
            PATH,
            "devices=1;gpu.0.pids=" + ME,
            List.of(vllm("api", "http://127.0.0.1:1/metrics", List.of(), null, null)));
    assertEquals(List.of(""), deployments(s, T0));
    assertEquals(
        java.util.Set.of(),
        metered(List.of(vllm("api", "http://127.0.0.1:1/metrics", List.of(), null, null))));
    assertEquals(
        java.util.Set.of("api", "pinned"),
        metered(
            List.of(
                vllm("api", "http://127.0.0.1:1/metrics", List.of(), true, null),
                vllm("pinned", "http://127.0.0.1:2/metrics", List.of(UUID0), null, null))));
    assertEquals(Duration.ofSeconds(30), NvmlGpuSource.DEFAULT_REMAP);
  }

  /**
   * What the configured source reports as GPU-metered (the library is only loaded on the first
   * collect).
   */
  private static java.util.Set<String> metered(List<VllmSourceConfig> vllm) {
    return NvmlGpuSource.fromConfig(new NvmlConfig("true", null, null), vllm).meteredDeployments();
  }
}
