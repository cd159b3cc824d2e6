package dev.aicost.collect;

import dev.aicost.model.BilledAmount;
import dev.aicost.model.CapacityDelta;
import dev.aicost.model.GpuDelta;
import dev.aicost.model.UsageDelta;
import java.util.List;

/**
 * What one collect produced, plus the source state after it.
 *
 * @param checkpointJson the state after this batch, serialised for the ledger
 * @param nextState the same state in the source's own in-memory form, handed back on commit
 */
public record Batch(
    List<UsageDelta> usage,
    List<CapacityDelta> capacity,
    List<GpuDelta> gpus,
    List<BilledAmount> billed,
    String checkpointJson,
    Object nextState) {

  public Batch {
    usage = List.copyOf(usage);
    capacity = List.copyOf(capacity);
    gpus = List.copyOf(gpus);
    billed = List.copyOf(billed);
  }

  public static Batch of(
      List<UsageDelta> usage,
      List<CapacityDelta> capacity,
      String checkpointJson,
      Object nextState) {
    return new Batch(usage, capacity, List.of(), List.of(), checkpointJson, nextState);
  }

  public static Batch gpus(List<GpuDelta> gpus, String checkpointJson, Object nextState) {
    return new Batch(List.of(), List.of(), gpus, List.of(), checkpointJson, nextState);
  }
}
