package dev.aicost.accounting;

import dev.aicost.collect.Batch;
import dev.aicost.collect.BatchSink;
import dev.aicost.collect.SinkException;
import dev.aicost.ledger.Ledger;
import dev.aicost.ledger.LedgerException;
import dev.aicost.metrics.Metrics;
import dev.aicost.model.BilledAmount;
import dev.aicost.store.GaugeStore;
import dev.aicost.store.TrailingWindows;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Accounting, then one ledger transaction, then the in-memory views that scrapes read. */
public final class AccountingSink implements BatchSink {
  private static final Logger log = LoggerFactory.getLogger(AccountingSink.class);
  private static final int GPU_UUID = Metrics.GPU_PRICE.labelIndex("uuid");
  private final BatchAccountant accountant;
  private final Ledger ledger;
  private final TrailingWindows windows;
  private final GaugeStore gauges;
  private final Reconciliation reconciliation;

  public AccountingSink(
      BatchAccountant accountant, Ledger ledger, TrailingWindows windows, GaugeStore gauges) {
    this.accountant = accountant;
    this.ledger = ledger;
    this.windows = windows;
    this.gauges = gauges;
    this.reconciliation = new Reconciliation(ledger);
  }

  @Override
  public void accept(String source, Batch batch, Instant now) throws SinkException {
    BatchAccountant.Result r = accountant.account(batch);
    try {
      ledger.commit(source, r.increments(), batch.billed(), batch.checkpointJson(), now);
    } catch (LedgerException e) {
      throw new SinkException("ledger", e.getMessage(), e);
    }
    List<BatchAccountant.GaugeUpdate> updates = new ArrayList<>(r.gauges());
    try {
      // what the bill says changes only when a bill arrives: recompute then, from the ledger
      for (String provider :
          batch.billed().stream().map(BilledAmount::provider).distinct().toList())
        updates.addAll(reconciliation.figures(provider, now));
    } catch (LedgerException e) {
      // the batch is committed; the figures follow with the next bill
      log.warn("event=reconciliation_failed source={} error=\"{}\"", source, e.getMessage());
    }
    for (TrailingWindows.Observation o : r.observations()) windows.observe(o);
    for (BatchAccountant.GaugeUpdate g : updates) {
      if (g.family() == Metrics.GPU_PRICE && !g.labels().get(GPU_UUID).isEmpty()) {
        // a GPU mapped to another deployment (process matching) keeps one price series, not one per
        // deployment
        String uuid = g.labels().get(GPU_UUID);
        gauges.removeWhere(
            Metrics.GPU_PRICE, l -> l.get(GPU_UUID).equals(uuid) && !l.equals(g.labels()));
      }
      gauges.set(g.family(), g.labels(), g.value());
    }
  }
}
