#!/usr/bin/env python3
"""Generates the Grafana dashboards in dashboards/*.json (import-ready; plain JSON is what ships).

The four dashboards share variables, datasource wiring and panel defaults; writing them through one
script keeps those identical. Edit this file, then run

    python3 dashboards/src/generate.py

and commit both. The JSON files are the product: Grafana never sees this script.
Conventions (style.md): a `datasource` variable used by every panel and target, job / instance, the five
attribution tags (team, project, app_env, cost_center, feature) and provider / model / deployment as
variables, a description on every panel (what it shows, how to read it, which alert relates; the
generator refuses a panel without one), windows longer than a day from the hourly buckets of
alert-rules/rules.yml instead of raw counters, `$__rate_interval`, `sum by (...)` so several exporters (one
per GPU node) add up, a unit on every panel, stable uids, tag `aicost`, `__inputs` for "Import dashboard".
"""
import json
import os

OUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DS = {"type": "prometheus", "uid": "${datasource}"}
RI = "$__rate_interval"

# Label filters. Usage / spend series carry every variable; GPU series carry deployment; others less.
F = ('job=~"$job", instance=~"$instance", team=~"$team", project=~"$project", app_env=~"$app_env", '
     'cost_center=~"$cost_center", feature=~"$feature", provider=~"$provider", model=~"$model", deployment=~"$deployment"')
FU = 'job=~"$job", instance=~"$instance", provider=~"$provider", model=~"$model"'          # unpriced
FG = 'job=~"$job", instance=~"$instance", deployment=~"$deployment"'                       # GPU by deployment
FJ = 'job=~"$job", instance=~"$instance"'                                                  # per GPU / health
FS = F.replace('provider=~"$provider"', 'provider="self_hosted"')                        # self-hosted usage
FM = F + ', provider!="self_hosted"'                                                      # managed APIs
MC = 'collector=~"(openai|anthropic|bedrock|aws_cost_explorer)(/.*)?"'                   # managed collectors
FB = 'budget=~"$budget"'                                                                  # fleet budget rules
L = "provider, deployment, model, team, cost_center"
# Hourly spend buckets (alert-rules/rules.yml, group aicost.hourly): every label F filters on, one sample an
# hour. Windows longer than a day sum these (sum_over_time) instead of reading raw samples: 720 samples per
# series for 30 days instead of 172,800 at a 15 s scrape.
BUCKET = "job_instance_provider_category_deployment_model_attribution:aicost_spend_usd:increase1h"
DOMAIN = ("job", "instance", "team", "project", "app_env", "cost_center", "feature", "provider", "model", "deployment")


class Board:
    def __init__(self, uid, title, description, variables=DOMAIN):
        self.uid, self.title, self.description, self.variables = uid, title, description, variables
        self.panels, self.y, self.x, self.row_h, self.next_id, self.types = [], 0, 0, 0, 1, set()

    def _place(self, w, h):
        if self.x + w > 24:
            self.x, self.y = 0, self.y + self.row_h
            self.row_h = 0
        pos = {"x": self.x, "y": self.y, "w": w, "h": h}
        self.x += w
        self.row_h = max(self.row_h, h)
        return pos

    def _id(self):
        self.next_id += 1
        return self.next_id - 1

    def row(self, title):
        if self.x:
            self.x, self.y, self.row_h = 0, self.y + self.row_h, 0
        self.panels.append({"type": "row", "id": self._id(), "title": title, "collapsed": False,
                            "gridPos": {"x": 0, "y": self.y, "w": 24, "h": 1}, "panels": []})
        self.y += 1

    def text(self, title, content, w=24, h=4, description=""):
        self.types.add("text")
        self.panels.append({"type": "text", "id": self._id(), "title": title, "datasource": DS,
                            "description": describe(title, description),
                            "gridPos": self._place(w, h), "options": {"mode": "markdown", "content": content}})

    def panel(self, kind, title, targets, unit, w=12, h=8, description="", stack=False, decimals=None,
              instant=False, fmt=None, time_from=None, legend_calcs=("mean", "lastNotNull"), options=None,
              overrides=None, time_shift=None, thresholds=None):
        self.types.add(kind)
        tg = []
        for i, t in enumerate(targets):
            expr, legend = t if isinstance(t, tuple) else (t, "")
            d = {"datasource": DS, "refId": chr(ord("A") + i), "expr": expr, "legendFormat": legend or "__auto",
                 "range": not instant, "instant": instant}
            if fmt:
                d["format"] = fmt
            tg.append(d)
        defaults = {"unit": unit}
        if decimals is not None:
            defaults["decimals"] = decimals
        if kind == "timeseries":
            defaults["custom"] = {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 20 if stack else 5,
                                  "stacking": {"mode": "normal" if stack else "none", "group": "A"},
                                  "showPoints": "never"}
        p = {"type": kind, "id": self._id(), "title": title, "description": describe(title, description), "datasource": DS,
             "gridPos": self._place(w, h), "targets": tg,
             "fieldConfig": {"defaults": defaults, "overrides": overrides or []}}
        if kind == "timeseries":
            p["options"] = {"legend": {"displayMode": "table", "placement": "right", "calcs": list(legend_calcs)},
                            "tooltip": {"mode": "multi", "sort": "desc"}}
        elif kind == "stat":
            p["options"] = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                            "colorMode": "value", "graphMode": "none", "textMode": "auto"}
        elif kind == "table":
            p["options"] = {"showHeader": True, "sortBy": [{"displayName": "Value", "desc": True}]}
            p["transformations"] = [{"id": "merge", "options": {}}]
        elif kind == "bargauge":
            p["options"] = {"orientation": "horizontal", "displayMode": "gradient",
                            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}}
        if options:
            p.setdefault("options", {}).update(options)
        if time_from:
            p["timeFrom"] = time_from
        if time_shift:
            p["timeShift"] = time_shift
        if thresholds:
            defaults["thresholds"] = {"mode": "absolute", "steps": [
                {"color": c, "value": v} for v, c in thresholds]}
            defaults["color"] = {"mode": "thresholds"}
        self.panels.append(p)

    def _variables(self):
        # current = the import input: "Import dashboard" substitutes the Prometheus picked there; when
        # provisioned from files, Grafana falls back to the default Prometheus datasource.
        out = [{"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus",
                "current": {"selected": True, "text": "Prometheus", "value": "${DS_PROMETHEUS}"}, "hide": 0, "refresh": 1, "regex": "", "options": []}]
        queries = {
            "job": "label_values(aicost_build_info, job)",
            "instance": 'label_values(aicost_build_info{job=~"$job"}, instance)',
            "team": 'label_values(aicost_spend_usd_total{job=~"$job", instance=~"$instance"}, team)',
            "project": 'label_values(aicost_spend_usd_total{job=~"$job", instance=~"$instance", team=~"$team"}, project)',
            "app_env": 'label_values(aicost_spend_usd_total{job=~"$job", instance=~"$instance"}, app_env)',
            "cost_center": 'label_values(aicost_spend_usd_total{job=~"$job", instance=~"$instance", team=~"$team"}, cost_center)',
            "feature": 'label_values(aicost_spend_usd_total{job=~"$job", instance=~"$instance", team=~"$team", project=~"$project"}, feature)',
            "provider": 'label_values(aicost_spend_usd_total{job=~"$job", instance=~"$instance"}, provider)',
            "model": 'label_values(aicost_spend_usd_total{job=~"$job", instance=~"$instance", provider=~"$provider"}, model)',
            "deployment": 'label_values(aicost_spend_usd_total{job=~"$job", instance=~"$instance", provider=~"$provider"}, deployment)',
            "budget": 'label_values(aicost_budget_usd{job=~"$job", instance=~"$instance"}, budget)',
        }
        for v in self.variables:
            out.append({"name": v, "label": v, "type": "query", "datasource": DS,
                        "query": {"query": queries[v], "refId": f"{v}-var"}, "definition": queries[v],
                        "refresh": 2, "multi": True, "includeAll": True, "allValue": ".*",
                        "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
                        "sort": 1, "hide": 0, "regex": "", "options": []})
        return out

    def json(self):
        requires = [{"type": "grafana", "id": "grafana", "name": "Grafana", "version": "10.0.0"},
                    {"type": "datasource", "id": "prometheus", "name": "Prometheus", "version": "1.0.0"}]
        names = {"timeseries": "Time series", "stat": "Stat", "table": "Table", "text": "Text",
                 "bargauge": "Bar gauge"}
        for t in sorted(self.types):
            requires.append({"type": "panel", "id": t, "name": names[t], "version": ""})
        return {
            "__inputs": [{"name": "DS_PROMETHEUS", "label": "Prometheus", "description": "The Prometheus (or Mimir, Thanos, VictoriaMetrics) that scrapes aicost-exporter",
                          "type": "datasource", "pluginId": "prometheus", "pluginName": "Prometheus"}],
            "__requires": requires,
            "uid": self.uid, "title": self.title, "description": self.description,
            "tags": ["aicost"], "editable": True, "graphTooltip": 1, "schemaVersion": 39, "version": 1,
            "time": {"from": "now-7d", "to": "now"}, "timezone": "", "refresh": "1m",
            "timepicker": {}, "fiscalYearStartMonth": 0, "liveNow": False, "weekStart": "",
            "annotations": {"list": [{"builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
                                      "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
                                      "name": "Annotations & Alerts", "type": "dashboard"}]},
            "links": [{"title": "aicost dashboards", "type": "dashboards", "tags": ["aicost"], "asDropdown": True,
                       "includeVars": True, "keepTime": True}],
            "templating": {"list": self._variables()},
            "panels": self.panels,
        }


# Descriptions of the panels that do not pass one inline: what the panel shows, how to read it, and the
# alert it answers (docs/alerts.md). Every panel needs one; describe() stops the generator otherwise.
DESCRIPTIONS = {
    # overview
    "Last 24h": "Estimated spend over the trailing 24 hours (raw counters, increase over 1d). Compare with "
                "Previous 24h: AiCostDailySpendJump fires when this is 20 % and $50 above it.",
    "Last 7 days": "Spend over the trailing 7 days, summed from the hourly buckets of the recording rules "
                   "(alert-rules/rules.yml must be loaded). Updated once an hour; the first hour after "
                   "Prometheus starts it is empty.",
    "Last 30 days": "Spend over the trailing 30 days, summed from the hourly buckets (needs rules.yml and "
                    "31 days of retention).",
    "By category": "Dollars per hour by category (inference, compute, storage, networking, orchestration), "
                   "stacked: the top of the stack is the total. AiCostCategoryWeekOverWeek watches each "
                   "category week over week.",
    "By provider": "Dollars per hour by provider, stacked. A step in one band with the others flat points "
                   "at that provider; AiCostDailySpendJump names provider and model.",
    "By model": "Dollars per hour by provider and model, stacked. A new band is a new model (rollout); a "
                "band that widens while requests stay flat is a cost-per-request change (AiCostCostPerRequestHigh).",
    "By team": "Dollars per hour by team and cost centre, stacked: who spends. Alerts route to the team "
               "and cost_center shown here.",
    "Daily spend by provider (trailing 24h)": "Each point is the spend of the 24 hours before it, per "
                                              "provider: weekly rhythm and slow drifts show without the "
                                              "diurnal swing. AiCostDailySpendJump compares it day over day.",
    "Day over day: model and team (last 24h minus the 24h before)": "The ten provider / model / team "
        "combinations whose last-24h spend grew most against the 24h before, in dollars. The first row is "
        "usually the subject of an AiCostDailySpendJump.",
    "Week over week: category and provider (last 7d minus the 7d before)": "The ten category / provider "
        "pairs whose spend grew most over the last 7 days against the 7 before, in dollars, summed from "
        "the hourly buckets. AiCostCategoryWeekOverWeek fires on +25 % and $20/day.",
    "Cost per request by model": "Dollars per request (spend rate / request rate). Pay-per-token models: "
        "moves with tokens per request. Self-hosted: also rises whenever traffic dips, because GPU time costs "
        "the same; AiCostCostPerRequestHigh therefore values GPU time at its 7-day cost per token.",
    "Cost per 1k tokens by model": "Dollars per 1,000 tokens of all types. Flat for API models unless the "
        "input / output / cache mix changes; for self-hosted models it tracks GPU utilisation.",
    "Tokens per second by type": "Tokens per second by type (input = uncached prompt, cache_read, "
        "cache_write, output), stacked. A step in all types at once is volume (AiCostRunawayUsage); input "
        "alone growing is longer prompts.",
    "Requests per second by provider": "Requests per second by provider, stacked: volume. Compare with the "
        "spend panels to tell volume from cost per request.",
    "Unpriced tokens per second by model": "Tokens that matched no price, per model and type: their dollars "
        "are missing everywhere. Any line here is AiCostUnpricedUsage; add the price and reload.",
    # self-hosted
    "Exporter's $/1k tokens per deployment and model (trailing window)": "The exporter's own "
        "aicost_cost_per_1k_tokens_usd gauge over its trailing window (trailing_window in the config): the "
        "same ratio as the top-left panel, smoothed by the exporter. AiCostCacheHitDrop values lost cache "
        "hits at 90 % of it.",
    "GPUs busy vs idle (GPU-seconds per second)": "How many GPUs are busy and how many idle at each moment "
        "(GPU-seconds per second = GPUs), stacked: the top is the GPU count. A thick idle band is capacity "
        "paid for and unused (AiCostIdleGpuSpend).",
    "GPU dollars per hour, busy vs idle": "GPU dollars per hour split into busy and idle time, stacked. The "
        "idle band is what AiCostIdleGpuSpend watches (per deployment and node, above $2/hour).",
    "Idle GPU dollars, last 24h": "Dollars of idle GPU time over the last 24 hours, for the selected "
        "deployments and nodes: the money scaling down or batch work could recover.",
    "Idle share of GPU time, last 24h": "Idle GPU-seconds over all GPU-seconds in the last 24 hours. Above "
        "~50 % the $/1k tokens including idle time is at least double the busy-only figure.",
    "GPU utilization": "NVML utilisation per GPU (share of time a kernel ran). Low utilisation on GPUs of "
        "a deployment with traffic means over-provisioning; pair with the idle panels.",
    "GPU memory used": "Memory used per GPU. vLLM reserves most memory for its KV cache at start, so this "
        "is flat while serving; a drop means the serving process stopped.",
    "GPU power": "Power draw per node (sum of its GPUs), stacked. Busy GPUs draw several times their idle "
        "power; energy dollars follow it when an energy price is configured.",
    "GPU energy, last 24h": "Energy drawn by the selected nodes' GPUs over the last 24 hours (joules; "
        "3.6 MJ = 1 kWh).",
    "Tokens per second by deployment and type": "Self-hosted tokens per second by deployment and type, "
        "stacked: the work the GPU dollars buy. Falling tokens with flat GPU dollars raise $/1k tokens.",
    "Cache-hit ratio (cache_read / prompt tokens)": "Share of prompt tokens served from the prefix cache, "
        "per deployment and model. AiCostCacheHitDrop fires when it falls below half its 7-day average.",
    "Prompt tokens per request": "Prompt tokens (input + cache_read + cache_write) per request, per "
        "deployment. Growth here is what AiCostCostPerRequestHigh catches on self-hosted deployments.",
    "Output tokens per request": "Generated tokens per request, per deployment. Longer answers cost GPU "
        "time; a jump after a prompt or model change explains a cost-per-request alert.",
    # triage
    "Spend per hour: now vs a day and a week ago": "Step 1. Total dollars per hour now, and the same hours "
        "a day and a week ago. Above both: a real change (AiCostDailySpendJump); above yesterday only: "
        "the weekly rhythm.",
    "Change by category, last 24h vs the 24h before": "Step 1. Dollars each category gained or lost over "
        "the last 24h against the 24h before. One long bar: that category moved; all bars: the total did.",
    "Requests per second: now vs a week ago": "Step 2, volume. Requests per second now and a week ago. If "
        "requests grew as much as spend, it is volume, not efficiency.",
    "Cost per request: now vs a week ago": "Step 2, efficiency. Dollars per request now and a week ago. "
        "Higher now with flat requests: AiCostCostPerRequestHigh territory (prompt, answer, model, cache). "
        "Self-hosted cost per request also rises when traffic dips.",
    "Tokens per request by type": "Step 2. Tokens per request by type, stacked: which part of the request "
        "grew (input = prompt, output = answer, cache_read falling = lost cache).",
    "Share of spend by model": "Step 3. Each model's share of spend, stacked to 100 %. A band that widens "
        "while its request share does not is a pricier model or longer requests.",
    "Share of requests by model": "Step 3. Each model's share of requests, stacked to 100 %. A shift here "
        "with the spend shift beside it: the mix changed (a premium model as default).",
    "Change by deployment, team and feature, last 24h vs the 24h before": "Step 4. The fifteen deployment / "
        "model / team / feature combinations whose spend grew most, last 24h against the 24h before.",
    "Spend per hour by app_env and feature": "Step 4. Dollars per hour by app_env and feature "
        "(attribution tags), stacked: a batch job or an evaluation run against production shows as a new "
        "band.",
    "Daily spend (trailing 24h), this week vs last week": "Step 5. Trailing-24h spend now and a week "
        "earlier: the same bump last week means a recurring job, not an incident.",
    # exporter health
    "Exporters up": "Exporters Prometheus scrapes successfully. Fewer than you run: AiCostExporterDown.",
    "Collectors failing": "Collectors whose last run failed (aicost_collector_success == 0). Non-zero for "
        "10 minutes: AiCostCollectorFailing.",
    "Build info": "Version and revision of each exporter: check after an upgrade that every node runs the "
        "same.",
    "Collector success (1 = last run succeeded)": "1 when a collector's last run succeeded, per exporter "
        "and collector. Dips to 0 are failed runs; a flat 0 is AiCostCollectorFailing.",
    "Collector run duration": "How long each collector's last run took. Near its interval, runs start "
        "overlapping and data arrives late (AiCostCollectorStale).",
    "Collector errors per second by reason": "Collector errors per second by reason (timeout, http status, "
        "parse ...). The reason tells where to look; see the AiCostCollectorFailing runbook.",
    "Upstream requests per second by outcome": "Calls the exporter makes to its upstreams (vLLM, provider "
        "APIs) by outcome. Errors here precede collector failures.",
}


def describe(title, given):
    d = given or DESCRIPTIONS.get(title, "")
    if not d:
        raise SystemExit(f"panel {title!r} has no description: add one to DESCRIPTIONS")
    return d


def bucket(w, by="", off=""):
    """Spend over a window longer than a day, summed from the hourly buckets."""
    inner = f"sum_over_time({BUCKET}{{{F}}}[{w}]{off})"
    return f"sum by ({by}) ({inner})" if by else f"sum({inner})"


def spend(by, extra=""):
    return f"sum by ({by}) (rate(aicost_spend_usd_total{{{F}{extra}}}[{RI}])) * 3600"


def overview():
    b = Board("aicost-overview", "AI spend overview",
              "The morning view: what we spend now, what moved, whether the month-end pace is healthy, unit "
              "costs, unpriced usage. Spend = estimated dollars from aicost-exporter (token prices and GPU time, "
              "self-hosted and managed APIs in the same panels).", variables=DOMAIN + ("budget",))
    b.row("What are we spending, what changed, is the month-end pace healthy?")
    b.panel("stat", "Yesterday", [f"sum(increase(aicost_spend_usd_total{{{F}}}[$__range]))"], "currencyUSD",
            w=3, h=5, time_from="now/d", time_shift="1d/d",
            description="Spend of yesterday, midnight to midnight in the dashboard's time zone, self-hosted and "
            "managed APIs together (question 1). The exporter's own days (budgets, /api/v1/spend) use its "
            "configured timezone.")
    b.panel("stat", "Today so far", [f"sum(increase(aicost_spend_usd_total{{{F}}}[$__range]))"], "currencyUSD",
            w=3, h=5, time_from="now/d", description="Spend since midnight (dashboard time zone). Read with Last "
            "24h: the day's pace so far.")
    b.panel("stat", "Month to date", [f"sum(sum_over_time({BUCKET}{{{F}}}[$__range]))"], "currencyUSD",
            w=3, h=5, time_from="now/M",
            description="Spend since the first of the month (dashboard time zone), summed from the hourly "
            "buckets of rules.yml: exact to the hour. For the budgets' own month-to-date see the Budgets row.")
    b.panel("stat", "Forecast month-end by budget", [(f"budget:aicost_budget_forecast_month_end_usd:sum{{{FB}}}", "{{budget}}")],
            "currencyUSD", w=4, h=5, instant=True,
            description="Each budget's month-end forecast, summed over every exporter of the fleet (question 3). "
            "AiCostBudgetForecastOver warns above the budget + 10 %.")
    b.panel("stat", "Forecast vs budget (variance)", [(f"budget:aicost_budget_variance_ratio:fleet{{{FB}}}", "{{budget}}")],
            "percentunit", w=4, h=5, instant=True, thresholds=((None, "green"), (0.10, "orange"), (0.30, "red")),
            description="Forecast month-end / budget - 1 per budget: orange above +10 % (AiCostBudgetForecastOver, "
            "warning), red above +30 % (critical from the 10th). Negative = under budget.")
    mv1 = lambda by: (f"sum by ({by}) (increase(aicost_spend_usd_total{{{F}}}[1d])) - "
                      f"sum by ({by}) (increase(aicost_spend_usd_total{{{F}}}[1d] offset 1d))")
    b.panel("table", "Top movers: category and provider (last 24h vs the 24h before)",
            [f"topk(5, {mv1('category, provider')}) or bottomk(5, {mv1('category, provider')})"],
            "currencyUSD", w=7, h=5, instant=True, fmt="table",
            description="The category / provider pairs whose last-24h spend rose or fell most against the 24h "
            "before, in dollars (question 2). Self-hosted and managed providers side by side; the triage "
            "dashboard takes it from here.")
    b.row("Spend")
    tot = lambda w, off="": f"sum(increase(aicost_spend_usd_total{{{F}}}[{w}]{off}))"
    b.panel("stat", "Last 24h", [tot("1d")], "currencyUSD", w=4, h=4, instant=True)
    b.panel("stat", "Previous 24h", [tot("1d", " offset 1d")], "currencyUSD", w=4, h=4, instant=True,
            description="Spend in the 24 hours before the last 24 hours (yesterday, trailing). "
            "AiCostDailySpendJump fires when Last 24h is 20 % and $50 above it.")
    b.panel("stat", "Last 7 days", [bucket("7d")], "currencyUSD", w=4, h=4, instant=True)
    b.panel("stat", "Last 30 days", [bucket("30d")], "currencyUSD", w=4, h=4, instant=True)
    b.panel("stat", "Spend rate now (per day)", [f"sum(rate(aicost_spend_usd_total{{{F}}}[1h])) * 86400"],
            "currencyUSD", w=4, h=4, instant=True, description="Last hour's spend rate extrapolated to a day. Compare with Last 24h: far above it "
            "means something started in the last hour (AiCostRunawayUsage if it is 3x usual).")
    b.row("Spend over time (per hour)")
    b.panel("timeseries", "By category", [(spend("category"), "{{category}}")], "currencyUSD", stack=True)
    b.panel("timeseries", "By provider", [(spend("provider"), "{{provider}}")], "currencyUSD", stack=True)
    b.panel("timeseries", "By model", [(spend("provider, model"), "{{provider}} {{model}}")], "currencyUSD", stack=True)
    b.panel("timeseries", "By deployment", [(spend("deployment"), "{{deployment}}")], "currencyUSD", stack=True,
            description="Dollars per hour by deployment, stacked. Empty deployment = API usage (no "
            "self-hosted deployment). A self-hosted band stays flat when traffic dips: GPU time is paid anyway.")
    b.panel("timeseries", "By team", [(spend("team, cost_center"), "{{team}} ({{cost_center}})")], "currencyUSD", stack=True)
    b.panel("timeseries", "Daily spend by provider (trailing 24h)",
            [(f"sum by (provider) (increase(aicost_spend_usd_total{{{F}}}[1d]))", "{{provider}}")], "currencyUSD")
    b.row("Top movers")
    mv = lambda by, w: (f"topk(10, sum by ({by}) (increase(aicost_spend_usd_total{{{F}}}[{w}])) - "
                        f"sum by ({by}) (increase(aicost_spend_usd_total{{{F}}}[{w}] offset {w})))")
    b.panel("table", "Day over day: model and team (last 24h minus the 24h before)",
            [mv("provider, model, team", "1d")], "currencyUSD", instant=True, fmt="table")
    b.panel("table", "Week over week: category and provider (last 7d minus the 7d before)",
            [f"topk(10, {bucket('7d', 'category, provider')} - {bucket('7d', 'category, provider', ' offset 7d')})"],
            "currencyUSD", instant=True, fmt="table")
    b.row("Unit costs")
    b.panel("timeseries", "Cost per request by model",
            [(f"sum by (provider, model) (rate(aicost_spend_usd_total{{{F}}}[{RI}])) / "
              f"sum by (provider, model) (rate(aicost_requests_total{{{F}}}[{RI}]))", "{{provider}} {{model}}")],
            "currencyUSD", decimals=5)
    b.panel("timeseries", "Cost per 1k tokens by model",
            [(f"sum by (provider, model) (rate(aicost_spend_usd_total{{{F}}}[{RI}])) / "
              f"sum by (provider, model) (rate(aicost_tokens_total{{{F}}}[{RI}])) * 1000", "{{provider}} {{model}}")],
            "currencyUSD", decimals=4)
    b.panel("timeseries", "Tokens per second by type",
            [(f"sum by (token_type) (rate(aicost_tokens_total{{{F}}}[{RI}]))", "{{token_type}}")], "short", stack=True)
    b.panel("timeseries", "Requests per second by provider",
            [(f"sum by (provider) (rate(aicost_requests_total{{{F}}}[{RI}]))", "{{provider}}")], "reqps", stack=True)
    b.row("Unpriced usage (spend shown as $0)")
    b.panel("stat", "Unpriced tokens, last 24h",
            [f"sum(increase(aicost_unpriced_tokens_total{{{FU}}}[1d]))"], "short", w=6, instant=True,
            description="Tokens over the last 24h that matched no price, so their dollars are missing. "
            "Should be 0: add prices to pricing.models (AiCostUnpricedUsage).")
    b.panel("timeseries", "Unpriced tokens per second by model",
            [(f"sum by (provider, model, token_type) (rate(aicost_unpriced_tokens_total{{{FU}}}[{RI}]))",
              "{{provider}} {{model}} {{token_type}}")], "short", w=18)
    b.row("Budgets: month to date, forecast and variance (fleet sums)")
    b.panel("table", "Budgets", [
        (f"budget:aicost_budget_usd:max{{{FB}}}", "budget"),
        (f"budget:aicost_budget_spend_month_to_date_usd:sum{{{FB}}}", "month to date"),
        (f"budget:aicost_budget_forecast_month_end_usd:sum{{{FB}}}", "forecast"),
        (f"budget:aicost_budget_forecast_month_end_usd:sum{{{FB}}} - budget:aicost_budget_usd:max{{{FB}}}",
         "forecast - budget")], "currencyUSD", w=10, instant=True, fmt="table",
        description="Per budget: the amount, month-to-date spend and month-end forecast summed over every "
        "exporter (each exposes its share; rules.yml group aicost.budgets), and the forecast's dollars above "
        "(+) or below (-) the budget. AiCostBudgetExceeded fires when month to date passes the amount.")
    b.panel("timeseries", "Forecast month-end and month to date vs budget",
            [(f"budget:aicost_budget_forecast_month_end_usd:sum{{{FB}}}", "{{budget}} forecast"),
             (f"budget:aicost_budget_spend_month_to_date_usd:sum{{{FB}}}", "{{budget}} month to date"),
             (f"budget:aicost_budget_usd:max{{{FB}}}", "{{budget}} budget")], "currencyUSD", w=14,
            description="The forecast (month to date + the recent daily pace x the days left) against the budget "
            "line, and month to date climbing towards it. The forecast steps at midnight and is noisy in the "
            "first days of a month; the +30 % alert waits for the 10th.")
    return b


def selfhosted():
    b = Board("aicost-self-hosted", "AI self-hosted inference economics",
              "What a token really costs on our GPUs: $/1k tokens with and without idle time, busy vs idle "
              "GPU seconds and dollars, energy, throughput, and what the prefix cache saves.")
    gpu_all = f"sum by (deployment) (rate(aicost_gpu_cost_usd_total{{{FG}}}[{RI}]))"
    gpu_busy = f"sum by (deployment) (rate(aicost_gpu_cost_usd_total{{{FG}, state=\"busy\"}}[{RI}]))"
    toks = f"sum by (deployment) (rate(aicost_tokens_total{{{FS}}}[{RI}]))"
    b.row("Cost per 1k tokens")
    b.panel("timeseries", "$/1k tokens per deployment, including idle GPU time",
            [(f"{gpu_all} / {toks} * 1000", "{{deployment}}")], "currencyUSD", decimals=4,
            description="All GPU dollars of the deployment divided by its tokens: what you really pay, idle "
                        "time included. Rises at night and at weekends as traffic falls.")
    b.panel("timeseries", "$/1k tokens per deployment, busy time only",
            [(f"{gpu_busy} / {toks} * 1000", "{{deployment}}")], "currencyUSD", decimals=4,
            description="Busy GPU dollars only, divided by tokens: what a perfectly packed GPU would cost; "
                        "the gap to the left panel is idle time (AiCostIdleGpuSpend).")
    b.panel("timeseries", "Exporter's $/1k tokens per deployment and model (trailing window)",
            [(f"avg by (deployment, model) (aicost_cost_per_1k_tokens_usd{{{FS}}})", "{{deployment}} {{model}}")],
            "currencyUSD", decimals=4, w=24)
    b.row("GPU busy vs idle")
    b.panel("timeseries", "GPUs busy vs idle (GPU-seconds per second)",
            [(f"sum by (state) (rate(aicost_gpu_seconds_total{{{FG}}}[{RI}]))", "{{state}}")], "short", stack=True)
    b.panel("timeseries", "GPU dollars per hour, busy vs idle",
            [(f"sum by (state) (rate(aicost_gpu_cost_usd_total{{{FG}}}[{RI}])) * 3600", "{{state}}")],
            "currencyUSD", stack=True)
    b.panel("timeseries", "Idle dollars per hour by deployment",
            [(f"sum by (deployment) (rate(aicost_gpu_cost_usd_total{{{FG}, state=\"idle\"}}[{RI}])) * 3600",
              "{{deployment}}")], "currencyUSD",
            description="AiCostIdleGpuSpend fires above $2/hour for a deployment. Empty = GPUs serving no deployment.")
    b.panel("stat", "Idle GPU dollars, last 24h",
            [f"sum(increase(aicost_gpu_cost_usd_total{{{FG}, state=\"idle\"}}[1d]))"], "currencyUSD", w=6,
            instant=True)
    b.panel("stat", "Idle share of GPU time, last 24h",
            [f"sum(increase(aicost_gpu_seconds_total{{{FG}, state=\"idle\"}}[1d])) / "
             f"sum(increase(aicost_gpu_seconds_total{{{FG}}}[1d]))"], "percentunit", w=6, instant=True)
    b.panel("timeseries", "GPU utilization", [(f"avg by (gpu, uuid) (aicost_gpu_utilization_ratio{{{FJ}}})",
                                               "GPU {{gpu}} {{uuid}}")], "percentunit")
    b.panel("timeseries", "GPU memory used", [(f"sum by (gpu, uuid) (aicost_gpu_memory_used_bytes{{{FJ}}})",
                                               "GPU {{gpu}}")], "bytes")
    b.row("Energy")
    b.panel("timeseries", "GPU power", [(f"sum by (instance) (aicost_gpu_power_watts{{{FJ}}})", "{{instance}}")],
            "watt", stack=True)
    b.panel("stat", "GPU energy, last 24h", [f"sum(increase(aicost_gpu_energy_joules_total{{{FJ}}}[1d]))"],
            "joule", w=6, instant=True)
    b.panel("timeseries", "Non-token spend per hour (GPU time, energy) by ai_service",
            [(f"sum by (ai_service, category) (rate(aicost_spend_usd_total{{{F}, token_type=\"\"}}[{RI}])) * 3600",
              "{{ai_service}} {{category}}")], "currencyUSD", w=6,
            description="Dollars per hour of spend with no token type: GPU hours and energy priced by the "
                        "exporter, by ai_service and category.")
    b.row("Throughput and cache")
    b.panel("timeseries", "Tokens per second by deployment and type",
            [(f"sum by (deployment, token_type) (rate(aicost_tokens_total{{{FS}}}[{RI}]))",
              "{{deployment}} {{token_type}}")], "short", stack=True)
    b.panel("timeseries", "Cache-hit ratio (cache_read / prompt tokens)",
            [(f"sum by (deployment, model) (rate(aicost_tokens_total{{{FS}, token_type=\"cache_read\"}}[{RI}])) / "
              f"sum by (deployment, model) (rate(aicost_tokens_total{{{FS}, token_type=~\"input|cache_read|cache_write\"}}[{RI}]))",
              "{{deployment}} {{model}}")], "percentunit")
    b.panel("timeseries", "Dollars per hour the cache saves",
            [(f"sum by (deployment) (sum by ({L}) (rate(aicost_tokens_total{{{FS}, token_type=\"cache_read\"}}[{RI}])) "
              f"* on ({L}) provider_deployment_model_team_cost_center:aicost_price_usd_per_token:cache_saving_estimate) * 3600",
              "{{deployment}}")], "currencyUSD",
            description="Cached tokens priced at what computing them would have cost (recording rule "
                        "...:aicost_price_usd_per_token:cache_saving_estimate; needs alert-rules/rules.yml loaded).")
    b.row("Per-request token shape")
    b.panel("timeseries", "Prompt tokens per request",
            [(f"sum by (deployment) (rate(aicost_tokens_total{{{FS}, token_type=~\"input|cache_read|cache_write\"}}[{RI}])) / "
              f"sum by (deployment) (rate(aicost_requests_total{{{FS}}}[{RI}]))", "{{deployment}}")], "short")
    b.panel("timeseries", "Output tokens per request",
            [(f"sum by (deployment) (rate(aicost_tokens_total{{{FS}, token_type=\"output\"}}[{RI}])) / "
              f"sum by (deployment) (rate(aicost_requests_total{{{FS}}}[{RI}]))", "{{deployment}}")], "short")
    b.panel("timeseries", "Prompt tokens per request, p50 / p95 (needs a vLLM scrape job)",
            [("histogram_quantile(0.5, sum by (le, model_name) (rate(vllm:request_prompt_tokens_bucket[$__rate_interval])))", "p50 {{model_name}}"),
             ("histogram_quantile(0.95, sum by (le, model_name) (rate(vllm:request_prompt_tokens_bucket[$__rate_interval])))", "p95 {{model_name}}")],
            "short", description="Optional: only works if this Prometheus also scrapes vLLM's own /metrics "
                                 "(aicost-exporter does not re-export vllm:* series). Empty otherwise.")
    b.panel("timeseries", "Output tokens per request, p50 / p95 (needs a vLLM scrape job)",
            [("histogram_quantile(0.5, sum by (le, model_name) (rate(vllm:request_generation_tokens_bucket[$__rate_interval])))", "p50 {{model_name}}"),
             ("histogram_quantile(0.95, sum by (le, model_name) (rate(vllm:request_generation_tokens_bucket[$__rate_interval])))", "p95 {{model_name}}")],
            "short", description="Optional: p50 and p95 of generated tokens per request from vLLM's own histogram; "
                                 "needs a Prometheus scrape job for vLLM itself. Empty otherwise.")
    return b


def triage():
    b = Board("aicost-triage", "AI spend triage",
              "The triage order of an AiCost alert, one row per question: total or one category? cost per "
              "request or volume? provider / model mix? which deployment or prompt? isolated or recurring? "
              "Set the time range to the alert's window and the variables to its labels.")
    tot = f"sum(rate(aicost_spend_usd_total{{{F}}}[{RI}])) * 3600"
    b.row("1. Did the total move, or one category?")
    b.panel("timeseries", "Spend per hour: now vs a day and a week ago",
            [(tot, "now"), (f"sum(rate(aicost_spend_usd_total{{{F}}}[{RI}] offset 1d)) * 3600", "1 day ago"),
             (f"sum(rate(aicost_spend_usd_total{{{F}}}[{RI}] offset 7d)) * 3600", "7 days ago")], "currencyUSD")
    b.panel("bargauge", "Change by category, last 24h vs the 24h before",
            [(f"sum by (category) (increase(aicost_spend_usd_total{{{F}}}[1d])) - "
              f"sum by (category) (increase(aicost_spend_usd_total{{{F}}}[1d] offset 1d))", "{{category}}")],
            "currencyUSD", instant=True)
    b.row("2. Did cost per request change (efficiency), or the number of requests (volume)?")
    b.panel("timeseries", "Requests per second: now vs a week ago",
            [(f"sum(rate(aicost_requests_total{{{F}}}[{RI}]))", "now"),
             (f"sum(rate(aicost_requests_total{{{F}}}[{RI}] offset 7d))", "7 days ago")], "reqps", w=8)
    b.panel("timeseries", "Cost per request: now vs a week ago",
            [(f"sum(rate(aicost_spend_usd_total{{{F}}}[{RI}])) / sum(rate(aicost_requests_total{{{F}}}[{RI}]))", "now"),
             (f"sum(rate(aicost_spend_usd_total{{{F}}}[{RI}] offset 7d)) / sum(rate(aicost_requests_total{{{F}}}[{RI}] offset 7d))",
              "7 days ago")], "currencyUSD", w=8, decimals=5)
    b.panel("timeseries", "Tokens per request by type",
            [(f"sum by (token_type) (rate(aicost_tokens_total{{{F}}}[{RI}])) / scalar(sum(rate(aicost_requests_total{{{F}}}[{RI}])))",
              "{{token_type}}")], "short", w=8, stack=True)
    b.row("3. Did the provider / model mix change?")
    b.panel("timeseries", "Share of spend by provider (self-hosted and managed APIs)",
            [(f"sum by (provider) (rate(aicost_spend_usd_total{{{F}}}[{RI}])) / scalar(sum(rate(aicost_spend_usd_total{{{F}}}[{RI}])))",
              "{{provider}}")], "percentunit", stack=True, w=24, h=6,
            description="Step 3. Each provider's share of spend, stacked to 100 %: self_hosted (GPU time) next "
            "to openai, anthropic and aws (Bedrock, and Cost Explorer's compute / storage / networking rows). "
            "Traffic moving from self-hosted to an API (or back) shows as bands trading places.")
    b.panel("timeseries", "Share of spend by model",
            [(f"sum by (provider, model) (rate(aicost_spend_usd_total{{{F}}}[{RI}])) / scalar(sum(rate(aicost_spend_usd_total{{{F}}}[{RI}])))",
              "{{provider}} {{model}}")], "percentunit", stack=True)
    b.panel("timeseries", "Share of requests by model",
            [(f"sum by (provider, model) (rate(aicost_requests_total{{{F}}}[{RI}])) / scalar(sum(rate(aicost_requests_total{{{F}}}[{RI}])))",
              "{{provider}} {{model}}")], "percentunit", stack=True)
    b.row("4. Which deployment, prompt or batch job changed?")
    b.panel("table", "Change by deployment, team and feature, last 24h vs the 24h before",
            [f"topk(15, sum by (deployment, model, team, feature) (increase(aicost_spend_usd_total{{{F}}}[1d])) - "
             f"sum by (deployment, model, team, feature) (increase(aicost_spend_usd_total{{{F}}}[1d] offset 1d)))"],
            "currencyUSD", instant=True, fmt="table")
    b.panel("timeseries", "Prompt tokens per request by deployment and model",
            [(f"sum by (deployment, model) (rate(aicost_tokens_total{{{F}, token_type=~\"input|cache_read|cache_write\"}}[{RI}])) / "
              f"sum by (deployment, model) (rate(aicost_requests_total{{{F}}}[{RI}]))", "{{deployment}} {{model}}")], "short",
            description="Step 4. Prompt tokens per request by deployment and model. A prompt that suddenly "
                        "carries a whole document shows here first (AiCostCostPerRequestHigh).")
    b.panel("timeseries", "Spend per hour by app_env and feature",
            [(spend("app_env, feature"), "{{app_env}} {{feature}}")], "currencyUSD", stack=True, w=24)
    b.row("5. Isolated or recurring?")
    b.panel("timeseries", "Daily spend (trailing 24h), this week vs last week",
            [(f"sum(increase(aicost_spend_usd_total{{{F}}}[1d]))", "this week"),
             (f"sum(increase(aicost_spend_usd_total{{{F}}}[1d] offset 7d))", "last week")], "currencyUSD")
    b.panel("table", "AiCost alerts that fired in the last 7 days (evaluations firing)",
            ["sort_desc(sum by (alertname, team, provider, model, deployment) "
             "(count_over_time(ALERTS{alertname=~\"AiCost.*\", alertstate=\"firing\"}[7d])))"],
            "short", instant=True, fmt="table",
            description="From Prometheus' ALERTS series: needs this Prometheus to evaluate alert-rules/alerts.yml.")
    return b


def health():
    b = Board("aicost-exporter-health", "AI cost exporter health",
              "Is the monitor itself healthy? Collector success, duration and errors, upstream calls and what "
              "they cost, series dropped by the cardinality guard, build info.",
              variables=("job", "instance"))
    b.row("Collectors")
    b.panel("stat", "Exporters up", [f"sum(up{{{FJ}}})"], "short", w=4, h=4, instant=True)
    b.panel("stat", "Collectors failing", [f"count(aicost_collector_success{{{FJ}}} == 0) or vector(0)"],
            "short", w=4, h=4, instant=True)
    b.panel("table", "Build info", [f"max by (instance, version, revision) (aicost_build_info{{{FJ}}})"], "short",
            w=16, h=4, instant=True, fmt="table")
    b.panel("timeseries", "Collector success (1 = last run succeeded)",
            [(f"min by (instance, collector) (aicost_collector_success{{{FJ}}})", "{{instance}} {{collector}}")], "short")
    b.panel("timeseries", "Time since last success",
            [(f"time() - max by (instance, collector) (aicost_collector_last_success_timestamp_seconds{{{FJ}}})",
              "{{instance}} {{collector}}")], "s", description="Seconds since each collector last succeeded, per exporter. A sawtooth up to the collector's "
                                 "interval is normal; above 15m AiCostCollectorStale fires.")
    b.panel("timeseries", "Collector run duration",
            [(f"max by (instance, collector) (aicost_collector_duration_seconds{{{FJ}}})", "{{instance}} {{collector}}")], "s")
    b.panel("timeseries", "Collector errors per second by reason",
            [(f"sum by (collector, reason) (rate(aicost_collector_errors_total{{{FJ}}}[{RI}]))", "{{collector}} {{reason}}")],
            "short")
    b.row("Upstream calls")
    b.panel("timeseries", "Upstream requests per second by outcome",
            [(f"sum by (collector, operation, outcome) (rate(aicost_upstream_requests_total{{{FJ}}}[{RI}]))",
              "{{collector}} {{operation}} {{outcome}}")], "reqps")
    b.panel("timeseries", "What the exporter spends on upstream APIs (per day)",
            [(f"sum by (collector) (increase(aicost_upstream_api_cost_usd_total{{{FJ}}}[1d]))", "{{collector}}")],
            "currencyUSD", decimals=4, description="What the exporter's own upstream calls cost over the trailing 24h, per collector: "
                                 "CloudWatch and Cost Explorer calls are billed. Weigh it against the spend it measures.")
    b.panel("stat", "Exporters' API spend, last 24h (all exporters)",
            [(f"sum by (collector) (increase(aicost_upstream_api_cost_usd_total{{{FJ}}}[1d]))", "{{collector}}")],
            "currencyUSD", w=8, h=6, instant=True, decimals=2, thresholds=((None, "green"), (5, "red")),
            description="What the exporters' own CloudWatch (GetMetricData, ListMetrics) and Cost Explorer calls "
            "cost over the last 24h, per collector. Red above $5: AiCostExporterApiSpendHigh (summed over the fleet).")
    b.panel("timeseries", "Paid API calls per hour (CloudWatch, Cost Explorer)",
            [(f"sum by (collector, operation, outcome) (increase(aicost_upstream_requests_total{{{FJ}, collector=~\"(bedrock|aws_cost_explorer)(/.*)?\"}}[1h]))",
              "{{collector}} {{operation}} {{outcome}}")], "short", w=8, h=6,
            description="Calls to paid AWS APIs per hour, by operation and outcome: GetMetricData calls per poll "
            "= ceil(queries / 500), independent of how often Prometheus scrapes. Throttled outcomes repeat calls.")
    b.panel("timeseries", "Exporters' API dollars per day, by exporter (pace of the last hour)",
            [(f"sum by (instance, collector) (rate(aicost_upstream_api_cost_usd_total{{{FJ}}}[1h])) * 86400",
              "{{instance}} {{collector}}")], "currencyUSD", w=8, h=6, decimals=2,
            description="The last hour's API spend extrapolated to a day, per exporter and collector. Two "
            "exporters with the same collector poll (and pay for) the same account twice.")
    b.panel("timeseries", "Managed collectors refused for auth (share of errors, last hour)",
            [(f"sum by (instance, collector) (increase(aicost_collector_errors_total{{{FJ}, {MC}, reason=\"auth\"}}[1h])) / "
              f"(sum by (instance, collector) (increase(aicost_collector_errors_total{{{FJ}, {MC}}}[1h])) > 0)",
              "{{instance}} {{collector}}")], "percentunit", w=24, h=6,
            description="Share of each managed collector's errors in the last hour that were reason=auth (missing, "
            "revoked or rejected admin key, expired AWS credentials). At 50 % or more while it fails: "
            "AiCostAdminKeyRejected (critical), and AiCostCollectorFailing stays quiet for it.")
    b.row("Cardinality guard")
    b.panel("timeseries", "Series dropped per hour by metric",
            [(f"sum by (metric) (increase(aicost_series_dropped_total{{{FJ}}}[1h]))", "{{metric}}")], "short", w=24,
            description="Non-zero: a metric hit limits.max_series_per_metric; spend of the dropped series is lost.")
    return b


def managed():
    b = Board("aicost-managed", "AI managed API spend",
              "OpenAI, Anthropic and Amazon Bedrock: tokens, dollars and cost per request by provider, model, "
              "project and team (attribution rules map project / API key / workspace / inference profile ids), "
              "the provider's bill against the estimate, collector health and what the exporter's own AWS calls "
              "cost. Self-hosted spend is on the overview and self-hosted dashboards.")
    b.row("Spend")
    b.panel("stat", "Managed spend, last 24h", [f"sum(increase(aicost_spend_usd_total{{{FM}}}[1d]))"], "currencyUSD",
            w=6, h=5, instant=True,
            description="Estimated dollars of managed-API usage over the last 24h: tokens x the catalog price in "
            "force when they were used. Compare with Billed yesterday below.")
    b.panel("bargauge", "By provider, last 24h", [(f"sum by (provider) (increase(aicost_spend_usd_total{{{FM}}}[1d]))",
                                                 "{{provider}}")], "currencyUSD", w=6, h=5, instant=True,
            description="Last-24h estimated spend per managed provider (aws = Bedrock and Cost Explorer rows).")
    b.panel("timeseries", "Spend per hour by provider and service", [(spend("provider, ai_service", ', provider!="self_hosted"'),
                                                                     "{{provider}} {{ai_service}}")],
            "currencyUSD", stack=True, w=12, h=5,
            description="Dollars per hour by provider and service (completions, embeddings, messages, bedrock), "
            "stacked. Usage APIs report in buckets (1m to 1h) that arrive late: the last bucket fills in later.")
    b.panel("timeseries", "Spend per hour by model", [(spend("provider, model", ', provider!="self_hosted"'),
                                                      "{{provider}} {{model}}")], "currencyUSD", stack=True,
            description="Dollars per hour by provider and model, stacked. A new band is a model rollout; a band "
            "widening with flat requests is a cost-per-request change (AiCostCostPerRequestHigh).")
    b.panel("timeseries", "Spend per hour by team and project", [(spend("team, project", ', provider!="self_hosted"'),
                                                                 "{{team}} / {{project}}")], "currencyUSD", stack=True,
            description="Dollars per hour by the team and project tags that attribution rules set from the "
            "provider's project / API key / workspace / inference-profile ids (raw ids never become labels). "
            "Empty tags: no rule matched; add one to attribution.rules.")
    b.panel("table", "Last 24h by provider, model, project, team and feature",
            [f"sort_desc(sum by (provider, model, project, team, feature) (increase(aicost_spend_usd_total{{{FM}}}[1d])))"],
            "currencyUSD", instant=True, fmt="table", w=24,
            description="Estimated spend of the last 24h per provider, model and the attribution tags mapped from "
            "project / key / workspace: who spends what on which model. Unmapped usage has empty tags.")
    b.row("Tokens, requests and unit costs")
    b.panel("timeseries", "Tokens per second by provider and type",
            [(f"sum by (provider, token_type) (rate(aicost_tokens_total{{{FM}}}[{RI}]))", "{{provider}} {{token_type}}")],
            "short", stack=True, w=8,
            description="Tokens per second by provider and type (input = uncached prompt, cache_read, cache_write, "
            "output), stacked. cache_read costs about 0.1x input: a shrinking cache_read band costs money "
            "(AiCostCacheHitDrop).")
    b.panel("timeseries", "Requests per second by provider and model",
            [(f"sum by (provider, model) (rate(aicost_requests_total{{{FM}}}[{RI}]))", "{{provider}} {{model}}")],
            "reqps", stack=True, w=8,
            description="Requests per second (Bedrock: Invocations) by provider and model, stacked: volume. Read "
            "with cost per request to tell volume from efficiency.")
    b.panel("timeseries", "Cache-hit ratio by provider and model",
            [(f"sum by (provider, model) (rate(aicost_tokens_total{{{FM}, token_type=\"cache_read\"}}[{RI}])) / "
              f"sum by (provider, model) (rate(aicost_tokens_total{{{FM}, token_type=~\"input|cache_read|cache_write\"}}[{RI}]))",
              "{{provider}} {{model}}")], "percentunit", w=8,
            description="Share of prompt tokens read from the provider's prompt cache. A fall below half its 7-day "
            "average with enough dollars at stake is AiCostCacheHitDrop.")
    b.panel("timeseries", "Cost per request by provider and model",
            [(f"sum by (provider, model) (rate(aicost_spend_usd_total{{{FM}}}[{RI}])) / "
              f"sum by (provider, model) (rate(aicost_requests_total{{{FM}}}[{RI}]))", "{{provider}} {{model}}")],
            "currencyUSD", decimals=5,
            description="Dollars per request: moves with tokens per request and the model's price. "
            "AiCostCostPerRequestHigh fires at +15 % over its 7-day mean.")
    b.panel("timeseries", "Cost per 1k tokens by provider and model",
            [(f"sum by (provider, model) (rate(aicost_spend_usd_total{{{FM}}}[{RI}])) / "
              f"sum by (provider, model) (rate(aicost_tokens_total{{{FM}}}[{RI}])) * 1000", "{{provider}} {{model}}")],
            "currencyUSD", decimals=4,
            description="Dollars per 1,000 tokens of all types: flat unless the input / output / cache mix, the "
            "service tier (batch, flex, priority) or the price changes.")
    b.panel("timeseries", "Cost per request by team and project",
            [(f"sum by (team, project) (rate(aicost_spend_usd_total{{{FM}}}[{RI}])) / "
              f"sum by (team, project) (rate(aicost_requests_total{{{FM}}}[{RI}]))", "{{team}} / {{project}}")],
            "currencyUSD", decimals=5, w=24, h=6,
            description="Dollars per request per team and project (the tags attribution rules map from the "
            "provider's project, API key or workspace ids): the unit cost of each consumer, independent of its "
            "volume. A step here with flat requests is a prompt or model change in that project.")
    b.row("Billed vs estimated (reconciliation)")
    b.panel("bargauge", "Billed yesterday (provider's cost API)",
            [(f"max by (provider) (aicost_billed_usd{{{FJ}, provider=~\"$provider\", window=\"yesterday\"}})", "{{provider}}")],
            "currencyUSD", w=6, instant=True,
            description="What the provider's own cost API says was billed for yesterday (OpenAI Costs API, "
            "Anthropic cost report, AWS Cost Explorer), in the provider's day (UTC).")
    b.panel("bargauge", "Billed month to date (provider's cost API)",
            [(f"max by (provider) (aicost_billed_usd{{{FJ}, provider=~\"$provider\", window=\"month_to_date\"}})", "{{provider}}")],
            "currencyUSD", w=6, instant=True,
            description="What the provider's cost API says was billed since the first of the month.")
    b.panel("bargauge", "Estimated month to date",
            [(f"sum by (provider) (sum_over_time({BUCKET}{{{FM}}}[$__range]))", "{{provider}}")],
            "currencyUSD", w=6, instant=True, time_from="now/M",
            description="The exporter's estimate since the first of the month (dashboard time zone, from the "
            "hourly buckets), to hold against Billed month to date. Cost Explorer's non-inference rows "
            "(compute, storage, networking) are billed amounts, not estimates.")
    b.panel("stat", "Reconciliation drift now",
            [(f"provider:aicost_reconciliation_drift_ratio:avg{{provider=~\"$provider\"}}", "{{provider}}")],
            "percentunit", w=6, instant=True, thresholds=((None, "orange"), (-0.10, "green"), (0.10, "orange")),
            description="(estimate - billed) / billed over the last complete days (7 by default), "
            "per provider. Positive: the estimate is above the bill. Beyond +-10 % at every reading for 3 days: "
            "AiCostReconciliationDrift.")
    b.panel("timeseries", "Reconciliation drift over time",
            [(f"provider:aicost_reconciliation_drift_ratio:avg{{provider=~\"$provider\"}}", "{{provider}}")],
            "percentunit", w=12,
            description="The drift gauge per provider: it moves about once a day, when a day's bill is in. One "
            "day out of line is a late or corrected bill; a level beyond +-10 % for 3 days is "
            "AiCostReconciliationDrift (see its runbook for the usual causes).")
    b.panel("timeseries", "Billed yesterday vs estimated trailing 24h",
            [(f"max by (provider) (aicost_billed_usd{{{FJ}, provider=~\"$provider\", window=\"yesterday\"}})", "{{provider}} billed yesterday"),
             (f"sum by (provider) (increase(aicost_spend_usd_total{{{FM}}}[1d]))", "{{provider}} estimated, trailing 24h")],
            "currencyUSD", w=12,
            description="The bill for yesterday (a step a day) next to the estimate of the trailing 24 hours. "
            "They match at each provider's midnight (UTC) when the estimate is right; drift is the steady gap.")
    b.row("Collectors and the exporter's own API calls")
    b.panel("timeseries", "Managed collector success (1 = last run succeeded)",
            [(f"min by (instance, collector) (aicost_collector_success{{{FJ}, {MC}}})", "{{instance}} {{collector}}")],
            "short", w=8,
            description="1 when a managed collector's last run succeeded. 0 with auth errors: "
            "AiCostAdminKeyRejected; with other errors: AiCostCollectorFailing.")
    b.panel("timeseries", "Managed collector errors per hour by reason",
            [(f"sum by (collector, reason) (increase(aicost_collector_errors_total{{{FJ}, {MC}}}[1h]))", "{{collector}} {{reason}}")],
            "short", w=8,
            description="Errors per hour by reason: auth (missing / revoked key, expired AWS credentials), "
            "rate_limited, http_status, timeout, connect, parse. auth is AiCostAdminKeyRejected's signal.")
    b.panel("timeseries", "Bedrock CloudWatch and Cost Explorer calls per hour",
            [(f"sum by (collector, operation, outcome) (increase(aicost_upstream_requests_total{{{FJ}, collector=~\"(bedrock|aws_cost_explorer)(/.*)?\"}}[1h]))",
              "{{collector}} {{operation}} {{outcome}}")], "short", w=8,
            description="ListMetrics / GetMetricData and GetCostAndUsage calls per hour by outcome. Independent of "
            "Prometheus' scrape interval: sources poll on their own interval.")
    b.panel("timeseries", "What the exporter's AWS calls cost per day",
            [(f"sum by (collector) (increase(aicost_upstream_api_cost_usd_total{{{FJ}}}[1d]))", "{{collector}}")],
            "currencyUSD", decimals=2, w=12,
            description="Dollars the exporters' own CloudWatch and Cost Explorer calls cost over the trailing 24h. "
            "Above $5/day (fleet): AiCostExporterApiSpendHigh.")
    b.panel("timeseries", "Exporter API dollars per dollar of Bedrock spend measured",
            [(f"sum(increase(aicost_upstream_api_cost_usd_total{{{FJ}, collector=~\"bedrock(/.*)?\"}}[1d])) / "
              f"sum(increase(aicost_spend_usd_total{{{FM}, provider=\"aws\", ai_service=\"bedrock\"}}[1d]))", "ratio")],
            "percentunit", w=12,
            description="The monitor's CloudWatch cost as a share of the Bedrock spend it measures, last 24h. "
            "A few percent or more: lengthen the interval or pin model_ids (runbook AiCostExporterApiSpendHigh).")
    return b


if __name__ == "__main__":
    for name, fn in (("overview", overview), ("self-hosted", selfhosted), ("triage", triage),
                     ("exporter-health", health), ("managed", managed)):
        path = os.path.join(OUT, f"aicost-{name}.json")
        with open(path, "w") as f:
            json.dump(fn().json(), f, indent=2)
            f.write("\n")
        print("wrote", path)
