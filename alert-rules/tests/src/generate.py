#!/usr/bin/env python3
"""Generates the promtool unit tests in alert-rules/tests/*.yml.

Realistic quiet cases need long, noisy series (days of diurnal traffic at 1-minute or 30-minute steps),
which nobody should type by hand. This script builds them with a fixed random seed, computes the values
the alerts must report (dollars per day) from the very numbers it writes, and emits plain YAML that
`promtool test rules` runs. The generated files are committed; re-run after changing a case:

    python3 alert-rules/tests/src/generate.py && promtool test rules alert-rules/tests/*.yml

Time 0 of every test is promtool's epoch start; "day N" below means [N*24h, (N+1)*24h).
"""
import math
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)
# promtool evaluates every group at every step, ignoring `interval:`. aicost.daily runs before aicost.hourly
# so that, at promtool's inclusive range ends, a 1d window of buckets holds 24 of them (the bucket of the
# current step is not written yet): what production sees with the groups at different phases.
GROUPS = ("aicost.rates", "aicost.daily", "aicost.hourly", "aicost.efficiency", "aicost.baselines",
          "aicost.alerts.spend", "aicost.alerts.efficiency", "aicost.managed", "aicost.budgets",
          "aicost.alerts.exporter", "aicost.alerts.managed", "aicost.alerts.budgets")
TRIAGE = ("/d/aicost-triage/ai-spend-triage?from={}&to=now&var-provider={}&var-model={}&var-deployment={}"
          "&var-team={}&var-cost_center={}")
RUNBOOK = "https://github.com/aicost-exporter/aicost-exporter/blob/main/docs/runbooks/{}.md"
ATTR = ("team", "project", "app_env", "cost_center", "feature")


def fmt(x):
    s = f"{x:.6f}".rstrip("0").rstrip(".")
    return s if s not in ("", "-0") else "0"


def level(hour, weekend_days=(), weekend_factor=0.4):
    """Diurnal load in 0..1: a business-day bump peaking at 13:00 over a 20 % floor."""
    day, h = divmod(hour, 24.0)
    v = 0.2 + 0.8 * math.exp(-(((h - 13.0) / 4.0) ** 2))
    return v * (weekend_factor if int(day) in weekend_days else 1.0)


class Counter:
    """A counter sampled every `step` minutes; values are kept exactly as written to YAML."""

    def __init__(self, steps, per_step, reset_at=(), start=0.0, absent_before=0):
        self.values = []
        v = start
        for i in range(steps):
            if i in reset_at:
                v = 0.0
            self.values.append(None if i < absent_before else float(fmt(v)))
            if i >= absent_before:
                v += per_step(i)

    def text(self):
        return " ".join("_" if v is None else fmt(v) for v in self.values)


def labels(name, **kv):
    return name + "{" + ", ".join(f'{k}="{v}"' for k, v in kv.items()) + "}"


def usage_labels(provider, ai_service, deployment, model, team, cost_center, **extra):
    d = dict(provider=provider, ai_service=ai_service, deployment=deployment, model=model)
    d.update(extra)
    d.update(team=team, project="", app_env="prod", cost_center=cost_center, feature="")
    return d


def series(name, lbls, counter):
    return f"      - series: '{labels(name, **lbls)}'\n        values: '{counter.text()}'\n"


def q(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Stream:
    """One (provider, deployment, model, team) stream: tokens by type, requests and spend.

    Token-priced streams (API) book spend per token type; a capacity-priced stream (self-hosted GPUs)
    books `capacity(i)` dollars per step with token_type="", as the exporter does for GPU time.
    """

    def __init__(self, steps, step_min, provider, ai_service, deployment, model, team, cost_center,
                 load, tokens_per_req=(1500, 300), usd_per_token=(2.5e-6, 10e-6), peak_rpm=20.0,
                 reset_at=(), absent_before=0, category="inference", rng=None, capacity=None):
        self.l = dict(provider=provider, ai_service=ai_service, deployment=deployment, model=model,
                      team=team, cost_center=cost_center)
        # per-step request counts, shared by all counters of the stream
        reqs = []
        for i in range(steps):
            reqs.append(0.0 if i < absent_before else load(i) * peak_rpm * step_min)
        self.reqs = reqs
        self.category = category
        tpr = tokens_per_req if callable(tokens_per_req) else (lambda i, t=tokens_per_req: t)
        self.tpr = tpr
        mk = lambda f: Counter(steps, f, reset_at, absent_before=absent_before)
        self.requests = mk(lambda i: reqs[i])
        self.tin = mk(lambda i: reqs[i] * tpr(i)[0])
        self.tout = mk(lambda i: reqs[i] * tpr(i)[1])
        if capacity is None:
            self.spend_by_type = {"input": mk(lambda i: reqs[i] * tpr(i)[0] * usd_per_token[0]),
                                  "output": mk(lambda i: reqs[i] * tpr(i)[1] * usd_per_token[1])}
        else:
            self.spend_by_type = {"": mk(capacity)}
        # the stream's total spend, as the rules sum it
        parts = list(self.spend_by_type.values())
        self.spend = Counter(0, None)
        self.spend.values = [None if parts[0].values[i] is None else sum(c.values[i] for c in parts) for i in range(steps)]

    def yaml(self):
        p = self.l
        base = lambda **x: usage_labels(p["provider"], p["ai_service"], p["deployment"], p["model"], p["team"],
                                        p["cost_center"], **x)
        out = series("aicost_requests_total", base(), self.requests)
        out += series("aicost_tokens_total", base(token_type="input"), self.tin)
        out += series("aicost_tokens_total", base(token_type="output"), self.tout)
        for tt, c in self.spend_by_type.items():
            out += series("aicost_spend_usd_total", usage_labels(p["provider"], p["ai_service"], p["deployment"], p["model"],
                          p["team"], p["cost_center"], category=self.category, token_type=tt), c)
        return out


def noisy(rng, base_fn, amp=0.15):
    cache = {}

    def f(i):
        if i not in cache:
            cache[i] = base_fn(i) * (1.0 + rng.uniform(-amp, amp))
        return cache[i]
    return f


def routing(alert, severity, p, extra=None):
    d = {"severity": severity, "provider": p["provider"], "deployment": p["deployment"], "model": p["model"],
         "team": p["team"], "cost_center": p["cost_center"]}
    d.update(extra or {})
    return {k: v for k, v in d.items() if v != ""}  # Prometheus drops empty labels


def alert_block(eval_time, alertname, alerts):
    out = f"      - eval_time: {eval_time}\n        alertname: {alertname}\n"
    if not alerts:
        return out + "        exp_alerts: []\n"
    out += "        exp_alerts:\n"
    for lbls, ann in alerts:
        out += "          - exp_labels:\n"
        for k, v in lbls.items():
            out += f"              {k}: {q(v)}\n"
        out += "            exp_annotations:\n"
        for k, v in ann.items():
            out += f"              {k}: {q(v)}\n"
    return out


def header(comment):
    return ("# GENERATED by alert-rules/tests/src/generate.py -- edit the generator, not this file.\n"
            + "".join(f"# {line}\n" for line in comment.strip().splitlines())
            + "rule_files:\n  - ../rules.yml\n  - ../alerts.yml\n"
            # Recording rules before the alerts that read them, as a production evaluation at the same instant
            # would see them at best; production may add up to one evaluation interval of lag.
            + "group_eval_order:\n" + "".join(f"  - {g}\n" for g in GROUPS))


def money(x):
    return f"{x:.2f}"


def urlq(v):
    """Go's url.QueryEscape, as the `urlquery` template function applies it."""
    from urllib.parse import quote_plus
    return quote_plus(v, safe="")


def triage_url(frm, p):
    return TRIAGE.format(frm, *(urlq(p[k]) for k in ("provider", "model", "deployment", "team", "cost_center")))


# ----------------------------------------------------------------------------------------------------
# Runaway usage: 1-minute samples.
def runaway_ann(p, v):
    return {
        "summary": f"Runaway usage on {p['provider']}/{p['model']} ({p['deployment']}): more than 3x its usual rate.",
        "description": (
            f"The token or request rate of provider={p['provider']} model={p['model']} "
            f"deployment={p['deployment']} is more than 3x its 7-day p90 baseline. At the current rate "
            f"this stream costs ${money(v)} per day. Routing: team={p['team']} "
            f"cost_center={p['cost_center']}. Look for a retry loop, an agent loop or a batch job started "
            f"by mistake; stop it first, investigate after."),
        "runbook_url": RUNBOOK.format("AiCostRunawayUsage"),
        "dashboard_url": triage_url("now-6h", p),
    }


def runaway_week():
    """A 5x step on a series with a week of history: the baseline's whole window. Its own file, evaluated
    every 2 minutes: promtool refuses a range of more than 10,000 samples of one series (a week of 1m
    rule results) and a week of 1m evaluations takes minutes; the 1m input samples stay."""
    step = 1
    spike_w = (7 * 24 + 11) * 60  # day 7, 11:00
    out = header("""
AiCostRunawayUsage: a 5x step in traffic on a series with a week of history (the baseline's whole 7-day
window) fires within 5 minutes. 1-minute samples, evaluated every 2 minutes (promtool caps a range at
10,000 samples of one series).""")
    out += "evaluation_interval: 2m\ntests:\n"
    base = noisy(random.Random(43), lambda i: level(i / 60.0))
    flat = level(spike_w / 60.0)
    s_week = Stream(spike_w + 12, step, "self_hosted", "vllm", "demo-llama", "meta-llama/Llama-3.1-8B-Instruct",
                    "search", "CC-1001", lambda i: base(i) if i < spike_w else 5 * flat,
                    tokens_per_req=(1000, 250), usd_per_token=(2e-6, 6e-6))
    p = s_week.l
    out += "  - name: runaway fires within 5 minutes of a 5x step on a series with a week of history\n"
    out += "    interval: 1m\n    input_series:\n" + s_week.yaml()
    out += "    alert_rule_test:\n"
    for t in (3 * 24 * 60 + 13 * 60, 5 * 24 * 60 + 3 * 60, spike_w - 2, spike_w + 2):
        out += alert_block(f"{t}m", "AiCostRunawayUsage", [])
    # pending at +2m (rate2m of the step), firing at +4m once `for: 2m` has passed
    for minute in (4, 10):
        v = (s_week.spend.values[spike_w + minute] - s_week.spend.values[spike_w + minute - 5]) / 300 * 86400
        out += alert_block(f"{spike_w + minute}m", "AiCostRunawayUsage",
                           [(routing("AiCostRunawayUsage", "critical", p), runaway_ann(p, v))])
    return out


def runaway():
    step = 1
    spike_at = 35 * 60  # day 1, 11:00
    steps = spike_at + 12
    rng = random.Random(42)
    out = header("""
AiCostRunawayUsage: a 5x step in traffic on a series with 35 hours of history fires within 5 minutes
(runaway_week.yml: with a week); diurnal noise, a counter reset, a new model appearing and a young series
stay quiet. 1-minute samples.""")
    out += "evaluation_interval: 1m\ntests:\n"

    # Fires: steady diurnal traffic with noise, then 5x from the spike on (noiseless after the step so
    # the reported dollars per day are exact).
    def fire_stream(steps, spike_at, rng):
        base = noisy(rng, lambda i: level(i / 60.0))
        flat = level(spike_at / 60.0)
        return Stream(steps, step, "self_hosted", "vllm", "demo-llama", "meta-llama/Llama-3.1-8B-Instruct",
                      "search", "CC-1001", lambda i: base(i) if i < spike_at else 5 * flat,
                      tokens_per_req=(1000, 250), usd_per_token=(2e-6, 6e-6))

    def fire_checks(s_fire, spike_at, quiet=(1, 2, 3), firing=(4, 5, 10)):
        out = ""
        p = s_fire.l
        for minute in quiet:  # pending from +2m (rate2m above 3x), firing once `for: 2m` has passed
            out += alert_block(f"{spike_at + minute}m", "AiCostRunawayUsage", [])
        for minute in firing:
            # $value = spend rate5m * 86400; the last 5 minutes are all at the flat 5x rate.
            v = (s_fire.spend.values[spike_at + minute] - s_fire.spend.values[spike_at + minute - 5]) / 300 * 86400
            out += alert_block(f"{spike_at + minute}m", "AiCostRunawayUsage",
                               [(routing("AiCostRunawayUsage", "critical", p), runaway_ann(p, v))])
        return out

    s_fire = fire_stream(steps, spike_at, rng)
    # Quiet: a second stream with the same diurnal noise and a counter reset (exporter restart) at 03:00.
    s_reset = Stream(steps, step, "openai", "openai_completions", "", "gpt-4o", "assistant", "CC-2002",
                     noisy(rng, lambda i: level(i / 60.0)), reset_at=(27 * 60,))
    # Quiet: a new model appearing at 09:00 on day 1 with its full traffic at once (a rollout).
    s_new = Stream(steps, step, "openai", "openai_completions", "", "gpt-4.1-mini", "assistant", "CC-2002",
                   noisy(rng, lambda i: level(i / 60.0)), absent_before=33 * 60, usd_per_token=(0.4e-6, 1.6e-6))

    out += "  - name: runaway fires within 5 minutes of a 5x step; reset and new model stay quiet\n"
    out += "    interval: 1m\n    input_series:\n"
    out += s_fire.yaml() + s_reset.yaml() + s_new.yaml()
    out += "    alert_rule_test:\n"
    out += fire_checks(s_fire, spike_at)
    p = s_fire.l
    # Before the spike: a full day and a half of diurnal traffic, the reset and the new model: nothing.
    for t in (13 * 60, 27 * 60 + 3, 33 * 60 + 3, 33 * 60 + 15, 34 * 60 + 59):
        out += alert_block(f"{t}m", "AiCostRunawayUsage", [])
    # Recording rules on the same data.
    out += "    promql_expr_test:\n"
    t = spike_at + 10
    v5 = (s_fire.requests.values[t] - s_fire.requests.values[t - 5]) / 300
    out += (f"      - expr: provider_deployment_model_team_cost_center:aicost_requests:rate5m{{model=\"{p['model']}\"}}\n"
            f"        eval_time: {t}m\n        exp_samples:\n"
            f"          - labels: 'provider_deployment_model_team_cost_center:aicost_requests:rate5m{{provider=\"self_hosted\", deployment=\"demo-llama\", model=\"{p['model']}\", team=\"search\", cost_center=\"CC-1001\"}}'\n"
            f"            value: {v5!r}\n")
    out += ("      # The baseline ignores the last 10 minutes, so 10 minutes into the spike it has not moved.\n"
            f"      - expr: provider_deployment_model_team_cost_center:aicost_tokens:rate5m_p90_7d{{model=\"{p['model']}\"}} < bool 1.1 * (provider_deployment_model_team_cost_center:aicost_tokens:rate5m_p90_7d{{model=\"{p['model']}\"}} offset 10m)\n"
            f"        eval_time: {t}m\n        exp_samples:\n"
            f"          - labels: '{{provider=\"self_hosted\", deployment=\"demo-llama\", model=\"{p['model']}\", team=\"search\", cost_center=\"CC-1001\"}}'\n"
            f"            value: 1\n")

    # Young series: Prometheus (or the stream) starts with steady traffic well above the $24/day floor. A
    # 5m rate under-reads for the first 5 minutes; without the guard the baseline, a p90 of those first
    # minutes, was a fraction of the real rate and the alert went pending about 10 minutes in.
    steps_y = 4 * 60
    rng_y = random.Random(5)
    s_y = Stream(steps_y, step, "self_hosted", "vllm", "demo-qwen", "Qwen/Qwen2.5-7B-Instruct", "assistant", "CC-2002",
                 noisy(rng_y, lambda i: 0.8, amp=0.1), tokens_per_req=(1000, 250), usd_per_token=(2e-6, 6e-6))
    out += "  - name: runaway stays quiet on a young series (steady traffic from Prometheus' start)\n"
    out += "    interval: 1m\n    input_series:\n" + s_y.yaml()
    out += "    alert_rule_test:\n"
    for t in (5, 10, 11, 12, 13, 15, 20, 30, 45, 60, 71, 80, 90, 120, 180, steps_y - 1):
        out += alert_block(f"{t}m", "AiCostRunawayUsage", [])
    out += "    promql_expr_test:\n"
    # Not even pending (a critical alert pending shows on every Prometheus and Grafana alert list): the
    # ALERTS series, pending or firing, never existed over the whole 4 hours.
    out += ("      - expr: count_over_time(ALERTS{alertname=\"AiCostRunawayUsage\"}[4h])\n"
            f"        eval_time: {steps_y - 1}m\n        exp_samples: []\n")
    out += ("      # The baseline exists once the stream has 70 minutes of 5m rates (10-minute exclusion + 1 hour).\n"
            "      - expr: count(provider_deployment_model_team_cost_center:aicost_tokens:rate5m_p90_7d)\n"
            "        eval_time: 70m\n        exp_samples: []\n"
            "      - expr: count(provider_deployment_model_team_cost_center:aicost_tokens:rate5m_p90_7d)\n"
            "        eval_time: 75m\n        exp_samples:\n          - labels: '{}'\n            value: 1\n")

    # Weekend: Friday, a quiet weekend at 40 %, then Monday's ramp back to full load: quiet throughout.
    steps_w = (3 * 24 + 16) * 60
    rng_w = random.Random(7)
    s_w = Stream(steps_w, step, "anthropic", "anthropic_messages", "", "claude-sonnet-4", "support", "CC-3003",
                 noisy(rng_w, lambda i: level(i / 60.0, weekend_days=(1, 2))), usd_per_token=(3e-6, 15e-6))
    out += "  - name: runaway stays quiet through a weekend dip and the Monday ramp\n"
    out += "    interval: 1m\n    input_series:\n" + s_w.yaml()
    out += "    alert_rule_test:\n"
    for t in (10 * 60, 26 * 60, 50 * 60, 72 * 60 + 9 * 60, 72 * 60 + 11 * 60, 72 * 60 + 13 * 60, steps_w - 1):
        out += alert_block(f"{t}m", "AiCostRunawayUsage", [])
    return out


# ----------------------------------------------------------------------------------------------------
# Daily and weekly spend: 30-minute samples over 16 days, evaluated hourly. The daily and weekly totals
# are sums of the hourly buckets (rules.yml, aicost.hourly), which assume one bucket per hour: promtool
# evaluates every group at every step, so this file steps by 1h like production's bucket group.
def bucket_sum(c, i, n, k=2):
    """What sum_over_time(bucket[n steps]) sees at step i, the daily group running before the hourly one:
    the buckets written at steps i-n .. i-k (k steps = 1h), each v(h) - v(h - 1h): v(i-k) - v(i-n-k)."""
    return c.values[i - k] - c.values[i - n - k]


def daily():
    step = 30
    per_day = 48
    days = 16
    steps = days * per_day + 1
    weekend = (5, 6, 12, 13)
    rng = random.Random(11)
    out = header("""
AiCostDailySpendJump and AiCostCategoryWeekOverWeek over 16 days of 30-minute samples, evaluated hourly:
diurnal traffic with noise and weekends (days 5-6 and 12-13) stay quiet; a prompt that grows by a whole
document fires the daily jump; a category growing 50 % week over week fires its alert.""")
    out += "evaluation_interval: 1h\ntests:\n"

    hour = lambda i: i * step / 60.0
    # Day 14 from 00:00 on: each request carries a whole document (+2,000 input tokens).
    change = 14 * per_day
    tpr = lambda i: (2000 + 2000, 400) if i >= change else (2000, 400)
    s_jump = Stream(steps, step, "openai", "openai_completions", "", "gpt-4o", "search", "CC-1001",
                    noisy(rng, lambda i: level(hour(i), weekend)), tokens_per_req=tpr, peak_rpm=60)
    # Quiet: same shape, no change, with a counter reset on day 9 and the weekends.
    s_quiet = Stream(steps, step, "anthropic", "anthropic_messages", "", "claude-sonnet-4", "assistant", "CC-2002",
                     noisy(rng, lambda i: level(hour(i), weekend)), reset_at=(9 * per_day + 7,),
                     usd_per_token=(3e-6, 15e-6), peak_rpm=60)
    # Quiet: a new model appearing on day 13 (a rollout moving part of a team's traffic).
    s_new = Stream(steps, step, "openai", "openai_completions", "", "gpt-4.1", "assistant", "CC-2002",
                   noisy(rng, lambda i: level(hour(i), weekend)), absent_before=13 * per_day + 20,
                   usd_per_token=(2e-6, 8e-6), peak_rpm=60)
    # Category movement: team "data" runs orchestration (batch) jobs that grow silently, 8 % a day from
    # day 7 on (batch jobs run at weekends too): never a daily jump, but +25 % week over week by day 15.
    grow = lambda i: (1.0 + 0.08 * max(0.0, hour(i) / 24.0 - 7)) * level(hour(i))
    s_cat = Stream(steps, step, "aws", "bedrock", "", "anthropic.claude-3-haiku", "data", "CC-4004",
                   noisy(rng, grow, amp=0.05), category="orchestration", usd_per_token=(0.25e-6, 1.25e-6), peak_rpm=300)

    out += "  - name: daily jump and category week over week\n"
    out += f"    interval: {step}m\n    input_series:\n"
    out += s_jump.yaml() + s_quiet.yaml() + s_new.yaml() + s_cat.yaml()
    out += "    alert_rule_test:\n"

    # Daily jump at day 14, 20:00: the trailing 24h (of hourly buckets) hold 19h of bigger prompts.
    t = change + 40
    p = s_jump.l
    v = bucket_sum(s_jump.spend, t, per_day) - bucket_sum(s_jump.spend, t - per_day, per_day)
    ann = {
        "summary": f"Daily spend on {p['provider']}/{p['model']} jumped more than 20 % day over day.",
        "description": (
            f"Spend over the last 24h for provider={p['provider']} model={p['model']} "
            f"deployment={p['deployment']} is ${money(v)} per day above the 24h before "
            f"(threshold +20 % and at least $50/day). Routing: team={p['team']} "
            f"cost_center={p['cost_center']}. Triage: one category or all? cost per request or volume? "
            f"model mix? which deployment or prompt changed?"),
        "runbook_url": RUNBOOK.format("AiCostDailySpendJump"),
        "dashboard_url": triage_url("now-2d", p),
    }
    # Quiet all along before the change: weekdays, weekends, the Monday after each weekend (days 7, 14),
    # the reset (day 9) and the new model (day 13-14).
    for d, h in ((3, 14), (5, 12), (6, 20), (7, 10), (7, 20), (8, 12), (9, 6), (9, 20), (12, 12), (13, 22), (14, 1)):
        out += alert_block(f"{d * 24 + h}h", "AiCostDailySpendJump", [])
    out += alert_block(f"{t * step}m", "AiCostDailySpendJump", [(routing("", "warning", p), ann)])

    # Category week over week on day 15, 12:00: the last 7 days ran 50 % above the 7 before.
    t3 = 15 * per_day + 24
    c = s_cat
    v3 = (bucket_sum(c.spend, t3, 7 * per_day) - bucket_sum(c.spend, t3 - 7 * per_day, 7 * per_day)) / 7
    ann3 = {
        "summary": "orchestration spend of team data grew more than 25 % week over week.",
        "description": (
            "Spend in category=orchestration over the last 7 days is more than 25 % above the 7 days "
            f"before: ${money(v3)} per day more on average. Routing: team=data "
            "cost_center=CC-4004. Break it down by provider, model and deployment on the "
            "triage dashboard."),
        "runbook_url": RUNBOOK.format("AiCostCategoryWeekOverWeek"),
        "dashboard_url": "/d/aicost-triage/ai-spend-triage?from=now-14d&to=now&var-team=data&var-cost_center=CC-4004",
    }
    for d, h in ((8, 12), (10, 12), (12, 12)):
        out += alert_block(f"{d * 24 + h}h", "AiCostCategoryWeekOverWeek", [])
    out += alert_block(f"{t3 * step}m", "AiCostCategoryWeekOverWeek",
                       [({"severity": "warning", "category": "orchestration", "team": "data", "cost_center": "CC-4004"}, ann3)])

    # Recording rules on the same data.
    out += "    promql_expr_test:\n"
    vq = bucket_sum(s_quiet.spend, 4 * per_day, per_day)
    out += ("      - expr: provider_deployment_model_team_cost_center:aicost_spend_usd:increase1d{model=\"claude-sonnet-4\"}\n"
            f"        eval_time: 96h\n        exp_samples:\n"
            "          - labels: 'provider_deployment_model_team_cost_center:aicost_spend_usd:increase1d{provider=\"anthropic\", deployment=\"\", model=\"claude-sonnet-4\", team=\"assistant\", cost_center=\"CC-2002\"}'\n"
            f"            value: {vq!r}\n")
    out += ("      - expr: category_team_cost_center:aicost_spend_usd:increase7d{team=\"data\"}\n"
            f"        eval_time: {t3 * step}m\n        exp_samples:\n"
            "          - labels: 'category_team_cost_center:aicost_spend_usd:increase7d{category=\"orchestration\", team=\"data\", cost_center=\"CC-4004\"}'\n"
            f"            value: {bucket_sum(c.spend, t3, 7 * per_day)!r}\n")
    return out


# ----------------------------------------------------------------------------------------------------
# Cost per request: 15-minute samples over 16 days, evaluated every 15 minutes. The alert compares ratios
# of hourly buckets (spend / requests, dollars / tokens), so promtool's bucket every step cancels out.
def noisy_pair(rng, base, amp):
    cache = {}

    def f(i):
        if i not in cache:
            cache[i] = tuple(x * (1.0 + rng.uniform(-amp, amp)) for x in base(i))
        return cache[i]
    return f


def cost_per_request():
    step = 15
    per_day = 96
    hr = 4  # steps per hour
    days = 16
    steps = days * per_day + 1
    weekend = (5, 6, 12, 13)
    rng = random.Random(23)
    out = header("""
AiCostCostPerRequestHigh over 16 days of 15-minute samples. A capacity-priced (self-hosted) deployment
through a realistic fortnight - diurnal swing, weekends at 60 %, noise in traffic and in tokens per
request, a counter reset (restart) and a new model taking a share of the same GPUs - fires nothing,
although its dollars per request double every night. A pay-per-token stream whose prompts grow 40 % per
request fires within 3 hours.""")
    out += "evaluation_interval: 15m\ntests:\n"
    hour = lambda i: i * step / 60.0
    load = lambda i: level(hour(i), weekend, weekend_factor=0.6)

    # Pay-per-token: prompts grow 40 % (2,000 -> 2,800 input tokens) on day 15 at 09:00.
    change = 15 * per_day + 9 * hr
    api_tpr = noisy_pair(rng, lambda i: (2800 if i >= change else 2000, 400), 0.08)
    s_api = Stream(steps, step, "openai", "openai_completions", "", "gpt-4o", "search", "CC-1001",
                   noisy(rng, load), tokens_per_req=api_tpr, peak_rpm=60)
    # Capacity-priced: 8 GPUs at $3.90/h, whatever the traffic, split between the deployment's models by
    # token share. Restart on day 10 at 04:00 (every counter of the deployment resets); a second model
    # takes ~30 % of the traffic from day 11 10:00.
    gpu_per_step = 8 * 3.90 * step / 60.0
    new_at = 11 * per_day + 10 * hr
    restart = (10 * per_day + 4 * hr,)
    llama_load = noisy(rng, load)
    qwen_load = noisy(rng, lambda i: 0.45 * load(i))
    llama_tpr = noisy_pair(rng, lambda i: (1800, 350), 0.1)
    qwen_tpr = noisy_pair(rng, lambda i: (900, 250), 0.1)
    tok = lambda ld, tp, i: ld(i) * sum(tp(i))
    share = lambda mine, i: mine(i) / (tok(llama_load, llama_tpr, i) + (tok(qwen_load, qwen_tpr, i) if i >= new_at else 0.0))
    s_llama = Stream(steps, step, "self_hosted", "vllm", "llama-prod", "meta-llama/Llama-3.3-70B-Instruct", "search",
                     "CC-1001", llama_load, tokens_per_req=llama_tpr, peak_rpm=40, reset_at=restart,
                     capacity=lambda i: gpu_per_step * share(lambda j: tok(llama_load, llama_tpr, j), i))
    s_qwen = Stream(steps, step, "self_hosted", "vllm", "llama-prod", "Qwen/Qwen2.5-72B-Instruct", "assistant",
                    "CC-2002", qwen_load, tokens_per_req=qwen_tpr, peak_rpm=40, absent_before=new_at,
                    capacity=lambda i: gpu_per_step * share(lambda j: tok(qwen_load, qwen_tpr, j), i))

    out += "  - name: capacity-priced nights and weekends stay quiet; 40 % longer prompts fire within 3 hours\n"
    out += f"    interval: {step}m\n    input_series:\n"
    out += s_api.yaml() + s_llama.yaml() + s_qwen.yaml()
    out += "    alert_rule_test:\n"

    # Quiet: every 3 hours from day 2 (the baseline's 2-day guard) to the prompt change, and each
    # weekend night, the restart and the new model's first hours.
    quiet = set(range(2 * per_day, change, 3 * hr))
    quiet |= {d * per_day + h * hr for d in weekend for h in (2, 4, 23)}
    quiet |= {restart[0] + k for k in (1, 2, 4, 8)} | {new_at + k for k in (1, 4, 8, 16)}
    for i in sorted(quiet):
        out += alert_block(f"{i * step}m", "AiCostCostPerRequestHigh", [])

    # When the pay-per-token stream fires, computed from the very numbers written above.
    def inc(c, i, n):
        return c.values[i] - c.values[i - n]

    def state(i):
        rr = inc(s_api.requests, i, hr) / 3600
        marginal = inc(s_api.spend, i, hr) / inc(s_api.requests, i, hr)
        # per_request_7d: buckets written at steps i-7d .. i-1 (promtool writes one every step)
        bs = sum(inc(s_api.spend, j, hr) for j in range(i - 7 * per_day, i))
        br = sum(inc(s_api.requests, j, hr) for j in range(i - 7 * per_day, i))
        base = bs / br
        extra = (marginal - base) * rr * 86400
        return extra > 20 and marginal > 1.15 * base, extra

    pending = None
    for i in range(change, change + 3 * hr + 1):
        if state(i)[0]:
            pending = pending if pending is not None else i
        else:
            pending = None
        if pending is not None and i - pending >= hr:  # `for: 1h`
            fired = i
            break
    else:
        raise SystemExit("cost_per_request: the prompt growth does not fire within 3 hours")
    print(f"cost_per_request: 40 % longer prompts fire {(fired - change) * step} minutes after the change")
    p = s_api.l
    ann = lambda v: {
        "summary": f"Cost per request of {p['provider']}/{p['model']} is more than 15 % above its 7-day baseline.",
        "description": (
            f"Each request to provider={p['provider']} model={p['model']} "
            f"deployment={p['deployment']} costs more than 15 % above its 7-day average; at the current "
            f"request rate that is ${money(v)} per day extra (volume did not cause this: it is "
            f"per request, GPU time valued at its 7-day cost per token). Routing: team={p['team']} "
            f"cost_center={p['cost_center']}. Usual causes: longer prompts, longer answers, a premium "
            f"model as default, retries, a lost prompt cache."),
        "runbook_url": RUNBOOK.format("AiCostCostPerRequestHigh"),
        "dashboard_url": triage_url("now-2d", p),
    }
    out += alert_block(f"{(fired - 1) * step}m", "AiCostCostPerRequestHigh", [])
    for i in (fired, change + 3 * hr):
        out += alert_block(f"{i * step}m", "AiCostCostPerRequestHigh",
                           [(routing("", "warning", p), ann(state(i)[1]))])

    # The self-hosted stream's marginal cost per request tracks its tokens per request, not its traffic:
    # at 03:00 on a weekend night it stays within 15 % of the 7-day mean (its plain cost per request does not).
    night = 13 * per_day + 3 * hr
    out += "    promql_expr_test:\n"
    sel = '{deployment="llama-prod", model="meta-llama/Llama-3.3-70B-Instruct"}'
    out += (f"      - expr: provider_deployment_model_team_cost_center:aicost_spend_usd:marginal_per_request_rate1h{sel}"
            f" / provider_deployment_model_team_cost_center:aicost_spend_usd:per_request_7d{sel} < bool 1.15\n"
            f"        eval_time: {night * step}m\n        exp_samples:\n"
            "          - labels: '{provider=\"self_hosted\", deployment=\"llama-prod\", model=\"meta-llama/Llama-3.3-70B-Instruct\", team=\"search\", cost_center=\"CC-1001\"}'\n"
            "            value: 1\n"
            f"      - expr: provider_deployment_model_team_cost_center:aicost_spend_usd:per_request_rate1h{sel}"
            f" / provider_deployment_model_team_cost_center:aicost_spend_usd:per_request_7d{sel} > bool 1.5\n"
            f"        eval_time: {night * step}m\n        exp_samples:\n"
            "          - labels: '{provider=\"self_hosted\", deployment=\"llama-prod\", model=\"meta-llama/Llama-3.3-70B-Instruct\", team=\"search\", cost_center=\"CC-1001\"}'\n"
            "            value: 1\n")
    return out



# ----------------------------------------------------------------------------------------------------
# Managed APIs: reconciliation drift (daily gauge), admin keys refused, the exporters' own API spend.
MANAGED_URL = "/d/aicost-managed/ai-managed-api-spend?from=now-14d&to=now&var-provider={}"
HEALTH_URL = "/d/aicost-exporter-health/ai-cost-exporter-health?from={}&to=now&var-job={}&var-instance={}"


def values_text(vals):
    return " ".join("_" if v is None else fmt(v) for v in vals)


def gseries(name, lbls, vals):
    return f"      - series: '{labels(name, **lbls)}'\n        values: '{values_text(vals)}'\n"


def pct(v):
    """Prometheus' humanizePercentage: %.4g of v * 100, then '%'."""
    return f"{v * 100:.4g}%"


def hdur(seconds):
    """Prometheus' humanizeDuration for whole seconds of an hour or more."""
    h, rest = divmod(int(seconds), 3600)
    m, sec = divmod(rest, 60)
    return f"{h}h {m}m {sec}s"


def at(minutes):
    """A promtool eval_time; whole days and hours spelled as such."""
    d, rest = divmod(int(minutes), 1440)
    h, m = divmod(rest, 60)
    return "".join(f"{n}{u}" for n, u in ((d, "d"), (h, "h"), (m, "m")) if n) or "0m"


def drift_case():
    """12 days of the daily drift gauge (updated at 02:00, when the day's bill is in), hourly samples."""
    days, n = 12, 12 * 24 + 1
    rng = random.Random(13)

    def daily(per_day, missing=()):
        # the value computed at 02:00 of day d holds until 02:00 of day d + 1
        return [None if i in missing else per_day[max(0, (i - 2) // 24)] for i in range(n)]

    restart = (8 * 24 + 10,)  # the managed exporter restarts on day 8 at 10:00: no sample that hour
    # openai: +-4 % of noise, and one late bill on day 4 (a day missing from "billed": +19 % for a day)
    openai = [round(rng.uniform(-0.04, 0.04), 4) for _ in range(days)]
    openai[4] = 0.19
    # anthropic: the estimate falls 13-17 % below the bill from day 3 on (an unpriced line item)
    anthropic = [-0.02, -0.03, 0.01] + [round(-0.15 + rng.uniform(-0.02, 0.02), 4) for _ in range(days - 3)]
    # aws: hovers around the threshold, never three days in a row beyond it
    aws = [0.12, 0.13, 0.08, 0.12, 0.11, 0.09, 0.12, 0.13, 0.07, 0.12, 0.11, 0.09]
    # anthropic's bill for the day before (weekends: 1970-01-03/04 and 10/11 are days 2, 3, 9, 10)
    billed = [round((150.0 if d in (2, 3, 9, 10) else 400.0) * (1 + rng.uniform(-0.1, 0.1)), 2) for d in range(days)]
    inst = dict(job="aicost", instance="managed:10042")
    out = "  - name: reconciliation drift\n    interval: 1h\n    input_series:\n"
    out += "      # the managed exporter: one daily drift value per provider, missing for the hour it restarts\n"
    for prov, per_day in (("openai", openai), ("anthropic", anthropic), ("aws", aws)):
        out += gseries("aicost_reconciliation_drift_ratio", dict(inst, provider=prov), daily(per_day, restart))
    out += gseries("aicost_billed_usd", dict(inst, provider="anthropic", window="yesterday"), daily(billed, restart))
    out += "    alert_rule_test:\n"

    def ann(prov, closest, now_v, billed_y):
        side = "above" if closest > 0 else "below"
        return {
            "summary": f"The {prov} cost estimate has differed from the provider's bill by more than 10 % for 3 days.",
            "description": (
                f"At every reading of the last 3 days the exporter's estimate for provider={prov} was more than "
                f"10 % {side} what the provider billed over the last complete days (closest reading {pct(closest)}, "
                f"now {pct(now_v)}; positive = estimate above the bill). Dollar impact per day: about "
                f"${money(abs(now_v) * billed_y)} (the drift times yesterday's bill) that dashboards and spend alerts "
                f"{'overstate' if closest > 0 else 'miss'}. Routing: finance and the exporter's owners "
                f"(team/cost_center: not applicable). Usual causes: a wrong or outdated price, a service tier or "
                f"batch discount not priced, usage the usage API does not report (tools, storage, fine-tuning), a "
                f"project or workspace the admin key cannot see."),
            "runbook_url": RUNBOOK.format("AiCostReconciliationDrift"),
            "dashboard_url": MANAGED_URL.format(prov),
        }

    def firing(t_hours):
        # anthropic: the window [t - 3d, t] of hourly readings, all below -10 %
        window = [v for i, v in enumerate(daily(anthropic, restart)) if t_hours - 72 <= i <= t_hours and v is not None]
        now_v = daily(anthropic)[t_hours]
        return [({"severity": "warning", "provider": "anthropic"},
                 ann("anthropic", max(window), now_v, daily(billed)[t_hours]))]

    out += "      # openai's late bill (day 4) and aws around the threshold never fire; anthropic needs 3 days\n"
    for t in (4 * 24 + 12, 6 * 24 + 1, 6 * 24 + 2):
        out += alert_block(at(t * 60), "AiCostReconciliationDrift", [])
    out += alert_block(at((6 * 24 + 3) * 60), "AiCostReconciliationDrift", firing(6 * 24 + 3))
    out += "      # 3 days after the restart's missing sample: still firing (the history guard spans an hour)\n"
    out += alert_block(at((11 * 24 + 10) * 60), "AiCostReconciliationDrift", firing(11 * 24 + 10))
    out += alert_block(at((11 * 24 + 23) * 60), "AiCostReconciliationDrift", firing(11 * 24 + 23))
    return out


def key_case():
    """Admin keys: openai's is revoked at minute 30; anthropic answers one 401 and recovers; bedrock has one
    auth error, then a 5xx outage (a collector failure, not a key problem). 1-minute samples, 3 hours."""
    n = 181
    inst = dict(job="aicost", instance="managed:10042")
    # interval (minutes), failed minutes (a run failing keeps success at 0 until the next run), auth runs
    plan = {
        "openai": (5, set(range(30, n)), set(range(30, n))),
        "anthropic": (5, {20}, {20}),
        "bedrock": (1, {50} | set(range(60, 121)), {50}),
    }
    out = "  - name: admin key rejected vs collector failing\n    interval: 1m\n    input_series:\n"
    for coll, (every, failed, auth) in plan.items():
        success, last, errs = [], [], {"auth": [], "http_status": [], "timeout": []}
        ok_at, counts, state = 0, {"auth": 0, "http_status": 0, "timeout": 0}, 1
        for i in range(n):
            if i % every == 0:  # a run
                if i in failed:
                    state = 0
                    counts["auth" if i in auth else "http_status"] += 1
                else:
                    state, ok_at = 1, i * 60
            success.append(state)
            last.append(ok_at)
            for r in errs:
                errs[r].append(counts[r])
        lb = dict(inst, collector=coll)
        out += gseries("aicost_collector_success", lb, success)
        out += gseries("aicost_collector_last_success_timestamp_seconds", lb, last)
        for r, v in errs.items():  # every reason exists at 0 before its first error
            out += gseries("aicost_collector_errors_total", dict(lb, reason=r), v)
    # openai spent $0.50 a minute until its key was revoked (then nothing is counted)
    spend = [0.5 * min(i, 30) for i in range(n)]
    out += gseries("aicost_spend_usd_total", dict(inst, **usage_labels("openai", "completions", "", "gpt-4o", "search",
                   "CC-1001", category="inference", token_type="input")), spend)
    out += "    alert_rule_test:\n"
    key = lambda: [({"severity": "critical", "job": "aicost", "instance": "managed:10042", "collector": "openai"}, {
        "summary": "The openai collector on managed:10042 is refused for auth reasons: its spend is no longer measured.",
        "description": (
            "The openai collector of job=aicost instance=managed:10042 fails and 100% of its recent errors are "
            "reason=auth: the admin key (OpenAI, Anthropic) is missing, revoked or lacks its scope, or the AWS "
            "credentials are expired or lack the IAM action. Usage, spend and every spend alert of provider=openai "
            "are blind until it is fixed. Dollar impact per day: up to $15.00 (provider=openai spend over the last "
            "24h). Routing: the exporter's owners (team/cost_center: not applicable). The log line names the key's "
            "source, never the key."),
        "runbook_url": RUNBOOK.format("AiCostAdminKeyRejected"),
        "dashboard_url": HEALTH_URL.format("now-6h", "aicost", urlq("managed:10042")),
    })]
    out += "      # anthropic's single 401 recovers on the next run: no alert; openai's revoked key pages once\n"
    out += alert_block("30m", "AiCostAdminKeyRejected", [])
    out += alert_block("45m", "AiCostAdminKeyRejected", key())
    out += alert_block("45m", "AiCostCollectorFailing", [])
    out += alert_block("60m", "AiCostCollectorStale", [])
    out += "      # bedrock: one auth error, then 5xx for an hour: a collector failure, not a key problem\n"
    out += alert_block("75m", "AiCostAdminKeyRejected", key())
    out += alert_block("75m", "AiCostCollectorFailing", [(
        {"severity": "warning", "job": "aicost", "instance": "managed:10042", "collector": "bedrock"}, {
            "summary": "aicost collector bedrock on managed:10042 has been failing for 10 minutes.",
            "description": (
                "The bedrock collector of job=aicost instance=managed:10042 fails on every run, so its usage and "
                "spend stop growing. Dollar impact per day: up to $15.00 (this exporter's spend over the last "
                "24h) may be missing. Routing: the exporter's owners (team/cost_center: not applicable). Check "
                "aicost_collector_errors_total{collector=\"bedrock\"} by reason."),
            "runbook_url": RUNBOOK.format("AiCostCollectorFailing"),
            "dashboard_url": HEALTH_URL.format("now-6h", "aicost", urlq("managed:10042")),
        })])
    out += alert_block("150m", "AiCostAdminKeyRejected", key())
    out += alert_block("150m", "AiCostCollectorFailing", [])
    return out


def cost_explorer_case():
    """Cost Explorer runs every 6h: healthy, its last success is hours old; a refused one is a key alert for
    the whole 6h between runs; a hung one is stale after 13h. 5-minute samples, 14 hours."""
    step, n = 5, 14 * 12 + 1
    out = "  - name: cost explorer every 6h\n    interval: 5m\n    input_series:\n"
    cases = {  # instance: (runs that fail for auth, runs that happen)
        "managed:10042": ({6 * 60, 12 * 60}, {0, 6 * 60, 12 * 60}),
        "managed-b:10042": (set(), {0, 6 * 60, 12 * 60}),
        "managed-c:10042": (set(), {0}),  # hung after its first run
    }
    for inst, (auth_runs, runs) in cases.items():
        success, last, auth, other = [], [], [], []
        state, ok_at, a = 1, 0, 0
        for i in range(n):
            t = i * step
            if t in runs:
                if t in auth_runs:
                    state, a = 0, a + 1
                else:
                    state, ok_at = 1, t * 60
            success.append(state)
            last.append(ok_at)
            auth.append(a)
            other.append(0)
        lb = dict(job="aicost", instance=inst, collector="aws_cost_explorer")
        out += gseries("aicost_collector_success", lb, success)
        out += gseries("aicost_collector_last_success_timestamp_seconds", lb, last)
        out += gseries("aicost_collector_errors_total", dict(lb, reason="auth"), auth)
        out += gseries("aicost_collector_errors_total", dict(lb, reason="http_status"), other)
    out += "    alert_rule_test:\n"
    key = [({"severity": "critical", "job": "aicost", "instance": "managed:10042", "collector": "aws_cost_explorer"}, {
        "summary": "The aws_cost_explorer collector on managed:10042 is refused for auth reasons: its spend is no longer measured.",
        "description": (
            "The aws_cost_explorer collector of job=aicost instance=managed:10042 fails and 100% of its recent errors "
            "are reason=auth: the admin key (OpenAI, Anthropic) is missing, revoked or lacks its scope, or the AWS "
            "credentials are expired or lack the IAM action. Usage, spend and every spend alert of provider=aws are "
            "blind until it is fixed. Dollar impact per day: up to $0.00 (provider=aws spend over the last 24h). "
            "Routing: the exporter's owners (team/cost_center: not applicable). The log line names the key's "
            "source, never the key."),
        "runbook_url": RUNBOOK.format("AiCostAdminKeyRejected"),
        "dashboard_url": HEALTH_URL.format("now-6h", "aicost", urlq("managed:10042")),
    })]
    out += "      # healthy every 6h: 5h50m since the last success is not stale\n"
    out += alert_block("5h50m", "AiCostCollectorStale", [])
    out += alert_block("6h5m", "AiCostAdminKeyRejected", [])
    out += "      # refused at 6h: the key alert holds until the next run (12h) and beyond, never stale\n"
    out += alert_block("11h55m", "AiCostAdminKeyRejected", key)
    out += alert_block("12h55m", "AiCostCollectorStale", [])
    out += alert_block("13h30m", "AiCostAdminKeyRejected", key)
    stale_for = 13 * 3600 + 30 * 60
    out += alert_block("13h30m", "AiCostCollectorStale", [(
        {"severity": "warning", "job": "aicost", "instance": "managed-c:10042", "collector": "aws_cost_explorer"}, {
            "summary": f"aicost collector aws_cost_explorer on managed-c:10042 has not succeeded for {hdur(stale_for)}.",
            "description": (
                f"The last successful run of the aws_cost_explorer collector of job=aicost instance=managed-c:10042 "
                f"was {hdur(stale_for)} ago (threshold 15m; 13h for aws_cost_explorer, which runs every 6h). Dollar "
                f"impact per day: up to $0.00 (this exporter's spend over the last 24h) may be late or missing. "
                f"Routing: the exporter's owners (team/cost_center: not applicable)."),
            "runbook_url": RUNBOOK.format("AiCostCollectorStale"),
            "dashboard_url": HEALTH_URL.format("now-6h", "aicost", urlq("managed-c:10042")),
        })])
    return out


def api_spend_case():
    """The exporters' own API dollars over 8 days of 10-minute samples: Bedrock polling 20 models x 5 metrics
    a minute ($1.44/day) with a restart, Cost Explorer 4 calls a day; on day 6 a second exporter starts
    polling 200 models x 5 metrics every 15 s in another region ($57.60/day)."""
    n = 8 * 144 + 1
    restart, second = 3 * 144, 6 * 144
    bedrock = [0.01 * (i if i < restart else i - restart) for i in range(n)]
    ce = [0.01 * (i // 36) for i in range(n)]
    bedrock2 = [None if i < second else 0.4 * (i - second) for i in range(n)]
    out = "  - name: exporter api spend\n    interval: 10m\n    input_series:\n"
    m1, m2 = dict(job="aicost", instance="managed:10042"), dict(job="aicost", instance="managed-2:10042")
    out += gseries("aicost_upstream_api_cost_usd_total", dict(m1, collector="bedrock"), bedrock)
    out += gseries("aicost_upstream_api_cost_usd_total", dict(m1, collector="aws_cost_explorer"), ce)
    out += gseries("aicost_upstream_api_cost_usd_total", dict(m2, collector="bedrock"), bedrock2)
    out += "    alert_rule_test:\n"
    for t in ("2d12h", "3d30m", "3d12h", "5d23h30m", "6d1h"):
        out += alert_block(t, "AiCostExporterApiSpendHigh", [])
    t = (7 * 144 + 36)  # day 7 06:00: both counters linear over the whole last day
    day1 = 0.01 * 144
    day2 = 0.4 * 144
    out += alert_block(at(t * 10), "AiCostExporterApiSpendHigh", [({"severity": "warning", "collector": "bedrock"}, {
        "summary": "The exporters' bedrock API calls cost more than $5 over the last 24h.",
        "description": (
            f"Calls of the bedrock collector to paid upstream APIs cost ${money(day1 + day2)} over the last 24h "
            f"(threshold $5/day); at the pace of the last hour ${money(day1 + day2)} per day. By exporter: "
            f"managed-2:10042 ${money(day2)}; managed:10042 ${money(day1)}; Routing: the exporter's owners "
            f"(team/cost_center: not applicable). Usual causes: a shorter interval, more models or regions, "
            f"several exporters polling the same account."),
        "runbook_url": RUNBOOK.format("AiCostExporterApiSpendHigh"),
        "dashboard_url": "/d/aicost-exporter-health/ai-cost-exporter-health?from=now-2d&to=now&var-job=$__all&var-instance=$__all",
    })])
    return out


def drift():
    return (header("""AiCostReconciliationDrift over 12 days of hourly samples of the daily drift gauge: noise, a late
bill (one day at +19 %), a provider hovering around the threshold, a restart's missing sample; a
provider 15 % below its bill fires after 3 days.""")
            + "evaluation_interval: 1h\ntests:\n" + drift_case())


def keys():
    return (header("""AiCostAdminKeyRejected, and AiCostCollectorFailing / AiCostCollectorStale staying quiet for the same
cause: a revoked key, a single 401, an auth error followed by an outage (1-minute samples, evaluated
every minute).""")
            + "evaluation_interval: 1m\ntests:\n" + key_case())


def cost_explorer():
    return (header("""Cost Explorer's 6h runs (5-minute samples, evaluated every 5 minutes): a healthy one is never stale,
a refused one is AiCostAdminKeyRejected for the whole 6h between runs (never stale), a hung one is
stale after 13h.""")
            + "evaluation_interval: 5m\ntests:\n" + cost_explorer_case())


def api_spend():
    return (header("""AiCostExporterApiSpendHigh over 8 days of 10-minute samples of the exporters' own API dollars:
steady Bedrock polling with a restart and Cost Explorer stay quiet; a second exporter polling 200
models every 15 s fires. Evaluated every 30 minutes.""")
            + "evaluation_interval: 30m\ntests:\n" + api_spend_case())



# ----------------------------------------------------------------------------------------------------
# Budgets across a fleet: hourly samples from 1970-01-01 (a Thursday) to 1970-02-05.
OVERVIEW_BUDGET = "/d/aicost-overview/ai-spend-overview?from=now-30d&to=now&var-budget={}"


def month_of(day):
    """(first day index, length) of the calendar month holding day index `day` (0 = 1970-01-01)."""
    return (0, 31) if day < 31 else (31, 28)


def forecaster(hourly):
    """What one exporter exposes for its share of a budget, hour by hour: (month to date, forecast), as
    dev.aicost.budget.BudgetForecaster computes it: pace = mean of the trailing 7 complete days from the 8th
    on, of the month's complete days from the 2nd, today so far / elapsed fraction on the 1st; forecast =
    month to date + pace x remaining days (today's remaining fraction included). hourly[h] = dollars spent in
    hour h; the value at hour t covers the hours before t."""
    out = []
    for t in range(len(hourly) + 1):
        day, hour = divmod(t, 24)
        first, length = month_of(day)
        dom = day - first + 1
        mtd = sum(hourly[first * 24:t])
        day_sum = lambda d: sum(hourly[d * 24:(d + 1) * 24])
        elapsed = hour / 24
        remaining = (1 - elapsed) + (first + length - day - 1)
        complete = dom - 1
        if complete >= 7:
            pace = sum(day_sum(d) for d in range(day - 7, day)) / 7
        elif complete > 0:
            pace = sum(day_sum(d) for d in range(first, day)) / complete
        else:
            pace = sum(hourly[day * 24:t]) / elapsed if elapsed > 0 else 0.0
        out.append((mtd, mtd + pace * remaining))
    return out


def budgets():
    days = 35
    n = days * 24
    rng = random.Random(15)
    weekend = {d for d in range(days) if (d + 3) % 7 in (5, 6)}  # 1970-01-03 was a Saturday
    # Dollars per hour of each exporter: two GPU nodes priced by GPU time (flat, a little noise: energy) and
    # the managed-API exporter (diurnal, weekends at 40 %, noisy).
    gpu1 = [12.0 * (1 + rng.uniform(-0.03, 0.03)) for _ in range(n)]
    gpu2 = [9.0 * (1 + rng.uniform(-0.03, 0.03)) for _ in range(n)]
    api = [22.0 * level(h, weekend) * (1 + rng.uniform(-0.15, 0.15)) for h in range(n)]
    # A budget's share of each exporter's spend, and the pace it is set against (1.0 = exactly on budget).
    shares = {
        "org": ({"gpu-node-1": 1.0, "gpu-node-2": 1.0, "managed": 1.0}, 0.95),
        "search": ({"gpu-node-1": 0.3, "gpu-node-2": 0.0, "managed": 0.5}, 1.20),
        "research": ({"gpu-node-1": 0.0, "gpu-node-2": 0.4, "managed": 0.2}, 1.45),
    }
    spend = {"gpu-node-1": gpu1, "gpu-node-2": gpu2, "managed": api}
    missing = {"gpu-node-2": {12 * 24 + 5}}  # gpu-node-2 restarts: one scrape missing
    out = header("""AiCostBudgetForecastOver (warning +10 %, critical +30 % from the 10th) and AiCostBudgetExceeded over
35 days of hourly samples (January and the start of February 1970) from a fleet of three exporters, each
exposing its share of three budgets as dev.aicost.budget.BudgetForecaster computes it. "org" is on budget
(5 % under, nights, weekends, noise, a restart's missing scrape, the noisy first days of a month): quiet.
"search" runs 20 % over: the warning only. "research" runs 45 % over: warning from the first days,
critical only from the 10th, month to date over budget on the 22nd; the new month resolves it.""")
    out += "evaluation_interval: 1h\ntests:\n  - name: budgets across a fleet\n    interval: 1h\n    input_series:\n"
    figures = {}  # budget -> per hour: (mtd sum, forecast sum, budget) as the recording rules see them
    for budget, (share, over) in shares.items():
        amount = round(sum(sum(spend[e][:31 * 24]) * k for e, k in share.items()) / over)
        per = {}
        for e, k in share.items():
            f = forecaster([x * k for x in spend[e]])
            mtd = [None if t in missing.get(e, ()) else float(fmt(f[t][0])) for t in range(n + 1)]
            fc = [None if t in missing.get(e, ()) else float(fmt(f[t][1])) for t in range(n + 1)]
            amt = [None if t in missing.get(e, ()) else float(amount) for t in range(n + 1)]
            per[e] = (mtd, fc, amt)
            lb = dict(job="aicost", instance=f"{e}:10042", budget=budget)
            out += gseries("aicost_budget_spend_month_to_date_usd", lb, mtd)
            out += gseries("aicost_budget_forecast_month_end_usd", lb, fc)
            out += gseries("aicost_budget_usd", lb, amt)
        rows = []
        for t in range(n + 1):
            present = [e for e in per if per[e][0][t] is not None]
            rows.append((sum(per[e][0][t] for e in present), sum(per[e][1][t] for e in present),
                         max(per[e][2][t] for e in present)))
        figures[budget] = rows
    out += "    alert_rule_test:\n"

    var = lambda b, t: figures[b][t][1] / figures[b][t][2] - 1

    def forecast_state(b, t, threshold):
        return (t >= 7 and all(var(b, u) > threshold for u in range(t - 6, t + 1)))

    def dom(t):
        first, _ = month_of(t // 24)
        return t // 24 - first + 1

    def days_left(t):
        first, length = month_of(t // 24)
        return first + length - t // 24  # days_in_month() - day_of_month() + 1

    def exceeded(b, t):
        return figures[b][t][0] > figures[b][t][2]

    def forecast_alerts(t):
        alerts = []
        for b in figures:
            mtd, fc, amount = figures[b][t]
            ann = {
                "summary": f"Budget {b}: month-end forecast is {pct(var(b, t))} above the budget.",
                "description": (
                    f"The fleet's month-end forecast for budget={b} is ${money(fc)} against a budget of "
                    f"${money(amount)}: ${money(fc - amount)} over at month end (threshold: 10 % over for 6h warns, "
                    f"30 % from the 10th pages). Month to date: ${money(mtd)}. Dollar impact per day: to land on "
                    f"the budget, spend ${money((fc - amount) / days_left(t))} less per remaining day (today "
                    f"included). Routing: finance and the budget's owners. Find what moved on the overview's top "
                    f"movers and the triage dashboard."),
                "runbook_url": RUNBOOK.format("AiCostBudgetForecastOver"),
                "dashboard_url": OVERVIEW_BUDGET.format(urlq(b)),
            }
            if forecast_state(b, t, 0.10):
                alerts.append(({"severity": "warning", "budget": b}, ann))
            if forecast_state(b, t, 0.30) and dom(t) >= 10:
                alerts.append(({"severity": "critical", "budget": b}, ann))
        return alerts

    def exceeded_alerts(t):
        alerts = []
        for b in figures:
            mtd, fc, amount = figures[b][t]
            if t >= 1 and exceeded(b, t) and exceeded(b, t - 1):
                alerts.append(({"severity": "critical", "budget": b}, {
                    "summary": f"Budget {b} is spent: month-to-date spend is above the monthly budget.",
                    "description": (
                        f"The fleet's month-to-date spend for budget={b} is ${money(mtd)}, ${money(mtd - amount)} "
                        f"above its budget of ${money(amount)} with {days_left(t) - 1} more days in the month (UTC); "
                        f"forecast month-end ${money(fc)}. Dollar impact per day: every further dollar this month is "
                        f"over budget. Routing: finance and the budget's owners."),
                    "runbook_url": RUNBOOK.format("AiCostBudgetExceeded"),
                    "dashboard_url": OVERVIEW_BUDGET.format(urlq(b)),
                }))
        return alerts

    # The claims, checked on the numbers written above before promtool checks the rules on them.
    fired = {(b, sev) for t in range(n + 1) for (l, _) in forecast_alerts(t) for b, sev in [(l["budget"], l["severity"])]}
    assert not any(b == "org" for b, _ in fired), "org must stay quiet"
    assert ("search", "warning") in fired and ("search", "critical") not in fired
    assert ("research", "critical") in fired
    first_crit = min(t for t in range(n + 1) if any(l["severity"] == "critical" for l, _ in forecast_alerts(t)))
    first_warn = {b: min(t for t in range(n + 1) if any(l["budget"] == b for l, _ in forecast_alerts(t)))
                  for b in ("search", "research")}
    first_exc = min(t for t in range(n + 1) if exceeded_alerts(t))
    assert all(not exceeded("org", t) for t in range(n + 1))
    print(f"budgets: warning search day {first_warn['search'] / 24:.2f}, research day {first_warn['research'] / 24:.2f};"
          f" critical research day {first_crit / 24:.2f}; exceeded day {first_exc / 24:.2f}")
    checks = sorted({d * 24 + 12 for d in range(days)} | {first_warn["search"] - 1, first_warn["search"],
                    first_crit - 1, first_crit, first_exc - 1, first_exc, 31 * 24 + 3, 31 * 24 + 20})
    for t in checks:
        out += alert_block(at(t * 60), "AiCostBudgetForecastOver", forecast_alerts(t))
        out += alert_block(at(t * 60), "AiCostBudgetExceeded", exceeded_alerts(t))
    return out


if __name__ == "__main__":
    for name, fn in (("runaway.yml", runaway), ("daily.yml", daily), ("cost_per_request.yml", cost_per_request),
                     ("runaway_week.yml", runaway_week), ("drift.yml", drift), ("keys.yml", keys), ("cost_explorer.yml", cost_explorer),
                     ("api_spend.yml", api_spend), ("budgets.yml", budgets)):
        with open(os.path.join(OUT, name), "w") as f:
            f.write(fn())
        print("wrote", os.path.join(OUT, name))
