package dev.aicost.http;

import dev.aicost.collect.CollectorHealth;
import java.time.Instant;
import java.util.Map;

/** The small HTML page at {@code /}: what runs, how it is doing, where the metrics are. */
final class StatusPage {
  private StatusPage() {}

  static String render(StatusView s, String telemetryPath) {
    StringBuilder h = new StringBuilder(4096);
    h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>aicost-exporter</title>")
        .append("<style>body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}")
        .append("td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}.bad{color:#b00}.ok{color:#070}")
        .append(".demo{background:#fff3cd;border:1px solid #e0c36a;padding:.6em;margin-bottom:1em}</style></head><body>");
    h.append("<h1>aicost-exporter</h1>");
    if (s.demo()) {
      h.append("<div class=\"demo\"><b>DEMO MODE</b>: the vLLM deployments and GPUs below are simulated (vLLM pages on loopback, read by the real pipeline). ")
          .append("Every number on this exporter is made up by the simulator; do not read it as a bill.</div>");
    }
    h.append("<p>Version ").append(HttpServer.escape(s.version()));
    if (s.configFile() != null) h.append(" &middot; config <code>").append(HttpServer.escape(s.configFile())).append("</code>");
    h.append(" &middot; <a href=\"").append(HttpServer.escape(telemetryPath)).append("\">metrics</a>")
        .append(" &middot; <a href=\"/-/healthy\">healthy</a> &middot; <a href=\"/-/ready\">ready</a>")
        .append(" &middot; <a href=\"/api/v1/status\">status JSON</a> &middot; <a href=\"/api/v1/spend?days=7\">spend JSON</a></p>");
    h.append("<h2>Totals</h2><table>");
    for (Map.Entry<String, Double> e : s.totals().entrySet()) {
      String v = e.getKey().contains("usd") ? HttpServer.money(e.getValue()) : String.format(java.util.Locale.ROOT, "%,.0f", e.getValue());
      h.append("<tr><th>").append(HttpServer.escape(e.getKey())).append("</th><td>").append(v).append("</td></tr>");
    }
    h.append("</table><h2>Sources</h2><table><tr><th>collector</th><th>reads</th><th>state</th><th>last success</th><th>last run</th><th>last error</th></tr>");
    Map<String, String> targets = s.targets();
    for (CollectorHealth c : s.collectors()) {
      String state = c.state();
      h.append("<tr><td>").append(HttpServer.escape(c.collector())).append("</td><td>")
          .append(HttpServer.escape(targets.getOrDefault(c.collector(), ""))).append("</td><td class=\"")
          .append(c.success() ? "ok" : "bad").append("\">").append(state).append("</td><td>")
          .append(c.lastSuccessEpochSeconds() > 0 ? Instant.ofEpochMilli((long) (c.lastSuccessEpochSeconds() * 1000)).toString() : "never")
          .append("</td><td>").append(String.format(java.util.Locale.ROOT, "%.3f s", c.lastDurationSeconds()))
          .append("</td><td>").append(c.success() ? "" : HttpServer.escape(c.lastErrorReason() + ": " + c.lastError()))
          .append("</td></tr>");
    }
    h.append("</table></body></html>\n");
    return h.toString();
  }
}
