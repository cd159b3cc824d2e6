package dev.aicost.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aicost.collect.Batch;
import dev.aicost.collect.GpuSource;
import dev.aicost.collect.SourceContext;
import dev.aicost.model.GpuDelta;
import dev.aicost.model.GpuInventory;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.DoubleSupplier;

/**
 * Simulated GPUs for {@code --demo}, behind the same source interface as NVML: each demo
 * deployment's GPUs are as busy as its simulated traffic, so the idle-dollars panels have something
 * true to show.
 */
public final class SimulatedGpus implements GpuSource {
  /** One simulated GPU and what drives its utilization. */
  public record Gpu(
      int index,
      String uuid,
      String name,
      String deployment,
      long memoryTotalBytes,
      double idleWatts,
      double maxWatts,
      DoubleSupplier busyRatio) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private final List<Gpu> gpus;
  private final Duration interval;
  private volatile long lastMs;

  public SimulatedGpus(List<Gpu> gpus, Duration interval) {
    this.gpus = List.copyOf(gpus);
    this.interval = interval;
  }

  @Override
  public String name() {
    return "nvml/demo";
  }

  @Override
  public Duration interval() {
    return interval;
  }

  @Override
  public String target() {
    return "simulated GPUs";
  }

  /**
   * The demo deployments its GPUs serve: priced by measured GPU time, as NVML's with {@code gpus:}
   * UUIDs.
   */
  @Override
  public Set<String> meteredDeployments() {
    Set<String> names = new LinkedHashSet<>();
    for (Gpu g : gpus) if (!g.deployment().isEmpty()) names.add(g.deployment());
    return names;
  }

  @Override
  public GpuInventory inventory() {
    List<GpuInventory.Gpu> list = new ArrayList<>();
    for (Gpu g : gpus)
      list.add(new GpuInventory.Gpu(g.index(), g.uuid(), g.name(), g.deployment(), false));
    return new GpuInventory("demo", list);
  }

  @Override
  public void restore(String checkpointJson) {
    if (checkpointJson == null) return;
    try {
      lastMs = JSON.readTree(checkpointJson).path("last_ms").asLong(0);
    } catch (IOException e) {
      lastMs = 0;
    }
  }

  @Override
  public Batch collect(Instant now, SourceContext ctx) {
    long start = lastMs > 0 && lastMs < now.toEpochMilli() ? lastMs : now.toEpochMilli();
    double elapsed = (now.toEpochMilli() - start) / 1000.0;
    List<GpuDelta> out = new ArrayList<>();
    for (Gpu g : gpus) {
      double busy = g.busyRatio().getAsDouble();
      double watts = g.idleWatts() + (g.maxWatts() - g.idleWatts()) * busy;
      out.add(
          new GpuDelta(
              Instant.ofEpochMilli(start),
              now,
              g.uuid(),
              g.index(),
              g.name(),
              g.deployment(),
              null, // the demo's deployments set no gpu_hourly_usd: priced by GPU name
              true,
              busy * elapsed,
              (1 - busy) * elapsed,
              watts * elapsed,
              watts,
              (long) (g.memoryTotalBytes() * 0.9),
              g.memoryTotalBytes(),
              busy));
      ctx.upstreamCall("device", "success");
    }
    long next = now.toEpochMilli();
    return Batch.gpus(out, "{\"last_ms\":" + next + "}", next);
  }

  @Override
  public void committed(Batch batch) {
    lastMs = (Long) batch.nextState();
  }
}
