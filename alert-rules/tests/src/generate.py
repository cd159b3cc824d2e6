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
          "aicost.alerts.spend", "aicost.alerts.efficiency", "aicost.alerts.exporter")
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


if __name__ == "__main__":
    for name, fn in (("runaway.yml", runaway), ("daily.yml", daily), ("cost_per_request.yml", cost_per_request),
                     ("runaway_week.yml", runaway_week)):
        with open(os.path.join(OUT, name), "w") as f:
            f.write(fn())
        print("wrote", os.path.join(OUT, name))
