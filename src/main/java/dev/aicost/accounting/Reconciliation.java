package dev.aicost.accounting;

import dev.aicost.ledger.Ledger;
import dev.aicost.ledger.LedgerException;
import dev.aicost.metrics.LabelValues;
import dev.aicost.metrics.Metrics;
import dev.aicost.model.BilledAmount;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a provider's bill says next to what the exporter estimated, both read from the ledger:
 * {@code aicost_billed_usd{provider,window}} for {@code yesterday} and {@code month_to_date}, and
 * {@code aicost_reconciliation_drift_ratio{provider}} = (estimate - billed) / billed over the last
 * {@link #DAYS} complete days that have a bill. Days are UTC days, as both providers' cost APIs and
 * Cost Explorer report them.
 *
 * <p>The drift compares like with like: the estimate is the provider's {@code inference} spend, and
 * the bill counts only rows whose service is one the estimate is booked under, or {@code api} (a
 * provider whose whole bill is its API, as OpenAI's and Anthropic's cost endpoints are). So an AWS
 * bill's EC2 rows never count against a Bedrock estimate.
 */
public final class Reconciliation {
  /** Complete days the drift is taken over. */
  public static final int DAYS = 7;

  /** The service of a bill that covers a provider's whole API usage. */
  public static final String WHOLE_API = "api";

  private static final int SPEND_PROVIDER = Metrics.SPEND.labelIndex(Metrics.PROVIDER);
  private static final int SPEND_SERVICE = Metrics.SPEND.labelIndex(Metrics.SERVICE);
  private static final int SPEND_CATEGORY = Metrics.SPEND.labelIndex(Metrics.CATEGORY);

  private final Ledger ledger;

  public Reconciliation(Ledger ledger) {
    this.ledger = ledger;
  }

  /** The gauges of one provider as of {@code now}; the drift is absent without a billed day. */
  public List<BatchAccountant.GaugeUpdate> figures(String provider, Instant now)
      throws LedgerException {
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    LocalDate monthStart = today.withDayOfMonth(1);
    LocalDate driftFrom = today.minusDays(DAYS);
    LocalDate from = monthStart.isBefore(driftFrom) ? monthStart : driftFrom;
    List<BilledAmount> rows = ledger.billed(provider, from, today);

    double yesterday = 0, monthToDate = 0;
    for (BilledAmount b : rows) {
      if (b.day().equals(today.minusDays(1))) yesterday += b.usd();
      if (!b.day().isBefore(monthStart)) monthToDate += b.usd();
    }
    List<BatchAccountant.GaugeUpdate> out = new ArrayList<>();
    out.add(
        new BatchAccountant.GaugeUpdate(Metrics.BILLED, List.of(provider, "yesterday"), yesterday));
    out.add(
        new BatchAccountant.GaugeUpdate(
            Metrics.BILLED, List.of(provider, "month_to_date"), monthToDate));

    // the estimate's services over the drift days, then the bill's matching rows on days it has
    Instant driftStart = driftFrom.atStartOfDay(ZoneOffset.UTC).toInstant();
    Instant driftEnd = today.atStartOfDay(ZoneOffset.UTC).toInstant();
    List<Ledger.HourlyRow> spend = ledger.hourly(Metrics.SPEND, driftStart, driftEnd);
    Set<String> services = new HashSet<>();
    for (Ledger.HourlyRow r : spend) {
      if (isEstimate(r, provider)) services.add(r.labels().get(SPEND_SERVICE));
    }
    Set<LocalDate> billedDays = new HashSet<>();
    double billed = 0;
    for (BilledAmount b : rows) {
      if (b.day().isBefore(driftFrom) || !b.day().isBefore(today)) continue;
      if (!b.service().equals(WHOLE_API) && !services.contains(b.service())) continue;
      billed += b.usd();
      billedDays.add(b.day());
    }
    if (billed > 0) {
      double estimate = 0;
      for (Ledger.HourlyRow r : spend) {
        if (isEstimate(r, provider)
            && billedDays.contains(LocalDate.ofInstant(r.hour(), ZoneOffset.UTC))) {
          estimate += r.value();
        }
      }
      out.add(
          new BatchAccountant.GaugeUpdate(
              Metrics.RECONCILIATION_DRIFT, List.of(provider), (estimate - billed) / billed));
    }
    return out;
  }

  private static boolean isEstimate(Ledger.HourlyRow r, String provider) {
    return r.labels().get(SPEND_PROVIDER).equals(provider)
        && r.labels().get(SPEND_CATEGORY).equals(LabelValues.CATEGORY_INFERENCE);
  }
}
