package dev.aicost;

import dev.aicost.budget.WeeklyReport;
import dev.aicost.config.ConfigException;
import dev.aicost.config.ConfigLoader;
import dev.aicost.config.ExporterConfig;
import dev.aicost.ledger.LedgerException;
import dev.aicost.ledger.LedgerReader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;

/**
 * {@code aicost-exporter report --week}: the weekly review from the ledger named by the
 * configuration, read-only (a running exporter keeps its lock and keeps writing).
 */
final class Report {
  private Report() {}

  static int week(Path configFile, String end, Clock clock, PrintStream out, PrintStream err) {
    ExporterConfig cfg;
    try {
      cfg = configFile == null ? ExporterConfig.defaults() : new ConfigLoader().load(configFile);
    } catch (ConfigException e) {
      err.println("aicost-exporter: invalid configuration " + configFile + ":");
      e.problems().forEach(p -> err.println("  " + p));
      return 1;
    }
    ZoneId zone = ZoneId.of(cfg.timezone());
    LocalDate last =
        end != null
            ? LocalDate.parse(end)
            : LocalDate.ofInstant(clock.instant(), zone).minusDays(1);
    try (LedgerReader ledger = new LedgerReader(Path.of(cfg.state().path()))) {
      // drift comes from live reconciling sources, which a one-off report does not run
      out.print(
          WeeklyReport.render(
              new WeeklyReport.Input(
                  ledger, zone, last, cfg.budgets(), Map.of(), clock.instant())));
      out.flush();
      return 0;
    } catch (LedgerException e) {
      err.println("aicost-exporter: " + e.getMessage());
      return 1;
    }
  }
}
