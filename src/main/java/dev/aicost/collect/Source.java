package dev.aicost.collect;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One upstream read on its own interval. A source turns upstream data into normalised records and
 * knows nothing of prices, labels, HTTP serving or storage (a deployment's configured {@code
 * gpu_hourly_usd} it passes on in its records, as it does {@code gpu_count}).
 *
 * <p>Exactly-once contract: {@link #collect} must not change the source's committed state. It
 * returns the records since the committed state and the state that holds after them; the
 * orchestrator makes both durable in one ledger transaction and only then calls {@link #committed}.
 * A failed commit therefore leaves the source where it was, and the next collect emits the same
 * usage again.
 */
public interface Source extends AutoCloseable {

  /** The {@code collector} label value, e.g. {@code vllm/llama-prod}. Stable across restarts. */
  String name();

  Duration interval();

  /** What it reads, for the status page (a URL without credentials, a library); never a secret. */
  default String target() {
    return name();
  }

  /** Restores the committed state from the ledger's checkpoint (null when there is none). */
  void restore(String checkpointJson);

  /** Reads the upstream once. */
  Batch collect(Instant now, SourceContext ctx) throws SourceException;

  /** The ledger made {@code batch} durable: adopt its state. */
  void committed(Batch batch);

  /**
   * Every {@code reason} this source can report, so each error counter exists at 0 from the start
   * and {@code rate()} and alerts see the first error. The orchestrator adds its own (ledger,
   * internal).
   */
  default List<String> errorReasons() {
    return List.of();
  }

  @Override
  default void close() {}
}
