package dev.aicost.collect;

import dev.aicost.model.BilledAmount;
import dev.aicost.model.CapacityDelta;
import dev.aicost.model.GpuDelta;
import dev.aicost.model.SpendDelta;
import dev.aicost.model.UsageDelta;
import java.util.List;

/**
 * What one collect produced, plus the source state after it.
 *
 * @param billed what a provider's bill says per day (replaces earlier figures for that day; for
 *     reconciliation, never added to spend)
 * @param spend dollars a bill states directly, booked as spend (e.g. Cost Explorer's EC2 days)
 * @param checkpointJson the state after this batch, serialised for the ledger
 * @param nextState the same state in the source's own in-memory form, handed back on commit
 */
public record Batch(
    List<UsageDelta> usage,
    List<CapacityDelta> capacity,
    List<GpuDelta> gpus,
    List<BilledAmount> billed,
    List<SpendDelta> spend,
    String checkpointJson,
    Object nextState) {

  public Batch {
    usage = List.copyOf(usage);
    capacity = List.copyOf(capacity);
    gpus = List.copyOf(gpus);
    billed = List.copyOf(billed);
    spend = List.copyOf(spend);
  }

  /** Usage and what the bill says, e.g. a managed API's usage and cost endpoints. */
  public static Batch managed(
      List<UsageDelta> usage,
      List<BilledAmount> billed,
      List<SpendDelta> spend,
      String checkpointJson,
      Object nextState) {
    return new Batch(usage, List.of(), List.of(), billed, spend, checkpointJson, nextState);
  }

  public static Batch of(
      List<UsageDelta> usage,
      List<CapacityDelta> capacity,
      String checkpointJson,
      Object nextState) {
    return new Batch(usage, capacity, List.of(), List.of(), List.of(), checkpointJson, nextState);
  }

  public static Batch gpus(List<GpuDelta> gpus, String checkpointJson, Object nextState) {
    return new Batch(List.of(), List.of(), gpus, List.of(), List.of(), checkpointJson, nextState);
  }
}
