package dev.aicost.http;

import dev.aicost.collect.CollectorHealth;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * The small HTML page at {@code /}: what runs, how it is doing, where the metrics are. It reloads
 * itself every {@value #REFRESH_SECONDS} s; times are shown relative to now with the absolute time
 * on hover.
 */
final class StatusPage {
  private StatusPage() {}

  static final int REFRESH_SECONDS = 10;

  static String render(StatusView s, String telemetryPath, Instant now) {
    StringBuilder h = new StringBuilder(4096);
    h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>aicost-exporter</title>")
        .append("<meta http-equiv=\"refresh\" content=\"")
        .append(REFRESH_SECONDS)
        .append("\">")
        .append(
            "<style>body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin-bottom:1em}")
        .append(
            "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}.bad{color:#b00}.ok{color:#070}.est{color:#8a5a00}")
        .append(
            ".demo{background:#fff3cd;border:1px solid #e0c36a;padding:.6em;margin-bottom:1em}</style></head><body>");
    h.append("<h1>aicost-exporter</h1>");
    if (s.demo()) {
      h.append(
              "<div class=\"demo\"><b>DEMO MODE</b>: the vLLM deployments and GPUs below are simulated (vLLM pages on loopback, read by the real pipeline). ")
          .append(
              "Every number on this exporter is made up by the simulator; do not read it as a bill.");
      if (!Double.isNaN(s.demoLoadFactor())) {
        h.append(" Load factor: <b>")
            .append(String.format(Locale.ROOT, "%.2fx", s.demoLoadFactor()))
            .append("</b> (<code>POST /api/v1/demo/load?factor=N</code>).");
      }
      h.append("</div>");
    }
    h.append("<p>Version ").append(HttpServer.escape(s.version()));
    if (s.startedAt() != null) h.append(" &middot; up ").append(time(s.startedAt(), now, false));
    h.append(" &middot; <a href=\"")
        .append(HttpServer.escape(telemetryPath))
        .append("\">metrics</a>")
        .append(
            " &middot; <a href=\"/-/healthy\">healthy</a> &middot; <a href=\"/-/ready\">ready</a>")
        .append(
            " &middot; <a href=\"/api/v1/status\">status JSON</a> &middot; <a href=\"/api/v1/spend?days=7\">spend JSON</a>"
                + " &middot; <a href=\"/api/v1/report/weekly\">weekly review</a></p>");
    h.append("<table>");
    row(
        h,
        "config",
        s.configFile() == null
            ? "none (defaults)"
            : "<code>" + HttpServer.escape(s.configFile()) + "</code>");
    StatusView.Reload r = s.lastReload();
    if (r != null) {
      row(
          h,
          "last (re)load",
          "<span class=\""
              + (r.ok() ? "ok\">ok" : "bad\">refused")
              + "</span> "
              + time(r.at(), now, true)
              + (r.ok() ? "" : ": " + HttpServer.escape(r.message())));
    }
    if (s.ledgerPath() != null) {
      long b = s.ledgerBytes();
      row(
          h,
          "ledger",
          "<code>"
              + HttpServer.escape(s.ledgerPath())
              + "</code>"
              + (b >= 0 ? " (" + size(b) + ")" : ""));
    }
    h.append("</table>");
    h.append("<h2>Totals</h2><table>");
    for (Map.Entry<String, Double> e : s.totals().entrySet()) {
      String v =
          e.getKey().contains("usd")
              ? HttpServer.money(e.getValue())
              : String.format(Locale.ROOT, "%,.0f", e.getValue());
      h.append("<tr><th>")
          .append(HttpServer.escape(e.getKey()))
          .append("</th><td>")
          .append(v)
          .append("</td></tr>");
    }
    h.append("</table><p>Since the ledger began.</p>");
    if (s.budgets() != null) BudgetSection.render(h, s.budgets());
    h.append(
        "<h2>Sources</h2><table><tr><th>collector</th><th>reads</th><th>state</th><th>last success</th><th>last run</th><th>last error</th></tr>");
    Map<String, String> targets = s.targets();
    for (CollectorHealth c : s.collectors()) {
      String state = c.state();
      h.append("<tr><td>")
          .append(HttpServer.escape(c.collector()))
          .append("</td><td>")
          .append(HttpServer.escape(targets.getOrDefault(c.collector(), "")))
          .append("</td><td class=\"")
          .append(c.success() ? "ok" : "bad")
          .append("\">")
          .append(state)
          .append("</td><td>")
          .append(
              c.lastSuccessEpochSeconds() > 0
                  ? time(
                      Instant.ofEpochMilli((long) (c.lastSuccessEpochSeconds() * 1000)), now, true)
                  : "never")
          .append("</td><td>")
          .append(String.format(Locale.ROOT, "%.3f s", c.lastDurationSeconds()))
          .append("</td><td>")
          .append(c.success() ? "" : HttpServer.escape(c.lastErrorReason() + ": " + c.lastError()))
          .append("</td></tr>");
    }
    h.append("</table>");
    if (!s.gpus().isEmpty()) {
      h.append(
          "<h2>GPUs</h2><table><tr><th>gpu</th><th>name</th><th>uuid</th><th>deployment</th><th>price / hour</th><th>price source</th></tr>");
      for (StatusView.Gpu g : s.gpus()) {
        boolean estimate = "default".equals(g.priceSource());
        h.append("<tr><td>")
            .append(HttpServer.escape(g.index()))
            .append("</td><td>")
            .append(HttpServer.escape(g.name()))
            .append("</td><td>")
            .append(HttpServer.escape(g.uuid()))
            .append("</td><td>")
            .append(HttpServer.escape(g.deployment()))
            .append("</td><td>")
            .append(HttpServer.money(g.hourlyUsd()))
            .append("</td><td")
            .append(
                estimate
                    ? " class=\"est\">default (an estimate: set pricing.gpus or gpu_hourly_usd)"
                    : ">" + HttpServer.escape(g.priceSource()))
            .append("</td></tr>");
      }
      h.append("</table>");
    }
    h.append("</body></html>\n");
    return h.toString();
  }

  private static void row(StringBuilder h, String name, String html) {
    h.append("<tr><th>").append(name).append("</th><td>").append(html).append("</td></tr>");
  }

  /** "3 min ago" (or, for a start time, "3 min"), with the ISO time as a tooltip. */
  static String time(Instant t, Instant now, boolean ago) {
    return "<span title=\""
        + t
        + "\">"
        + relative(Duration.between(t, now))
        + (ago ? " ago" : "")
        + "</span>";
  }

  static String relative(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s < 90) return s + " s";
    if (s < 90 * 60) return (s / 60) + " min";
    if (s < 36 * 3600) return String.format(Locale.ROOT, "%.1f h", s / 3600.0);
    return String.format(Locale.ROOT, "%.1f days", s / 86400.0);
  }

  private static String size(long bytes) {
    if (bytes < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
  }
}
