package dev.aicost.http;

import dev.aicost.budget.BudgetFigures;
import dev.aicost.budget.BudgetService;
import dev.aicost.budget.Movers;
import java.util.List;
import java.util.Locale;

/**
 * The status page's budgets and movers, from the figures the budget timer last computed (the page
 * never reads the ledger itself).
 */
final class BudgetSection {
  private BudgetSection() {}

  static void render(StringBuilder h, BudgetService budgets) {
    List<BudgetFigures> figures = budgets.tracker().figures();
    h.append("<h2>Budgets</h2>");
    if (figures.isEmpty()) {
      h.append("<p>No budgets configured (<code>budgets:</code>).</p>");
    } else {
      h.append(
          "<table><tr><th>budget</th><th>monthly</th><th>month to date</th><th>forecast month end</th><th>variance</th><th>pace / day</th></tr>");
      for (BudgetFigures f : figures) {
        boolean over = f.varianceRatio() > 0;
        h.append("<tr><td>")
            .append(HttpServer.escape(f.name()))
            .append("</td><td>")
            .append(usd(f.monthlyUsd()))
            .append("</td><td>")
            .append(usd(f.monthToDateUsd()))
            .append("</td><td>")
            .append(usd(f.forecastUsd()))
            .append("</td><td class=\"")
            .append(over ? "bad" : "ok")
            .append("\">")
            .append(percent(f.varianceRatio()))
            .append("</td><td>")
            .append(usd(f.pace()))
            .append(" (")
            .append(f.paceBasis().replace('_', ' '))
            .append(")</td></tr>");
      }
      h.append("</table>");
      for (BudgetFigures f : figures)
        if (f.unpricedTokensMonthToDate() > 0)
          h.append("<p class=\"bad\">Budget ")
              .append(HttpServer.escape(f.name()))
              .append(": ")
              .append(String.format(Locale.ROOT, "%,.0f", f.unpricedTokensMonthToDate()))
              .append(
                  " tokens this month had no price; their cost is missing from these figures (add prices under <code>pricing:</code>).</p>");
      h.append("<p>Time zone ")
          .append(HttpServer.escape(budgets.zone().getId()))
          .append("; <a href=\"/api/v1/budgets\">budgets JSON</a>.</p>");
    }
    for (Movers.Period p : Movers.Period.values()) {
      Movers.Result r = budgets.movers(p);
      if (r == null) continue;
      h.append("<h2>Movers: ")
          .append(p == Movers.Period.DAY ? "day over day" : "week over week")
          .append("</h2><p>")
          .append(r.current())
          .append(" vs ")
          .append(r.previous())
          .append(": ")
          .append(usd(r.currentUsd()))
          .append(" vs ")
          .append(usd(r.previousUsd()))
          .append("</p><table><tr><th>dimension</th><th>top up</th><th>top down</th></tr>");
      r.byDimension()
          .forEach(
              (dim, ranking) ->
                  h.append("<tr><th>")
                      .append(dim)
                      .append("</th><td>")
                      .append(moves(ranking.up()))
                      .append("</td><td>")
                      .append(moves(ranking.down()))
                      .append("</td></tr>"));
      h.append("</table>");
    }
  }

  private static String moves(List<Movers.Move> moves) {
    if (moves.isEmpty()) return "";
    StringBuilder s = new StringBuilder();
    for (Movers.Move m : moves) {
      if (s.length() > 0) s.append("<br>");
      s.append(HttpServer.escape(m.value().isEmpty() ? "(none)" : m.value()))
          .append(' ')
          .append(m.changeUsd() > 0 ? "+" : "-")
          .append(usd(Math.abs(m.changeUsd())))
          .append(" (")
          .append(Double.isNaN(m.changeRatio()) ? "new" : percent(m.changeRatio()))
          .append(')');
    }
    return s.toString();
  }

  private static String usd(double v) {
    return String.format(Locale.ROOT, "$%,.2f", v);
  }

  private static String percent(double r) {
    return String.format(Locale.ROOT, "%+.1f %%", r * 100);
  }
}
