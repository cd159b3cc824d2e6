#!/usr/bin/env python3
"""Generates the Grafana dashboards in dashboards/*.json (import-ready; plain JSON is what ships).

The four dashboards share variables, datasource wiring and panel defaults; writing them through one
script keeps those identical. Edit this file, then run

    python3 dashboards/src/generate.py

and commit both. The JSON files are the product: Grafana never sees this script.
Conventions (style.md): a `datasource` variable used by every panel and target, job / instance / team /
provider / model / deployment variables, `$__rate_interval`, `sum by (...)` so several exporters (one
per GPU node) add up, a unit on every panel, stable uids, tag `aicost`, `__inputs` for "Import dashboard".
"""
import json
import os

OUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DS = {"type": "prometheus", "uid": "${datasource}"}
RI = "$__rate_interval"

# Label filters. Usage / spend series carry every variable; GPU series carry deployment; others less.
F = 'job=~"$job", instance=~"$instance", team=~"$team", provider=~"$provider", model=~"$model", deployment=~"$deployment"'
FU = 'job=~"$job", instance=~"$instance", provider=~"$provider", model=~"$model"'          # unpriced
FG = 'job=~"$job", instance=~"$instance", deployment=~"$deployment"'                       # GPU by deployment
FJ = 'job=~"$job", instance=~"$instance"'                                                  # per GPU / health
FS = F.replace('provider=~"$provider"', 'provider="self_hosted"')                        # self-hosted usage
L = "provider, deployment, model, team, cost_center"


class Board:
    def __init__(self, uid, title, description, variables=("job", "instance", "team", "provider", "model", "deployment")):
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

    def text(self, title, content, w=24, h=4):
        self.types.add("text")
        self.panels.append({"type": "text", "id": self._id(), "title": title, "datasource": DS,
                            "gridPos": self._place(w, h), "options": {"mode": "markdown", "content": content}})

    def panel(self, kind, title, targets, unit, w=12, h=8, description="", stack=False, decimals=None,
              instant=False, fmt=None, time_from=None, legend_calcs=("mean", "lastNotNull"), options=None,
              overrides=None):
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
        p = {"type": kind, "id": self._id(), "title": title, "description": description, "datasource": DS,
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
            "provider": 'label_values(aicost_spend_usd_total{job=~"$job", instance=~"$instance"}, provider)',
            "model": 'label_values(aicost_spend_usd_total{job=~"$job", instance=~"$instance", provider=~"$provider"}, model)',
            "deployment": 'label_values(aicost_spend_usd_total{job=~"$job", instance=~"$instance", provider=~"$provider"}, deployment)',
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


def spend(by, extra=""):
    return f"sum by ({by}) (rate(aicost_spend_usd_total{{{F}{extra}}}[{RI}])) * 3600"


def overview():
    b = Board("aicost-overview", "AI spend overview",
              "The morning view: what we spend now, what moved, unit costs, unpriced usage. Spend = estimated "
              "dollars from aicost-exporter (token prices and GPU time).")
    b.row("Spend")
    tot = lambda w, off="": f"sum(increase(aicost_spend_usd_total{{{F}}}[{w}]{off}))"
    b.panel("stat", "Today so far", [f"sum(increase(aicost_spend_usd_total{{{F}}}[$__range]))"], "currencyUSD",
            w=4, h=4, time_from="now/d", description="Since midnight (dashboard time zone).")
    b.panel("stat", "Last 24h", [tot("1d")], "currencyUSD", w=4, h=4, instant=True)
    b.panel("stat", "Previous 24h", [tot("1d", " offset 1d")], "currencyUSD", w=4, h=4, instant=True,
            description="The 24 hours before the last 24 hours (yesterday, trailing).")
    b.panel("stat", "Last 7 days", [tot("7d")], "currencyUSD", w=4, h=4, instant=True)
    b.panel("stat", "Last 30 days", [tot("30d")], "currencyUSD", w=4, h=4, instant=True)
    b.panel("stat", "Spend rate now (per day)", [f"sum(rate(aicost_spend_usd_total{{{F}}}[1h])) * 86400"],
            "currencyUSD", w=4, h=4, instant=True, description="Last hour's pace, extrapolated to a day.")
    b.row("Spend over time (per hour)")
    b.panel("timeseries", "By category", [(spend("category"), "{{category}}")], "currencyUSD", stack=True)
    b.panel("timeseries", "By provider", [(spend("provider"), "{{provider}}")], "currencyUSD", stack=True)
    b.panel("timeseries", "By model", [(spend("provider, model"), "{{provider}} {{model}}")], "currencyUSD", stack=True)
    b.panel("timeseries", "By deployment", [(spend("deployment"), "{{deployment}}")], "currencyUSD", stack=True,
            description="Empty deployment = API usage (no self-hosted deployment).")
    b.panel("timeseries", "By team", [(spend("team, cost_center"), "{{team}} ({{cost_center}})")], "currencyUSD", stack=True)
    b.panel("timeseries", "Daily spend by provider (trailing 24h)",
            [(f"sum by (provider) (increase(aicost_spend_usd_total{{{F}}}[1d]))", "{{provider}}")], "currencyUSD")
    b.row("Top movers")
    mv = lambda by, w: (f"topk(10, sum by ({by}) (increase(aicost_spend_usd_total{{{F}}}[{w}])) - "
                        f"sum by ({by}) (increase(aicost_spend_usd_total{{{F}}}[{w}] offset {w})))")
    b.panel("table", "Day over day: model and team (last 24h minus the 24h before)",
            [mv("provider, model, team", "1d")], "currencyUSD", instant=True, fmt="table")
    b.panel("table", "Week over week: category and provider (last 7d minus the 7d before)",
            [mv("category, provider", "7d")], "currencyUSD", instant=True, fmt="table")
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
            description="Tokens that matched no price. Should be 0: add prices to pricing.models.")
    b.panel("timeseries", "Unpriced tokens per second by model",
            [(f"sum by (provider, model, token_type) (rate(aicost_unpriced_tokens_total{{{FU}}}[{RI}]))",
              "{{provider}} {{model}} {{token_type}}")], "short", w=18)
    b.row("Month to date, forecast and budget")
    b.text("Budgets (coming with the budgets capability)",
           "Month-to-date spend, month-end forecast and variance against each budget will appear here "
           "(`aicost_budget_spend_month_to_date_usd`, `aicost_budget_forecast_month_end_usd`, "
           "`aicost_budget_usd`, `aicost_budget_variance_ratio`). Until then use **Last 30 days** above.")
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
            description="All GPU dollars of the deployment divided by its tokens: what you really pay.")
    b.panel("timeseries", "$/1k tokens per deployment, busy time only",
            [(f"{gpu_busy} / {toks} * 1000", "{{deployment}}")], "currencyUSD", decimals=4,
            description="What a perfectly packed GPU would cost; the gap to the left panel is idle time.")
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
    b.panel("timeseries", "Non-token spend per hour (GPU time, energy) by service",
            [(f"sum by (service, category) (rate(aicost_spend_usd_total{{{F}, token_type=\"\"}}[{RI}])) * 3600",
              "{{service}} {{category}}")], "currencyUSD", w=6,
            description="Spend with no token type: GPU hours and energy priced by the exporter.")
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
            "short", description="Optional: needs a Prometheus scrape job for vLLM itself.")
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
            description="A prompt that suddenly carries a whole document shows here first.")
    b.panel("timeseries", "Spend per hour by environment and feature",
            [(spend("environment, feature"), "{{environment}} {{feature}}")], "currencyUSD", stack=True, w=24)
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
              "{{instance}} {{collector}}")], "s", description="AiCostCollectorStale fires above 15m.")
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
            "currencyUSD", decimals=4, description="CloudWatch and Cost Explorer calls are billed.")
    b.row("Cardinality guard")
    b.panel("timeseries", "Series dropped per hour by metric",
            [(f"sum by (metric) (increase(aicost_series_dropped_total{{{FJ}}}[1h]))", "{{metric}}")], "short", w=24,
            description="Non-zero: a metric hit limits.max_series_per_metric; spend of the dropped series is lost.")
    return b


if __name__ == "__main__":
    for name, fn in (("overview", overview), ("self-hosted", selfhosted), ("triage", triage),
                     ("exporter-health", health)):
        path = os.path.join(OUT, f"aicost-{name}.json")
        with open(path, "w") as f:
            json.dump(fn().json(), f, indent=2)
            f.write("\n")
        print("wrote", path)
