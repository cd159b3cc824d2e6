package dev.aicost.collect;

import java.time.Instant;

/** Where the orchestrator hands each batch: accounting plus the ledger commit. */
public interface BatchSink {
  /** Makes the batch durable; throws when it could not, so the source keeps its old state. */
  void accept(String source, Batch batch, Instant now) throws SinkException;
}
