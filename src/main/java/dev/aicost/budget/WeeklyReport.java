package dev.aicost.budget;

import dev.aicost.config.BudgetConfig;
import dev.aicost.ledger.LedgerException;
import dev.aicost.ledger.LedgerReader;
import dev.aicost.metrics.Family;
import dev.aicost.metrics.Metrics;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The weekly review as Markdown, from the ledger: the 7 days ending {@code lastDay} against the 7
 * before; total and categories, top movers, budgets, unpriced usage, reconciliation drift, and for
 * each notable move the triage questions answered from the data (total or one category? cost per
 * request or volume? provider / model mix?).
 */
public final class WeeklyReport {
  /** A move is notable from this change ratio (or when new) ... */
  static final double NOTABLE_RATIO = 0.20;

  /** ... and this many dollars, or 5 % of last week's total when that is more. */
  static final double NOTABLE_USD = 10;

  static final int MAX_NOTABLE = 5;

  /** A triage answer calls a change real from 10 %, a mix shift from 10 share points. */
  static final double SHIFT = 0.10;

  /** Which dimension explains a move's mix: a provider by its models, a model by its teams, ... */
  private static final Map<String, String> MIX_OF =
      Map.of("category", "provider", "provider", "model", "model", "team", "team", "model");

  public record Input(
      LedgerReader ledger,
      ZoneId zone,
      LocalDate lastDay,
      List<BudgetConfig> budgets,
      Map<String, Double> drift,
      Instant now) {}

  private final Input in;
  private final DayRange week;
  private final DayRange prev;
  private final StringBuilder md = new StringBuilder(4096);

  private WeeklyReport(Input in) {
    this.in = in;
    this.week = DayRange.ending(in.lastDay(), 7, in.zone());
    this.prev = week.previous();
  }

  public static String render(Input in) throws LedgerException {
    return new WeeklyReport(in).build();
  }

  private String build() throws LedgerException {
    Movers.Result movers = Movers.compute(in.ledger(), Movers.Period.WEEK, in.lastDay(), in.zone());
    md.append("# AI spend: weekly review, ")
        .append(week.first())
        .append(" to ")
        .append(week.last())
        .append("\n\n");
    md.append("Compared with ")
        .append(prev.first())
        .append(" to ")
        .append(prev.last())
        .append("; days in ")
        .append(in.zone().getId())
        .append("; from the exporter's ledger. Mark each notable move: leave / investigate /")
        .append(" optimise / update forecast.\n\n");

    List<Movers.Move> categories = sortedByCurrent(movers.byDimension().get("category").all());
    md.append("## Spend\n\n| | this week | last week | change |\n|---|---:|---:|---:|\n");
    md.append("| **total** | ")
        .append(usd(movers.currentUsd()))
        .append(" | ")
        .append(usd(movers.previousUsd()))
        .append(" | ")
        .append(change(movers.currentUsd(), movers.previousUsd()))
        .append(" |\n");
    for (Movers.Move c : categories)
      md.append("| ")
          .append(label(c.value()))
          .append(" | ")
          .append(usd(c.currentUsd()))
          .append(" | ")
          .append(usd(c.previousUsd()))
          .append(" | ")
          .append(change(c.currentUsd(), c.previousUsd()))
          .append(" |\n");
    md.append('\n');

    topMovers(movers);
    budgets();
    unpriced();
    drift();
    triage(movers, categories);
    return md.toString();
  }

  private void topMovers(Movers.Result movers) {
    md.append("## Top movers (week over week)\n\n");
    List<Movers.Move> rows = new ArrayList<>();
    for (Movers.Ranking r : movers.byDimension().values())
      rows.addAll(
          r.all().stream()
              .filter(m -> m.changeUsd() != 0)
              .sorted(byAbsoluteChange())
              .limit(Movers.TOP)
              .toList());
    if (rows.isEmpty()) {
      md.append("Nothing moved.\n\n");
      return;
    }
    md.append("| dimension | value | this week | last week | change |\n|---|---|---:|---:|---:|\n");
    for (Movers.Move m : rows)
      md.append("| ")
          .append(m.dimension())
          .append(" | ")
          .append(label(m.value()))
          .append(" | ")
          .append(usd(m.currentUsd()))
          .append(" | ")
          .append(usd(m.previousUsd()))
          .append(" | ")
          .append(change(m.currentUsd(), m.previousUsd()))
          .append(" |\n");
    md.append('\n');
  }

  private void budgets() throws LedgerException {
    md.append("## Budgets (month to date as of ")
        .append(
            ZonedDateTime.ofInstant(in.now(), in.zone())
                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT)))
        .append(")\n\n");
    if (in.budgets().isEmpty()) {
      md.append("No budgets configured (`budgets:` in the configuration file).\n\n");
      return;
    }
    md.append(
        "| budget | monthly | month to date | forecast month end | variance | pace |\n"
            + "|---|---:|---:|---:|---:|---|\n");
    for (BudgetConfig b : in.budgets()) {
      BudgetFigures f = BudgetForecaster.compute(in.ledger(), b, in.zone(), in.now());
      md.append("| ")
          .append(label(f.name()))
          .append(" | ")
          .append(usd(f.monthlyUsd()))
          .append(" | ")
          .append(usd(f.monthToDateUsd()))
          .append(" | ")
          .append(usd(f.forecastUsd()))
          .append(" | ")
          .append(percent(f.varianceRatio()))
          .append(f.varianceRatio() > 0 ? " over" : "")
          .append(" | ")
          .append(usd(f.pace()))
          .append("/day (")
          .append(f.paceBasis().replace('_', ' '))
          .append(") |\n");
    }
    md.append('\n');
  }

  private void unpriced() throws LedgerException {
    md.append("## Unpriced usage\n\n");
    Map<List<String>, double[]> tokens = new TreeMap<>(WeeklyReport::compareLists);
    twoWeeks(Metrics.UNPRICED_TOKENS, List.of(Metrics.PROVIDER, Metrics.MODEL), Map.of(), tokens);
    if (tokens.isEmpty()) {
      md.append("None: every token of both weeks had a price.\n\n");
      return;
    }
    md.append(
        "Tokens without a price add no dollars: the totals above are low by their cost. Add a"
            + " price (`pricing:`) for each.\n\n"
            + "| provider | model | tokens this week | tokens last week |\n|---|---|---:|---:|\n");
    tokens.forEach(
        (k, v) ->
            md.append("| ")
                .append(label(k.get(0)))
                .append(" | ")
                .append(label(k.get(1)))
                .append(" | ")
                .append(count(v[0]))
                .append(" | ")
                .append(count(v[1]))
                .append(" |\n"));
    md.append('\n');
  }

  private void drift() {
    md.append("## Reconciliation drift (estimate vs bill)\n\n");
    if (in.drift().isEmpty()) {
      md.append(
          "Not known: no bill has been read (a reconciling source sets"
              + " `aicost_reconciliation_drift_ratio`; the `report` command reads the ledger"
              + " only).\n\n");
      return;
    }
    md.append("| provider | drift |\n|---|---:|\n");
    in.drift()
        .forEach(
            (p, r) ->
                md.append("| ")
                    .append(label(p))
                    .append(" | ")
                    .append(percent(r))
                    .append(Math.abs(r) > 0.05 ? " (over 5 %: investigate)" : "")
                    .append(" |\n"));
    md.append('\n');
  }

  private void triage(Movers.Result movers, List<Movers.Move> categories) throws LedgerException {
    md.append("## Notable moves, triaged\n\n");
    double minUsd = Math.max(NOTABLE_USD, 0.05 * movers.previousUsd());
    List<Movers.Move> notable = new ArrayList<>();
    for (Movers.Ranking r : movers.byDimension().values())
      for (Movers.Move m : r.all())
        if (Math.abs(m.changeUsd()) >= minUsd
            && (Double.isNaN(m.changeRatio()) || Math.abs(m.changeRatio()) >= NOTABLE_RATIO))
          notable.add(m);
    notable.sort(byAbsoluteChange());
    if (notable.isEmpty()) {
      md.append("No move of at least ")
          .append(percent(NOTABLE_RATIO).substring(1))
          .append(" and ")
          .append(usd(minUsd))
          .append(" this week.\n");
      return;
    }
    String categoryAnswer = categoryAnswer(movers, categories);
    for (Movers.Move m : notable.subList(0, Math.min(MAX_NOTABLE, notable.size()))) {
      md.append("### ")
          .append(m.dimension())
          .append(' ')
          .append(label(m.value()))
          .append(": ")
          .append(change(m.currentUsd(), m.previousUsd()))
          .append("\n\n");
      md.append("1. **Total or one category?** ").append(categoryAnswer);
      double total = movers.currentUsd() - movers.previousUsd();
      if (total != 0 && !m.dimension().equals("category"))
        md.append(" This move is ")
            .append(share(m.changeUsd() / total))
            .append(" of the total's change.");
      md.append('\n');
      md.append("2. **Cost per request or volume?** ").append(volumeAnswer(m)).append('\n');
      md.append("3. **Provider / model mix?** ").append(mixAnswer(m)).append("\n\n");
    }
    md.append("Mark each: leave / investigate / optimise / update forecast.\n");
  }

  private String categoryAnswer(Movers.Result movers, List<Movers.Move> categories) {
    StringBuilder s = new StringBuilder("The total moved ");
    s.append(change(movers.currentUsd(), movers.previousUsd())).append("; ");
    List<Movers.Move> moved =
        categories.stream().filter(c -> c.changeUsd() != 0).sorted(byAbsoluteChange()).toList();
    double absSum = moved.stream().mapToDouble(c -> Math.abs(c.changeUsd())).sum();
    for (int i = 0; i < moved.size(); i++) {
      if (i > 0) s.append(", ");
      s.append(label(moved.get(i).value()))
          .append(' ')
          .append(change(moved.get(i).currentUsd(), moved.get(i).previousUsd()));
    }
    if (moved.isEmpty()) return s.append("no category moved.").toString();
    if (Math.abs(moved.get(0).changeUsd()) >= 0.8 * absSum)
      return s.append(": one category, ")
          .append(label(moved.get(0).value()))
          .append('.')
          .toString();
    return s.append(": several categories moved.").toString();
  }

  private String volumeAnswer(Movers.Move m) throws LedgerException {
    Map<String, String> match =
        m.dimension().equals("category") ? Map.of() : Map.of(m.dimension(), m.value());
    Map<List<String>, double[]> req = new TreeMap<>(WeeklyReport::compareLists);
    twoWeeks(Metrics.REQUESTS, List.of(), match, req);
    double[] r = req.getOrDefault(List.of(), new double[2]);
    String scope = m.dimension().equals("category") ? "all requests" : "requests";
    if (r[0] == 0 && r[1] == 0)
      return "No requests were recorded for this spend (GPU time or a bill): volume and cost per"
          + " request cannot be told apart.";
    StringBuilder s = new StringBuilder();
    s.append(scope)
        .append(' ')
        .append(count(r[1]))
        .append(" → ")
        .append(count(r[0]))
        .append(" (")
        .append(ratioOrNew(r[0], r[1]))
        .append(")");
    if (r[0] == 0 || r[1] == 0)
      return capitalise(s.append(": volume (requests started or stopped).").toString());
    double cprNow = m.currentUsd() / r[0];
    double cprBefore = m.previousUsd() / r[1];
    s.append("; cost per request ")
        .append(usd(cprBefore))
        .append(" → ")
        .append(usd(cprNow))
        .append(" (")
        .append(ratioOrNew(cprNow, cprBefore))
        .append(")");
    boolean volume = Math.abs(r[0] / r[1] - 1) >= SHIFT;
    boolean efficiency = cprBefore > 0 && Math.abs(cprNow / cprBefore - 1) >= SHIFT;
    if (volume && efficiency) s.append(": both volume and cost per request.");
    else if (volume) s.append(": volume, not cost per request.");
    else if (efficiency)
      s.append(": cost per request (prompt or answer length, model, retries), not volume.");
    else s.append(": neither alone moved 10 %.");
    return capitalise(s.toString());
  }

  private String mixAnswer(Movers.Move m) throws LedgerException {
    String by = MIX_OF.get(m.dimension());
    Map<List<String>, double[]> spend = new TreeMap<>(WeeklyReport::compareLists);
    twoWeeks(Metrics.SPEND, List.of(by), Map.of(m.dimension(), m.value()), spend);
    double now = 0, before = 0;
    for (double[] v : spend.values()) {
      now += v[0];
      before += v[1];
    }
    record Share(String value, double now, double before) {
      double shift() {
        return now - before;
      }
    }
    List<Share> shares = new ArrayList<>();
    for (Map.Entry<List<String>, double[]> e : spend.entrySet())
      shares.add(
          new Share(
              e.getKey().get(0),
              now > 0 ? e.getValue()[0] / now : 0,
              before > 0 ? e.getValue()[1] / before : 0));
    shares.sort(
        Comparator.comparingDouble((Share s) -> -Math.abs(s.shift())).thenComparing(Share::value));
    StringBuilder s = new StringBuilder("By ").append(by).append(": ");
    List<Share> top = shares.subList(0, Math.min(3, shares.size()));
    for (int i = 0; i < top.size(); i++) {
      if (i > 0) s.append(", ");
      s.append(label(top.get(i).value()))
          .append(' ')
          .append(share(top.get(i).now()))
          .append(" (was ")
          .append(share(top.get(i).before()))
          .append(')');
    }
    if (shares.size() <= 1)
      return s.append(": one ").append(by).append(" only, no mix to change.").toString();
    boolean changed = before > 0 && now > 0 && Math.abs(shares.get(0).shift()) >= SHIFT;
    return s.append(changed ? ": the mix changed." : ": the mix held.").toString();
  }

  /** Sums a family over both weeks by {@code groupBy}: value[0] this week, value[1] last week. */
  private void twoWeeks(
      Family f, List<String> groupBy, Map<String, String> match, Map<List<String>, double[]> out)
      throws LedgerException {
    in.ledger()
        .sum(
            f,
            prev.start(),
            week.end(),
            groupBy,
            match,
            (start, group, v) -> {
              int slot = week.contains(LocalDate.ofInstant(start, in.zone())) ? 0 : 1;
              out.computeIfAbsent(List.of(group), k -> new double[2])[slot] += v;
            });
  }

  private static List<Movers.Move> sortedByCurrent(List<Movers.Move> moves) {
    List<Movers.Move> l = new ArrayList<>(moves);
    l.sort(
        Comparator.comparingDouble((Movers.Move m) -> -m.currentUsd())
            .thenComparing(Movers.Move::value));
    return l;
  }

  private static Comparator<Movers.Move> byAbsoluteChange() {
    return Comparator.comparingDouble((Movers.Move m) -> -Math.abs(m.changeUsd()))
        .thenComparing(Movers.Move::dimension)
        .thenComparing(Movers.Move::value);
  }

  private static int compareLists(List<String> a, List<String> b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int c = a.get(i).compareTo(b.get(i));
      if (c != 0) return c;
    }
    return Integer.compare(a.size(), b.size());
  }

  // formatting -----------------------------------------------------------------------------

  static String usd(double v) {
    double a = Math.abs(v);
    String s =
        a > 0 && a < 1
            ? String.format(Locale.ROOT, "$%.4f", a)
            : String.format(Locale.ROOT, "$%,.2f", a);
    return v < 0 ? "-" + s : s;
  }

  static String change(double now, double before) {
    double d = now - before;
    String sign = d > 0 ? "+" : d < 0 ? "-" : "±";
    String s = sign + usd(Math.abs(d));
    if (before > 0) return s + " (" + percent(now / before - 1) + ")";
    return now > 0 ? s + " (new)" : s;
  }

  private static String ratioOrNew(double now, double before) {
    return before > 0 ? percent(now / before - 1) : "new";
  }

  static String percent(double ratio) {
    return String.format(Locale.ROOT, "%+.1f %%", ratio * 100);
  }

  private static String share(double ratio) {
    return String.format(Locale.ROOT, "%.1f %%", ratio * 100);
  }

  private static String count(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  /** A label value as a Markdown table cell: never empty, no pipe or newline breaking the row. */
  static String label(String v) {
    if (v == null || v.isEmpty()) return "(none)";
    StringBuilder s = new StringBuilder(Math.min(v.length(), 80));
    for (int i = 0; i < v.length() && i < 80; i++) {
      char c = v.charAt(i);
      // intra-word underscores are literal in CommonMark, so model names stay readable
      if (c == '|' || c == '`' || c == '*' || c == '[' || c == ']' || c == '<' || c == '\\')
        s.append('\\');
      s.append(Character.isISOControl(c) ? ' ' : c);
    }
    return v.length() > 80 ? s + "…" : s.toString();
  }

  private static String capitalise(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
