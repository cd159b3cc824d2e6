package dev.aicost.source.nvml;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.aicost.collect.Batch;
import dev.aicost.collect.GpuSource;
import dev.aicost.collect.SourceContext;
import dev.aicost.collect.SourceException;
import dev.aicost.config.NvmlConfig;
import dev.aicost.config.VllmSourceConfig;
import dev.aicost.model.GpuDelta;
import dev.aicost.model.GpuInventory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code nvml} source: per GPU (keyed by UUID) busy and idle seconds, energy, power and memory
 * since the last committed poll.
 *
 * <p>Busy seconds integrate {@code nvmlDeviceGetSamples(GPU_UTILIZATION_SAMPLES)} since the last
 * sample seen: each sample is the percent of its own period (the gap since the previous sample) in
 * which a kernel ran. Where samples are not supported, busy = {@code GetUtilizationRates} x
 * elapsed. Idle = elapsed - busy, so busy + idle always equals the poll's wall time; samples lag
 * the poll by up to one period, and busy time that arrives beyond a poll's elapsed time is carried
 * to the next poll (in the checkpoint) rather than lost. MIG-enabled GPUs (utilization unknown to
 * NVML) report neither busy nor idle.
 *
 * <p>The first poll of a GPU (no checkpoint) only takes its baseline: a zero-length delta with the
 * gauges. After a restart the checkpoint's last poll time, sample timestamp and energy counter make
 * the next delta start where the committed one ended: nothing lost, nothing counted twice. The
 * exporter's downtime is accounted as idle except for samples NVML still buffers.
 *
 * <p>GPU to deployment: a UUID configured on a deployment ({@code gpus:}) wins. When deployments
 * opted in to process matching ({@code process:}), every {@link #DEFAULT_REMAP} (and at device
 * discovery) each other GPU goes to the deployment owning most of the processes NVML lists on it
 * ({@link ProcessDeployments}); a GPU whose processes match nothing gets "". A change publishes a
 * new {@link GpuInventory} and logs {@code event=gpu_mapped}. NVML reports host PIDs: in a
 * container, matching needs the host PID namespace.
 */
public final class NvmlGpuSource implements GpuSource {
  public static final String NAME = "nvml";

  /** The reasons collect and its partial errors report (aicost_collector_errors_total). */
  static final List<String> ERROR_REASONS =
      List.of("driver_not_loaded", "gpu_lost", "init", "library", "no_permission", "nvml");

  private static final String PROCESS_FUNCTION = "nvmlDeviceGetComputeRunningProcesses_v3";
  private static final Logger log = LoggerFactory.getLogger(NvmlGpuSource.class);
  private static final double MAX_CARRY_SECONDS = 60;

  /** How often GPUs are re-mapped to deployments by their processes. */
  public static final Duration DEFAULT_REMAP = Duration.ofSeconds(30);

  /** How the source gets its library: loading may fail and is retried on the next collect. */
  @FunctionalInterface
  public interface Loader {
    NvmlLibrary load() throws SourceException;
  }

  private final Loader loader;
  private final Duration interval;
  private final String target;
  private final Map<String, String> deploymentByUuid;
  private final Map<String, Double> hourlyByDeployment; // gpu_hourly_usd, carried in each GpuDelta
  private final ProcessDeployments processes; // null: no deployment opted in to process matching
  private final Duration remap;
  private final ObjectMapper json =
      new ObjectMapper()
          .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  // Runtime only (not accounting state): the library, its init, and the device handles.
  private NvmlLibrary nvml;
  private boolean initialized;
  private List<Device> devices;
  private boolean rescan = true;
  private volatile GpuInventory inventory = GpuInventory.EMPTY;
  private Instant lastRemap; // null: remap at the next collect
  private boolean
      processListUnavailable; // the library lacks nvmlDeviceGetComputeRunningProcesses_v3
  private boolean pidNamespaceWarned;

  // Committed accounting state, replaced only by committed(batch) and restore(json).
  private Map<String, GpuState> committed = Map.of();

  /** Runtime facts about one device; the accounting state lives in {@link GpuState}. */
  private static final class Device {
    final int index;
    final long handle;
    final String uuid;
    final String name;
    final String configured; // from gpus: UUIDs, "" when none
    String deployment;
    boolean mig;
    int warned; // bit per NvmlLibrary feature already logged as unavailable

    Device(int index, long handle, String uuid, String name, String deployment, boolean mig) {
      this.index = index;
      this.handle = handle;
      this.uuid = uuid;
      this.name = name;
      this.configured = deployment;
      this.deployment = deployment;
      this.mig = mig;
    }
  }

  /**
   * @param nvml the loaded library
   * @param config {@code sources.nvml} (its {@code sample_interval} is this source's interval)
   * @param deploymentByUuid GPU UUID to deployment, see {@link #deploymentsByGpu}; other GPUs get
   *     ""
   */
  public NvmlGpuSource(NvmlLibrary nvml, NvmlConfig config, Map<String, String> deploymentByUuid) {
    this(() -> nvml, config, deploymentByUuid);
  }

  public NvmlGpuSource(Loader loader, NvmlConfig config, Map<String, String> deploymentByUuid) {
    this(loader, config, deploymentByUuid, null, DEFAULT_REMAP, Map.of());
  }

  /**
   * @param processes maps the processes on each GPU to deployments; null when no deployment opted
   *     in
   * @param remap how often GPUs are re-mapped by their processes
   * @param hourlyByDeployment each deployment's {@code gpu_hourly_usd} (those without one absent):
   *     a GPU's deltas carry the price of the deployment it serves
   */
  public NvmlGpuSource(
      Loader loader,
      NvmlConfig config,
      Map<String, String> deploymentByUuid,
      ProcessDeployments processes,
      Duration remap,
      Map<String, Double> hourlyByDeployment) {
    this.loader = loader;
    this.interval = config.sampleInterval();
    this.target = "NVML " + Objects.requireNonNullElse(config.library(), "libnvidia-ml.so.1");
    this.deploymentByUuid = Map.copyOf(deploymentByUuid);
    this.hourlyByDeployment = Map.copyOf(hourlyByDeployment);
    this.processes = processes;
    this.remap = remap;
  }

  /**
   * Loads the library named by {@code sources.nvml.library} (or the system's) on the first collect,
   * retrying until it loads.
   */
  public static NvmlGpuSource fromConfig(NvmlConfig config, List<VllmSourceConfig> vllm) {
    return fromConfig(() -> NvmlLibrary.load(config.library()), config, vllm);
  }

  /**
   * The source for {@code sources.vllm}: UUID mapping, and process matching for the deployments
   * that opted in.
   */
  public static NvmlGpuSource fromConfig(
      Loader loader, NvmlConfig config, List<VllmSourceConfig> vllm) {
    Map<String, Double> hourly = new HashMap<>();
    for (VllmSourceConfig v : vllm)
      if (v.gpuHourlyUsd() != null) hourly.putIfAbsent(v.name(), v.gpuHourlyUsd());
    return new NvmlGpuSource(
        loader,
        config,
        deploymentsByGpu(vllm),
        ProcessDeployments.fromConfig(vllm),
        DEFAULT_REMAP,
        hourly);
  }

  /**
   * Deployments whose dollars come from the GPUs NVML maps to them (instead of gpu_count x price):
   * those with {@code gpus:} UUIDs and those that opted in to process matching.
   */
  @Override
  public Set<String> meteredDeployments() {
    Set<String> names = new LinkedHashSet<>(deploymentByUuid.values());
    if (processes != null)
      for (ProcessDeployments.Rule r : processes.rules()) names.add(r.deployment());
    return names;
  }

  /** The library this source loads, for the status page. */
  @Override
  public String target() {
    return target;
  }

  /**
   * UUID to deployment from {@code sources.vllm[*].gpus}; a UUID listed twice keeps its first
   * deployment.
   */
  public static Map<String, String> deploymentsByGpu(List<VllmSourceConfig> vllm) {
    Map<String, String> map = new LinkedHashMap<>();
    for (VllmSourceConfig deployment : vllm) {
      for (String uuid : deployment.gpus()) {
        String previous = map.putIfAbsent(uuid, deployment.name());
        if (previous != null && !previous.equals(deployment.name())) {
          log.warn(
              "event=gpu_in_two_deployments uuid={} kept={} ignored={}",
              uuid,
              previous,
              deployment.name());
        }
      }
    }
    return map;
  }

  @Override
  public List<String> errorReasons() {
    return ERROR_REASONS;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Duration interval() {
    return interval;
  }

  @Override
  public GpuInventory inventory() {
    return inventory;
  }

  @Override
  public void restore(String checkpointJson) {
    if (checkpointJson == null || checkpointJson.isBlank()) {
      committed = Map.of();
      return;
    }
    try {
      NvmlCheckpoint checkpoint = json.readValue(checkpointJson, NvmlCheckpoint.class);
      if (checkpoint.version() != NvmlCheckpoint.VERSION) {
        log.warn(
            "event=checkpoint_ignored collector=nvml reason=version version={}",
            checkpoint.version());
        committed = Map.of();
        return;
      }
      committed = checkpoint.gpus();
    } catch (JsonProcessingException e) {
      log.warn(
          "event=checkpoint_ignored collector=nvml reason=parse error=\"{}\"",
          e.getOriginalMessage());
      committed = Map.of();
    }
  }

  @Override
  public Batch collect(Instant now, SourceContext ctx) throws SourceException {
    ensureReady(ctx);
    if (processes != null
        && (lastRemap == null || now.isBefore(lastRemap) || !now.isBefore(lastRemap.plus(remap)))) {
      lastRemap = now;
      remapByProcesses(ctx);
    }
    long nowMicros = Math.multiplyExact(now.getEpochSecond(), 1_000_000L) + now.getNano() / 1000;
    Map<String, GpuState> next = new HashMap<>(committed);
    List<GpuDelta> deltas = new ArrayList<>(devices.size());
    boolean migChanged = false;
    for (Device device : devices) {
      boolean wasMig = device.mig;
      GpuDelta delta = poll(device, committed.get(device.uuid), nowMicros, next, ctx);
      if (delta == null) {
        ctx.upstreamCall("device", "gpu_lost");
        ctx.partialError(
            "gpu_lost",
            "GPU "
                + device.index
                + " uuid="
                + device.uuid
                + " is lost (GPU_IS_LOST): skipped, retried next poll");
        rescan = true;
        continue;
      }
      ctx.upstreamCall("device", "success");
      migChanged |= wasMig != device.mig;
      deltas.add(delta);
    }
    if (migChanged) publishInventory(inventory.driverVersion());
    return Batch.gpus(deltas, checkpoint(next), Map.copyOf(next));
  }

  @Override
  @SuppressWarnings("unchecked")
  public void committed(Batch batch) {
    committed = (Map<String, GpuState>) batch.nextState();
  }

  @Override
  public void close() {
    if (initialized) {
      nvml.shutdown();
      initialized = false;
    }
  }

  private void ensureReady(SourceContext ctx) throws SourceException {
    if (nvml == null) {
      nvml = loader.load();
      log.info("event=nvml_loaded path={} missing_functions={}", nvml.path(), nvml.missing());
    }
    if (!initialized) {
      int rc = nvml.init();
      ctx.upstreamCall(
          "init", rc == NvmlReturn.SUCCESS ? "success" : NvmlReturn.name(rc).toLowerCase());
      if (rc != NvmlReturn.SUCCESS) throw initFailure(rc);
      initialized = true;
      rescan = true;
    }
    if (rescan) scan(ctx);
  }

  private SourceException initFailure(int rc) {
    String what = "nvmlInit_v2 failed: " + NvmlReturn.name(rc) + " (" + nvml.errorString(rc) + ")";
    return switch (rc) {
      case NvmlReturn.DRIVER_NOT_LOADED ->
          new SourceException(
              "driver_not_loaded", what + ": the NVIDIA kernel driver is not loaded on this host");
      case NvmlReturn.NO_PERMISSION ->
          new SourceException(
              "no_permission",
              what
                  + ": no access to the GPU device files /dev/nvidia* (run as a user allowed to use the GPUs, "
                  + "or give the container --gpus)");
      case NvmlReturn.LIBRARY_NOT_FOUND, NvmlReturn.LIB_RM_VERSION_MISMATCH ->
          new SourceException(
              "library", what + ": " + nvml.path() + " does not match the loaded kernel driver");
      default -> new SourceException("init", what);
    };
  }

  /** Enumerates the devices: at init, and again after a GPU was lost or could not be identified. */
  private void scan(SourceContext ctx) throws SourceException {
    int count;
    try {
      count = nvml.deviceCount();
    } catch (NvmlException e) {
      if (e.code() == NvmlReturn.UNINITIALIZED) initialized = false;
      throw new SourceException("nvml", e.getMessage(), e);
    }
    String driver;
    try {
      driver = nvml.driverVersion();
    } catch (NvmlException e) {
      driver = "";
    }
    boolean complete = true;
    boolean newGpu = false;
    Map<String, String> previous = new HashMap<>();
    if (devices != null) for (Device d : devices) previous.put(d.uuid, d.deployment);
    List<Device> found = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      long handle;
      String uuid;
      try {
        handle = nvml.deviceHandle(i);
        uuid = nvml.deviceUuid(handle);
      } catch (NvmlException e) {
        complete = false;
        String reason = e.code() == NvmlReturn.GPU_IS_LOST ? "gpu_lost" : "nvml";
        ctx.partialError(
            reason,
            "GPU " + i + " cannot be identified: " + e.getMessage() + "; retried next poll");
        continue;
      }
      String name;
      try {
        name = nvml.deviceName(handle);
      } catch (NvmlException e) {
        name = "";
      }
      boolean mig = nvml.migMode(handle) == NvmlReturn.SUCCESS && nvml.intResult() == 1;
      Device device =
          new Device(i, handle, uuid, name, deploymentByUuid.getOrDefault(uuid, ""), mig);
      String mapped = previous.get(uuid);
      if (mapped == null) newGpu = true;
      else device.deployment = mapped; // a rescan keeps the process mapping until the next remap
      found.add(device);
    }
    devices = List.copyOf(found);
    rescan = !complete;
    if (newGpu) lastRemap = null; // a GPU not seen before: map it by its processes at once
    publishInventory(driver);
    log.info(
        "event=nvml_devices count={} identified={} driver_version={}", count, found.size(), driver);
  }

  /**
   * Assigns each GPU without a configured UUID to the deployment owning most of its processes
   * (ties: the deployment configured first), or to "" when none of them matches. A GPU whose
   * process list cannot be read this time keeps its mapping.
   */
  private void remapByProcesses(SourceContext ctx) {
    if (processListUnavailable || devices.isEmpty()) return;
    if (!nvml.has(PROCESS_FUNCTION)) {
      processListUnavailable = true;
      log.warn(
          "event=nvml_unavailable function={} effect=\"GPUs map to deployments by gpus: UUIDs only\"",
          PROCESS_FUNCTION);
      return;
    }
    ProcessDeployments.Snapshot snapshot = null;
    Map<String, Integer> order = new HashMap<>();
    for (ProcessDeployments.Rule r : processes.rules())
      order.putIfAbsent(r.deployment(), order.size());
    boolean changed = false;
    for (Device d : devices) {
      if (!d.configured.isEmpty()) continue; // UUIDs win
      int[] pids;
      try {
        pids = nvml.runningProcessPids(d.handle);
      } catch (NvmlException e) {
        if (e.code() == NvmlReturn.FUNCTION_NOT_FOUND) {
          processListUnavailable = true;
          log.warn(
              "event=nvml_unavailable function={} effect=\"GPUs map to deployments by gpus: UUIDs only\"",
              PROCESS_FUNCTION);
          return;
        }
        if (e.code() != NvmlReturn.GPU_IS_LOST && e.code() != NvmlReturn.NOT_SUPPORTED) {
          ctx.partialError(
              "nvml", "GPU " + d.index + " " + e.getMessage() + "; its deployment mapping is kept");
        }
        continue;
      }
      if (snapshot == null && pids.length > 0) snapshot = processes.scan();
      Map<String, Integer> counts = new HashMap<>();
      int visible = 0;
      for (int pid : pids) {
        if (snapshot.visible(pid)) visible++;
        String deployment = snapshot.deploymentOf(pid);
        if (deployment != null) counts.merge(deployment, 1, Integer::sum);
      }
      if (pids.length > 0 && visible == 0 && !pidNamespaceWarned) {
        pidNamespaceWarned = true;
        log.warn(
            "event=gpu_pids_not_visible gpu={} uuid={} pids={} hint=\"NVML reports host PIDs; in a container run "
                + "the exporter in the host PID namespace (--pid=host, hostPID: true)\"",
            d.index,
            d.uuid,
            pids.length);
      }
      String best = "";
      int bestCount = 0;
      for (Map.Entry<String, Integer> c : counts.entrySet()) {
        if (c.getValue() > bestCount
            || c.getValue() == bestCount
                && order.getOrDefault(c.getKey(), Integer.MAX_VALUE)
                    < order.getOrDefault(best, Integer.MAX_VALUE)) {
          best = c.getKey();
          bestCount = c.getValue();
        }
      }
      if (!best.equals(d.deployment)) {
        d.deployment = best;
        changed = true;
        log.info(
            "event=gpu_mapped gpu={} uuid={} deployment={} processes={} matched={}",
            d.index,
            d.uuid,
            best,
            pids.length,
            bestCount);
      }
    }
    if (changed) publishInventory(inventory.driverVersion());
  }

  private void publishInventory(String driver) {
    List<GpuInventory.Gpu> gpus = new ArrayList<>(devices.size());
    for (Device d : devices)
      gpus.add(new GpuInventory.Gpu(d.index, d.uuid, d.name, d.deployment, d.mig));
    inventory = new GpuInventory(driver, gpus);
  }

  /** Reads one device; returns null when it is lost (nothing of it is accounted this poll). */
  private GpuDelta poll(
      Device d, GpuState prev, long nowMicros, Map<String, GpuState> next, SourceContext ctx) {
    NvmlLibrary n = nvml;
    long lastPoll = prev != null ? Math.max(prev.lastPollMicros(), 0) : nowMicros;
    long end =
        Math.max(nowMicros, lastPoll); // a clock stepping back accounts nothing until it catches up
    long elapsedMicros = end - lastPoll;
    double elapsed = elapsedMicros / 1e6;

    int rc = n.migMode(d.handle);
    if (rc == NvmlReturn.GPU_IS_LOST) return null;
    d.mig = rc == NvmlReturn.SUCCESS && n.intResult() == 1;

    // Energy: a counter since the driver loaded; a decrease is a reset and the new value is the
    // delta.
    long energy = -1;
    double energyJoules = 0;
    rc = n.totalEnergy(d.handle);
    if (rc == NvmlReturn.SUCCESS) {
      energy = n.longResult();
      long before = prev != null ? prev.energyMillijoules() : -1;
      if (before >= 0) energyJoules = (energy >= before ? energy - before : energy) / 1000.0;
    } else if (unavailable(d, rc, 1, "nvmlDeviceGetTotalEnergyConsumption", ctx)) {
      return null;
    }

    double powerWatts = Double.NaN;
    rc = n.powerUsage(d.handle);
    if (rc == NvmlReturn.SUCCESS) {
      powerWatts = n.unsignedIntResult() / 1000.0;
    } else if (unavailable(d, rc, 2, "nvmlDeviceGetPowerUsage", ctx)) {
      return null;
    }

    long memUsed = -1;
    long memTotal = -1;
    rc = n.memoryInfo(d.handle);
    if (rc == NvmlReturn.SUCCESS) {
      memUsed = n.memoryUsed();
      memTotal = n.memoryTotal();
    } else if (unavailable(d, rc, 4, "nvmlDeviceGetMemoryInfo", ctx)) {
      return null;
    }

    // Utilization.
    boolean known = !d.mig;
    long lastSample = prev != null ? prev.lastSampleMicros() : 0;
    long period = prev != null ? prev.samplePeriodMicros() : 0;
    double ratio = prev != null ? prev.utilization() : -1;
    double busyNew = 0;
    if (known) {
      rc = n.utilizationSamples(d.handle, lastSample);
      if (rc == NvmlReturn.SUCCESS) {
        int count = n.sampleCount();
        long minGap = Long.MAX_VALUE;
        for (int i = 1; i < count; i++) {
          long gap = n.sampleTimestamp(i) - n.sampleTimestamp(i - 1);
          if (gap > 0 && gap < minGap) minGap = gap;
        }
        if (minGap != Long.MAX_VALUE) period = minGap;
        long previousTs = lastSample;
        double pct = 0;
        for (int i = 0; i < count; i++) {
          long ts = n.sampleTimestamp(i);
          pct = Math.max(0, Math.min(100, n.samplePercent(i)));
          long gap;
          if (i > 0) {
            gap = ts - previousTs;
          } else if (previousTs > 0) {
            gap = ts - previousTs;
            // Samples dropped out of NVML's buffer (a long pause): the first one covers its own
            // period only.
            if (period > 0 ? gap > 2 * period : gap > elapsedMicros)
              gap = period > 0 ? period : elapsedMicros;
          } else {
            gap = 0; // no reference point yet: this sample only sets one
          }
          if (gap > 0) busyNew += pct / 100.0 * (gap / 1e6);
          previousTs = ts;
        }
        if (count > 0) {
          lastSample = previousTs;
          ratio = pct / 100.0;
        }
        if (prev == null) busyNew = 0; // baseline poll: no interval yet
      } else if (rc == NvmlReturn.GPU_IS_LOST) {
        return null;
      } else if (rc != NvmlReturn.NOT_FOUND) {
        if (rc != NvmlReturn.NOT_SUPPORTED && rc != NvmlReturn.FUNCTION_NOT_FOUND) {
          ctx.partialError(
              "nvml",
              "GPU "
                  + d.index
                  + " nvmlDeviceGetSamples: "
                  + NvmlReturn.name(rc)
                  + "; using utilization rates");
        }
        rc = n.utilizationRates(d.handle);
        if (rc == NvmlReturn.SUCCESS) {
          ratio = Math.max(0, Math.min(100, n.intResult())) / 100.0;
          busyNew = ratio * elapsed;
        } else if (rc == NvmlReturn.GPU_IS_LOST) {
          return null;
        } else {
          known = false;
          unavailable(d, rc, 8, "nvmlDeviceGetUtilizationRates", ctx);
        }
      }
    }

    double busy = 0;
    double idle = 0;
    double carry = 0;
    if (known) {
      double available = (prev != null ? prev.busyCarrySeconds() : 0) + busyNew;
      busy = Math.min(available, elapsed);
      idle = elapsed - busy;
      carry = Math.min(available - busy, MAX_CARRY_SECONDS);
    } else {
      ratio = -1;
    }

    next.put(d.uuid, new GpuState(end, lastSample, energy, carry, period, ratio));
    return new GpuDelta(
        instant(lastPoll),
        instant(end),
        d.uuid,
        d.index,
        d.name,
        d.deployment,
        hourlyByDeployment.get(d.deployment),
        known,
        busy,
        idle,
        energyJoules,
        powerWatts,
        memUsed,
        memTotal,
        ratio >= 0 ? ratio : Double.NaN);
  }

  /**
   * A per-device read failed: true when the GPU is lost (skip it). NOT_SUPPORTED and a missing
   * function make the value unknown, logged once per device; anything else is also a partial error.
   */
  private boolean unavailable(Device d, int rc, int bit, String function, SourceContext ctx) {
    if (rc == NvmlReturn.GPU_IS_LOST) return true;
    if (rc != NvmlReturn.NOT_SUPPORTED && rc != NvmlReturn.FUNCTION_NOT_FOUND) {
      ctx.partialError("nvml", "GPU " + d.index + " " + function + ": " + NvmlReturn.name(rc));
    } else if ((d.warned & bit) == 0) {
      d.warned |= bit;
      log.info(
          "event=nvml_unavailable gpu={} uuid={} function={} result={}",
          d.index,
          d.uuid,
          function,
          NvmlReturn.name(rc));
    }
    return false;
  }

  private String checkpoint(Map<String, GpuState> state) {
    try {
      return json.writeValueAsString(new NvmlCheckpoint(NvmlCheckpoint.VERSION, state));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise the nvml checkpoint", e);
    }
  }

  private static Instant instant(long micros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
  }
}
