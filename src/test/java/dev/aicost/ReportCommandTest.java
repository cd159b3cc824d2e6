package dev.aicost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.budget.WeeklyReportTest;
import dev.aicost.testing.MutableClock;
import dev.aicost.testing.RunningExporter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code report --week} and {@code /api/v1/report/weekly} print the golden review of the known
 * fortnight; the command reads the ledger of a running exporter (which holds the ledger's lock).
 */
class ReportCommandTest {
  @TempDir Path dir;

  private Path config(Path db) throws Exception {
    return Files.writeString(
        dir.resolve("c.yml"),
        """
        state: { path: %s }
        timezone: Europe/Berlin
        budgets:
          - { name: org, monthly_usd: 3000 }
          - { name: search, monthly_usd: 1000, match: { team: search } }
        """
            .formatted(db));
  }

  @Test
  void commandAndApiPrintTheGoldenReviewWhileTheExporterRuns() throws Exception {
    Path db = dir.resolve("l.db");
    WeeklyReportTest.fortnight(db);
    Path cfg = config(db);
    String golden = Files.readString(WeeklyReportTest.EXPECTED);
    MutableClock clock = new MutableClock(WeeklyReportTest.NOW);
    try (RunningExporter ex = new RunningExporter(Files.readString(cfg), cfg, clock, false)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code =
          Report.week(
              cfg,
              null,
              clock,
              new PrintStream(out, true, StandardCharsets.UTF_8),
              new PrintStream(err));
      assertEquals(0, code, err.toString());
      assertEquals(golden, out.toString(StandardCharsets.UTF_8));
      try (Response r = ex.get("/api/v1/report/weekly")) {
        assertTrue(r.header("Content-Type").startsWith("text/markdown"));
        assertEquals(golden, r.body().string());
      }
      try (Response r = ex.get("/api/v1/report/weekly?end=last-sunday")) {
        assertEquals(400, r.code());
      }
    }
  }

  @Test
  void aMissingLedgerIsOneClearErrorAndExitOne() throws Exception {
    Path cfg = config(dir.resolve("nothing-here.db"));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Report.week(
            cfg,
            "2026-03-15",
            new MutableClock(WeeklyReportTest.NOW),
            new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(1, code);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("no ledger at"), err.toString());
    assertEquals(1, Main.run(new String[] {"report"}), "report without --week is a usage error");
    assertEquals(
        1,
        Main.run(new String[] {"report", "--week", "--config.file=" + cfg}),
        "Main runs the report (and it finds no ledger)");
  }

  @Test
  void anEndDateChoosesTheWeek() throws Exception {
    Path db = dir.resolve("l.db");
    WeeklyReportTest.fortnight(db);
    {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      Report.week(
          config(db),
          "2026-03-08",
          new MutableClock(WeeklyReportTest.NOW),
          new PrintStream(out, true, StandardCharsets.UTF_8),
          System.err);
      String md = out.toString(StandardCharsets.UTF_8);
      assertTrue(md.startsWith("# AI spend: weekly review, 2026-03-02 to 2026-03-08"), md);
      assertTrue(md.contains("| **total** | $525.00 | $0.00 | +$525.00 (new) |"), md);
    }
  }
}
