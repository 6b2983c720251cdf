#!/usr/bin/env python3
"""Generate costsim's reference datasets (spec section 9), deterministically.

    python3 datasets/generate.py [--out DIR]

writes DIR/<dataset_id>/<version>.jsonl for every release in RELEASES (today version 1.0.0 of the five datasets)
and DIR/SHA256SUMS (sha256sum format, sorted by path); DIR defaults to the directory of this script. Standard library only, no network; the output is byte-for-byte the
same on every run (each dataset draws from its own random.Random with a constant seed, so changing one dataset
never changes another).

One JSON object per line, compact, keys in this order:
    id, plan, budget_cents, [allowed_skills], expected_cost_cents, expected_feasible, expected_confidence_min, tags
expected_cost_cents and expected_feasible are V1's answer (spec section 2, risk threshold 0.5), computed here by
a small independent implementation of V1. expected_confidence_min is the least V2 confidence a sample should
reach (see datasets/README.md). The generator also runs its own implementation of V2 model 2.0.0 (spec section
3) over every sample and asserts that the shipped candidate finds every dataset acceptable (spec section 9
thresholds) and misses no sample's expectation, so that the golden datasets do not fail the canary on their
own.
"""

import argparse
import hashlib
import json
import math
import os
import random
import sys

DOLLAR_TAG = "$costsim_dataset$"  # the extension's build embeds the files in dollar quotes with this tag
RISK_THRESHOLD = 0.5
# No risk or float cost may lie this close to its boundary (1e-9 would be enough for rounding to flip nothing).
MARGIN = 1e-6

# ------------------------------------------------------------------------------------------------ V1 (spec 2)
V1_SKILLS = {  # skill: (cost cents, risk p)
    "http_call": (0, 0.10),
    "llm_invoke": (5, 0.05),
    "json_transform": (0, 0.01),
    "fs_read": (0, 0.05),
    "fs_write": (0, 0.05),
    "shell_lite": (0, 0.10),
    "kv_get": (0, 0.02),
    "kv_set": (0, 0.02),
    "webhook_send": (0, 0.10),
    "email_send": (1, 0.05),
}
V1_OTHER = (10, 0.20)
KNOWN_SKILLS = sorted(V1_SKILLS)


def step_fields(step):
    """skill, params, iterations with the defaults of spec section 1."""
    return step.get("skill", "unknown"), step.get("params", {}), step.get("iterations", 1)


def chars(value):
    """Unicode code points of a string (every prompt in these datasets is a string)."""
    assert isinstance(value, str), "non-string prompt: its JSON text length is implementation-defined here"
    return len(value)


def v1(plan, budget, allowed=None):
    """V1's cost (int cents), feasibility and cumulative risk."""
    if not plan:
        return {"cost": 0, "feasible": False, "status": "invalid_plan", "risk": 0.0}
    cost, survive, gaps = 0, 1.0, []
    for step in plan:
        skill, params, n = step_fields(step)
        base_cost, p = V1_SKILLS.get(skill, V1_OTHER)
        if skill == "llm_invoke" and "prompt" in params:
            base_cost = max(5, chars(params["prompt"]) // 1000)
        cost += base_cost * n
        survive *= (1 - p) ** n
        if allowed and skill not in allowed:
            gaps.append(skill)
    risk = 1 - survive
    assert isinstance(cost, int)  # integer cents: the budget check is exact, no rounding can flip it
    assert abs(risk - RISK_THRESHOLD) > MARGIN, f"V1 cumulative risk {risk} at the threshold"
    if cost > budget:
        status = "budget_insufficient"
    elif gaps:
        status = "permission_denied"
    elif risk > RISK_THRESHOLD:
        status = "risk_too_high"
    else:
        status = "feasible"
    return {"cost": cost, "feasible": status == "feasible", "status": status, "risk": risk}


# ------------------------------------------------------------------------------------------------ V2 (spec 3)
V2_SKILLS = {  # skill: (base cost, confidence, risk factor), model 2.0.0
    "http_call": (0.0, 0.85, 0.08),
    "llm_invoke": (3.5, 0.92, 0.03),
    "json_transform": (0.0, 0.98, 0.005),
    "fs_read": (0.0, 0.95, 0.03),
    "fs_write": (0.0, 0.94, 0.02),
    "shell_lite": (0.0, 0.88, 0.07),
    "kv_get": (0.0, 0.97, 0.01),
    "kv_set": (0.0, 0.97, 0.01),
    "webhook_send": (0.0, 0.90, 0.08),
    "email_send": (0.8, 0.93, 0.03),
}
V2_OTHER = (5.0, 0.60, 0.15)


def v2(plan, budget, allowed=None):
    """V2 model 2.0.0: rounded cost, feasibility, confidence score (a check of the datasets, not written out)."""
    if not plan:
        return {"cost": 0, "feasible": False, "confidence": 0.0}
    cost, survive, confidence, gaps = 0.0, 1.0, 1.0, []
    for step in plan:
        skill, params, n = step_fields(step)
        c, conf, p = V2_SKILLS.get(skill, V2_OTHER)
        if skill == "llm_invoke":
            length = chars(params.get("prompt", ""))
            c += length / 1000 * 0.8 + min(2 * length, 4000) / 1000 * 1.2
            if length > 2000:
                conf *= 0.95
            if length > 4000:
                conf *= 0.90
        elif skill == "http_call":
            url = params.get("url")
            if not (isinstance(url, str) and url.startswith(("http://localhost", "http://127.0.0.1"))):
                p *= 1.5
                conf *= 0.95
        elif skill == "shell_lite" and len(params.get("command", "")) > 100:
            p *= 1.2
            conf *= 0.95
        cost += c * n
        prob = p if n == 1 else 1 - (1 - p) ** n
        if prob > 0.02:
            survive *= 1 - prob
        confidence *= conf
        if allowed and skill not in allowed:
            gaps.append(skill)
    risk = 1 - survive
    rounded = round(cost)  # half to even
    # Neither the budget check (on the float or on the rounded cost) nor the risk check may sit on a boundary.
    # (A cost of exactly 0, every term 0, is exact: a zero-cost plan at budget 0 is feasible.)
    assert cost == 0.0 or abs(cost - budget) > MARGIN, f"V2 cost {cost} at the budget {budget}"
    assert (cost > budget) == (rounded > budget), f"V2 cost {cost}: rounded and float disagree on {budget}"
    assert abs(risk - RISK_THRESHOLD) > MARGIN, f"V2 cumulative risk {risk} at the threshold"
    feasible = cost <= budget and not gaps and risk <= RISK_THRESHOLD
    return {"cost": rounded, "feasible": feasible, "confidence": round(confidence, 4)}


# Validation thresholds of spec section 9: mean, median, std of |cost - expected|, outlier share, drift score.
THRESHOLDS = {
    "low_variance": (1, 0.5, 2, 0.02, 0.05),
    "high_variance": (10, 5, 15, 0.10, 0.15),
    "mixed_city": (5, 3, 10, 0.05, 0.10),
    "noise_injected": (20, 10, 25, 0.30, 0.25),
    "historical": (5, 3, 8, 0.05, 0.10),
}


def validate_v2(dataset_id, samples):
    """Spec section 9's validation of V2 2.0.0 on a dataset: (metrics, acceptable, missed sample ids)."""
    errors, missed = [], []
    for s in samples:
        r = v2(s["plan"], s["budget_cents"], s.get("allowed_skills"))
        errors.append(abs(r["cost"] - s["expected_cost_cents"]))
        if r["feasible"] != s["expected_feasible"] or r["confidence"] < s["expected_confidence_min"]:
            missed.append(s["id"])
    ordered = sorted(errors)
    mean = sum(errors) / len(errors)
    pos = (len(ordered) - 1) / 2
    median = ordered[math.floor(pos)] + (ordered[math.ceil(pos)] - ordered[math.floor(pos)]) * (pos - math.floor(pos))
    std = math.sqrt(sum((e - mean) ** 2 for e in errors) / len(errors))
    outliers = len(missed) / len(samples)
    t = THRESHOLDS[dataset_id]
    drift = min(1.0, 0.3 * mean / t[0] + 0.3 * median / t[1] + 0.2 * std / t[2] + 0.2 * outliers / t[3])
    metrics = (mean, median, std, outliers, drift)
    return metrics, all(m <= limit for m, limit in zip(metrics, t)), missed


# ------------------------------------------------------------------------------------------------ helpers
VOCABULARY = (
    "city transit bus tram metro route stop delay schedule traffic signal parking permit street light "
    "waste collection recycling park library permit request resident service ticket crew repair water "
    "main outage weather forecast rain snow wind alert summary report citizen district bridge lane "
    "closure detour event festival market council budget invoice noise complaint pothole sidewalk "
    "bicycle share station occupancy sensor camera queue response priority status update the a of to "
    "and for with on in at by from please summarize classify translate list explain each every today"
).split()


def words(rng, length):
    """Random vocabulary words, space separated, cut to exactly `length` characters."""
    parts, size = [], -1  # size: the length of the words joined by single spaces
    while size < length:
        word = rng.choice(VOCABULARY)
        parts.append(word)
        size += len(word) + 1
    text = " ".join(parts)[:length]
    assert len(text) == length
    return text


def step(skill, params, iterations=1):
    assert skill in V1_SKILLS or skill == "weather_oracle", skill
    assert isinstance(iterations, int) and 1 <= iterations <= 100
    return {"skill": skill, "params": params, "iterations": iterations}


def sample(sid, plan, budget, tags, confidence_min=0.5, allowed=None):
    """One line: expected values are V1's answer."""
    r = v1(plan, budget, allowed)
    obj = {"id": sid, "plan": plan, "budget_cents": budget}
    if allowed is not None:
        obj["allowed_skills"] = allowed
    obj["expected_cost_cents"] = r["cost"]
    obj["expected_feasible"] = r["feasible"]
    obj["expected_confidence_min"] = confidence_min
    obj["tags"] = tags
    return obj


def agrees(plan, budget, confidence_floor=0.55):
    """V1 and V2 agree on feasibility and V2's confidence clears the floor with room to spare."""
    try:
        a, b = v1(plan, budget), v2(plan, budget)
    except AssertionError:  # a boundary case: draw again
        return False
    return a["feasible"] == b["feasible"] and b["confidence"] >= confidence_floor


# Domains reserved for documentation (RFC 2606): nothing real is named.
EXTERNAL_HOSTS = ["api.example.com", "data.example.org", "feeds.example.net", "hooks.example.com",
                  "transit.example.org", "weather.example.net"]


# ------------------------------------------------------------------------------------------------ low_variance
def low_variance():
    rng = random.Random(2026112201)
    urls = [
        "https://api.example.com/v1/status",
        "https://data.example.org/open/parking.json",
        "https://feeds.example.net/transit/alerts",
        "https://weather.example.net/forecast?city=springfield",
        "https://hooks.example.com/health",
        "http://localhost:8080/health",
        "http://localhost:8080/metrics",
        "http://localhost:9000/api/queue/length",
        "http://localhost/status",
        "http://localhost:3000/v2/config",
    ]
    out = []
    for i, url in enumerate(urls, 1):
        out.append(sample(f"lv-{len(out) + 1:03d}", [step("http_call", {"url": url, "method": "GET"})], 100,
                          ["http_call", "local" if url.startswith("http://localhost") else "external"]))
    fields = ["id", "name", "status", "price", "updated_at", "district", "priority", "owner"]
    for i in range(10):
        mapping = {f: f"record.{f}" for f in sorted(rng.sample(fields, rng.randint(2, 5)))}
        out.append(sample(f"lv-{len(out) + 1:03d}",
                          [step("json_transform", {"source": f"items[{i}]", "mapping": mapping})], 100,
                          ["json_transform"]))
    for i in range(5):
        out.append(sample(f"lv-{len(out) + 1:03d}",
                          [step("kv_get", {"key": f"session:{rng.randint(1000, 9999)}"})], 100, ["kv_get"]))
    for i in range(5):
        out.append(sample(f"lv-{len(out) + 1:03d}",
                          [step("kv_set", {"key": f"cache:route:{rng.randint(1, 99)}",
                                           "value": words(rng, rng.randint(8, 40)), "ttl_s": 300})],
                          100, ["kv_set"]))
    assert all(s["expected_cost_cents"] == 0 and s["expected_feasible"] for s in out)
    assert len({s["plan"][0]["params"]["url"] for s in out[:10]}) == 10
    return out


# ------------------------------------------------------------------------------------------------ high_variance
def random_params(rng, skill):
    """Parameters that make sense for a skill, drawn from rng."""
    host = rng.choice(EXTERNAL_HOSTS)
    if skill == "http_call":
        url = rng.choice([f"https://{host}/v1/{rng.choice(VOCABULARY)}",
                          f"http://localhost:{rng.choice([8080, 9000])}/{rng.choice(VOCABULARY)}"])
        return {"url": url, "method": rng.choice(["GET", "POST"]), "timeout": rng.randint(5, 30)}
    if skill == "llm_invoke":
        return {"prompt": words(rng, rng.randint(350, 650))}
    if skill == "json_transform":
        return {"source": "response.items", "mapping": {"name": "item.name", "value": "item.value"}}
    if skill == "fs_read":
        return {"path": f"/var/lib/agent/{rng.choice(VOCABULARY)}.json"}
    if skill == "fs_write":
        return {"path": f"/var/lib/agent/out/{rng.choice(VOCABULARY)}.txt", "content": words(rng, 60)}
    if skill == "shell_lite":
        return {"command": rng.choice(["df -h /var/lib/agent", "uptime", "ls -1 /var/lib/agent/out | wc -l"])}
    if skill == "kv_get":
        return {"key": f"{rng.choice(VOCABULARY)}:{rng.randint(1, 999)}"}
    if skill == "kv_set":
        return {"key": f"{rng.choice(VOCABULARY)}:{rng.randint(1, 999)}", "value": words(rng, 24)}
    if skill == "webhook_send":
        return {"url": f"https://hooks.example.com/{rng.choice(VOCABULARY)}", "payload": {"event": "done"}}
    if skill == "email_send":
        return {"to": "ops@example.org", "subject": words(rng, 30), "body": words(rng, 200)}
    raise AssertionError(skill)


def high_variance():
    rng = random.Random(2026112202)
    out = []
    for length in (100, 500, 1000, 2000, 4000, 8000):
        out.append(sample(f"hv-{len(out) + 1:03d}", [step("llm_invoke", {"prompt": words(rng, length)})], 50,
                          ["llm_invoke", f"prompt_{length}"]))
    workflows = 0
    while workflows < 5:
        plan = [step(skill, random_params(rng, skill), rng.randint(1, 5))
                for skill in (rng.choice(KNOWN_SKILLS) for _ in range(rng.randint(3, 7)))]
        if agrees(plan, 200):
            workflows += 1
            out.append(sample(f"hv-{len(out) + 1:03d}", plan, 200, ["workflow", f"steps_{len(plan)}"]))
    for _ in range(5):
        timeout = rng.randint(10, 60)
        url = f"https://{rng.choice(EXTERNAL_HOSTS)}/v1/{rng.choice(VOCABULARY)}"
        out.append(sample(f"hv-{len(out) + 1:03d}", [step("http_call", {"url": url, "timeout": timeout})], 100,
                          ["http_call", "external", f"timeout_{timeout}s"]))
    return out


# ------------------------------------------------------------------------------------------------ mixed_city
# A city-services agent's workloads by part of the day: the steps each day part draws from, with iteration ranges.
CITY_STEPS = {
    "morning_commute": [
        ("http_call", lambda r: {"url": "https://transit.example.org/v1/departures", "timeout": 10}, (1, 6)),
        ("http_call", lambda r: {"url": "http://localhost:8080/traffic/cameras"}, (1, 4)),
        ("json_transform", lambda r: {"source": "departures", "mapping": {"line": "route", "eta": "delay"}}, (1, 3)),
        ("llm_invoke", lambda r: {"prompt": words(r, r.randint(400, 600))}, (1, 3)),
        ("kv_set", lambda r: {"key": "commute:briefing", "value": words(r, 40), "ttl_s": 900}, (1, 2)),
        ("webhook_send", lambda r: {"url": "https://hooks.example.com/signage", "payload": {"board": "north"}},
         (1, 2)),
        ("email_send", lambda r: {"to": "subscribers@example.org", "subject": "Commute update",
                                  "body": words(r, 300)}, (1, 10)),
    ],
    "midday": [
        ("kv_get", lambda r: {"key": f"requests:open:{r.randint(1, 40)}"}, (1, 5)),
        ("llm_invoke", lambda r: {"prompt": words(r, r.randint(450, 550))}, (1, 4)),
        ("json_transform", lambda r: {"source": "requests", "mapping": {"kind": "category"}}, (1, 3)),
        ("kv_set", lambda r: {"key": "requests:triaged", "value": words(r, 30)}, (1, 3)),
        ("http_call", lambda r: {"url": "http://localhost:9000/parking/occupancy"}, (1, 5)),
        ("webhook_send", lambda r: {"url": "https://hooks.example.com/crews", "payload": {"queue": "repairs"}},
         (1, 2)),
        ("fs_read", lambda r: {"path": "/srv/city/permits/today.csv"}, (1, 2)),
    ],
    "evening_rush": [
        ("http_call", lambda r: {"url": "https://feeds.example.net/incidents", "timeout": 15}, (1, 3)),
        ("http_call", lambda r: {"url": "http://localhost:8080/signals/plan"}, (1, 3)),
        ("json_transform", lambda r: {"source": "incidents", "mapping": {"where": "location"}}, (1, 4)),
        ("llm_invoke", lambda r: {"prompt": words(r, r.randint(450, 600))}, (1, 3)),
        ("kv_get", lambda r: {"key": "events:tonight"}, (1, 2)),
        ("email_send", lambda r: {"to": "duty-officer@example.org", "subject": "Evening incidents",
                                  "body": words(r, 250)}, (1, 6)),
        ("kv_set", lambda r: {"key": "rush:state", "value": words(r, 20)}, (1, 2)),
    ],
    "night": [
        ("fs_read", lambda r: {"path": "/srv/city/logs/streetlights.log"}, (1, 3)),
        ("shell_lite", lambda r: {"command": "gzip -k /srv/city/logs/streetlights.log"}, (1, 1)),
        ("json_transform", lambda r: {"source": "faults", "mapping": {"pole": "id", "state": "status"}}, (1, 3)),
        ("fs_write", lambda r: {"path": "/srv/city/reports/night.txt", "content": words(r, 120)}, (1, 2)),
        ("llm_invoke", lambda r: {"prompt": words(r, r.randint(450, 550))}, (1, 2)),
        ("email_send", lambda r: {"to": "maintenance@example.org", "subject": "Night report",
                                  "body": words(r, 400)}, (1, 4)),
        ("kv_set", lambda r: {"key": "night:summary", "value": words(r, 40)}, (1, 1)),
    ],
    "weekend": [
        ("http_call", lambda r: {"url": "https://data.example.org/events/weekend", "timeout": 20}, (1, 2)),
        ("kv_get", lambda r: {"key": f"markets:{r.randint(1, 12)}"}, (1, 4)),
        ("llm_invoke", lambda r: {"prompt": words(r, r.randint(400, 650))}, (1, 4)),
        ("json_transform", lambda r: {"source": "events", "mapping": {"title": "name", "at": "start"}}, (1, 2)),
        ("email_send", lambda r: {"to": "newsletter@example.org", "subject": "This weekend",
                                  "body": words(r, 500)}, (1, 12)),
        ("kv_set", lambda r: {"key": "weekend:digest", "value": words(r, 40)}, (1, 1)),
        ("fs_write", lambda r: {"path": "/srv/city/web/weekend.html", "content": words(r, 200)}, (1, 1)),
    ],
}


def mixed_city():
    rng = random.Random(2026112203)
    out = []
    for index in range(25):
        part = list(CITY_STEPS)[index % 5]
        short = index % 5 == (index // 5) % 5  # one sample of each day part gets an insufficient budget
        while True:
            plan = [step(skill, params(rng), rng.randint(*its))
                    for skill, params, its in (rng.choice(CITY_STEPS[part]) for _ in range(rng.randint(2, 8)))]
            cost1, cost2 = v1(plan, 10 ** 6)["cost"], v2(plan, 10 ** 6)["cost"]
            if short:
                if min(cost1, cost2) < 4:
                    continue
                budget = rng.randint(1, min(cost1, cost2) - 2)  # below both V1's and V2's cost
            else:
                budget = 5 * math.ceil((max(cost1, cost2) + rng.randint(2, 30)) / 5)  # a round number, enough
            if agrees(plan, budget):
                break
        out.append(sample(f"mc-{index + 1:03d}", plan, budget, [part, "city_services"]))
    assert sum(not s["expected_feasible"] for s in out) >= 5
    return out


# ------------------------------------------------------------------------------------------------ noise_injected
def noise_injected():
    rng = random.Random(2026112204)
    out = []

    def add(plan, budget, tag, confidence_min=0.5):
        out.append(sample(f"ni-{len(out) + 1:03d}", plan, budget, ["edge_case", tag], confidence_min))

    add([], 100, "empty_plan", confidence_min=0.0)  # V2: schema_error, confidence 0
    add([step("weather_oracle", {"city": "springfield", "days": 3})], 100, "unknown_skill")
    add([step("json_transform", {"source": "a", "mapping": {"b": "a.b"}}), step("kv_get", {"key": "k:1"})], 0,
        "zero_budget")  # cost 0 at budget 0: feasible (the budget check is cost > budget)
    add([step("llm_invoke", {"prompt": words(rng, 120)})], 1, "tiny_budget")
    long_plan = [step("kv_get" if i % 5 == 0 else "json_transform",
                      {"key": f"row:{i}"} if i % 5 == 0 else {"source": f"rows[{i}]", "mapping": {"v": "value"}})
                 for i in range(50)]
    # A confidence is a product over steps: 50 steps of model 2.0.0 land near 0.33, so no floor is expected.
    add(long_plan, 100, "fifty_steps", confidence_min=0.0)
    add([step("llm_invoke", {"prompt": words(rng, 100000)})], 200, "huge_prompt")
    add([{"skill": "http_call"}, {"skill": "llm_invoke", "iterations": 2}, {"skill": "kv_get"},
         {"skill": "json_transform", "params": {"source": "x", "mapping": {}}}], 100, "missing_fields")
    email = step("email_send", {"to": "residents@example.org", "subject": "Water main repair",
                                "body": words(rng, 180)})
    add([email, json.loads(json.dumps(email)), json.loads(json.dumps(email))], 100, "duplicated_steps")
    for s in out:
        if s["plan"]:
            assert agrees(s["plan"], s["budget_cents"], confidence_floor=s["expected_confidence_min"]), s["id"]
    return out


# ------------------------------------------------------------------------------------------------ historical
LOCAL_PREFIXES = ("http://localhost", "http://127.0.0.1")


def anonymize(plan):
    """What the extension's snapshot keeps (extension/core/anonymize.hpp): skills, iterations, numbers, keys,
    string lengths, whether a URL is local; every other string becomes as many 'x' as it has characters."""
    def walk(value, key=None):
        if isinstance(value, str):
            if key == "url":
                for prefix in LOCAL_PREFIXES:
                    if value.startswith(prefix):
                        return prefix + "x" * (len(value) - len(prefix))
            return "x" * len(value)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        return value
    return [{k: (v if k == "skill" else walk(v, k)) for k, v in s.items()} for s in plan]


def historical():
    rng = random.Random(2026112205)
    w = lambda lo, hi: words(rng, rng.randint(lo, hi))  # noqa: E731
    key = lambda: f"{rng.choice(VOCABULARY)}:{rng.randint(1, 99999)}"  # noqa: E731
    patterns = [  # (tag, plan as it was seen, budget)
        ("rag", [step("kv_get", {"key": key()}), step("llm_invoke", {"prompt": w(400, 700)}),
                 step("kv_set", {"key": key(), "value": w(200, 400)})], 50),
        ("rag", [step("kv_get", {"key": key()}, 3), step("llm_invoke", {"prompt": w(1500, 1900)}),
                 step("kv_set", {"key": key(), "value": w(300, 600)})], 50),
        ("rag", [step("kv_get", {"key": key()}, 2), step("llm_invoke", {"prompt": w(450, 600)}),
                 step("kv_set", {"key": key(), "value": w(100, 300)})], 3),
        ("webhook_fanout", [step("json_transform", {"source": "event", "mapping": {"id": "event.id"}}),
                            step("webhook_send", {"url": "https://hooks.partner-one.example/in",
                                                  "payload": {"event": w(10, 30)}}, 3)], 25),
        ("webhook_fanout", [step("webhook_send", {"url": "https://a.example.com/notify", "payload": {"m": w(20, 60)}}),
                            step("webhook_send", {"url": "https://b.example.org/notify", "payload": {"m": w(20, 60)}}),
                            step("webhook_send", {"url": "http://localhost:7000/notify", "payload": {"m": w(20, 60)}}),
                            step("kv_set", {"key": key(), "value": "sent"})], 25),
        ("file_pipeline", [step("fs_read", {"path": "/data/in/2025-03-02/orders.csv"}),
                           step("json_transform", {"source": "rows", "mapping": {"total": "row.amount"}}),
                           step("fs_write", {"path": "/data/out/2025-03-02/orders.json", "content": w(500, 900)})],
         10),
        ("file_pipeline", [step("fs_read", {"path": "/home/analyst/notes/meeting.txt"}),
                           step("llm_invoke", {"prompt": w(500, 700)}),
                           step("fs_write", {"path": "/home/analyst/notes/summary.txt", "content": w(300, 500)})],
         20),
        ("file_pipeline", [step("fs_read", {"path": "/srv/uploads/scan-0042.txt"}, 4),
                           step("json_transform", {"source": "pages", "mapping": {"text": "page.text"}}, 4),
                           step("fs_write", {"path": "/srv/processed/scan-0042.json", "content": w(800, 1200)})],
         15),
        ("email_digest", [step("kv_get", {"key": key()}), step("llm_invoke", {"prompt": w(500, 800)}),
                          step("email_send", {"to": "jane.doe@corp.example", "subject": w(20, 40),
                                              "body": w(800, 1500)}, 8)], 30),
        ("email_digest", [step("http_call", {"url": "http://localhost:8080/api/digest/items", "timeout": 5}),
                          step("llm_invoke", {"prompt": w(400, 600)}),
                          step("email_send", {"to": "team-list@corp.example", "subject": w(20, 40),
                                              "body": w(500, 900)}, 8)], 20),
        ("shell_check", [step("shell_lite", {"command": "df -h / && free -m"}),
                         step("webhook_send", {"url": "https://chat.example.net/hooks/ops", "payload": {"t": w(30, 60)}})],
         5),
        ("shell_check", [step("shell_lite", {"command": "systemctl is-active nginx postgresql redis-server && "
                                                        "journalctl -u nginx --since '-15 min' --no-pager | tail -n 50"}),
                         step("kv_set", {"key": "health:host-17", "value": "ok"})], 5),
        ("health_probe", [step("http_call", {"url": "http://localhost:9100/metrics", "timeout": 2}, 3),
                          step("http_call", {"url": "http://127.0.0.1:5432/ready", "timeout": 1}),
                          step("kv_set", {"key": key(), "value": "up"})], 5),
        ("api_sync", [step("http_call", {"url": "https://crm.vendor.example/api/v2/contacts?page=1", "timeout": 20}),
                      step("json_transform", {"source": "contacts", "mapping": {"email": "c.email"}}),
                      step("kv_set", {"key": key(), "value": w(100, 200)}, 2)], 10),
        ("chat_turn", [step("kv_get", {"key": key()}), step("llm_invoke", {"prompt": w(300, 600)}),
                       step("kv_set", {"key": key(), "value": w(400, 800)})], 10),
        ("report", [step("fs_read", {"path": "/reports/q1/sales.csv"}), step("fs_read", {"path": "/reports/q1/costs.csv"}),
                    step("llm_invoke", {"prompt": w(2100, 2400)}),
                    step("fs_write", {"path": "/reports/q1/summary.md", "content": w(1500, 2500)}),
                    step("email_send", {"to": "cfo@corp.example", "subject": w(15, 30), "body": w(200, 400)})], 25),
        ("ticket_triage", [step("http_call", {"url": "http://localhost:8000/tickets/open", "timeout": 10}),
                           step("llm_invoke", {"prompt": w(350, 500)}, 4),
                           step("webhook_send", {"url": "http://localhost:8000/tickets/assign",
                                                 "payload": {"queue": w(5, 12)}})], 30),
        ("translation", [step("llm_invoke", {"prompt": w(400, 600)}, 3),
                         step("kv_set", {"key": key(), "value": w(1000, 2000)})], 20),
        ("invoice_pipeline", [step("fs_read", {"path": "/finance/inbox/inv-88213.json"}),
                              step("json_transform", {"source": "invoice", "mapping": {"net": "lines.total"}}),
                              step("http_call", {"url": "http://127.0.0.1:8443/ledger/post", "method": "POST"}),
                              step("email_send", {"to": "ap@corp.example", "subject": w(20, 30),
                                                  "body": w(200, 300)})], 2),
        ("alert_relay", [step("kv_get", {"key": key()}),
                         step("webhook_send", {"url": "https://pager.example.com/v1/events", "payload": {"s": w(40, 80)}}),
                         step("email_send", {"to": "oncall@corp.example", "subject": w(30, 50), "body": w(200, 400)},
                              2)], 10),
    ]
    out = []
    for tag, plan, budget in patterns:
        assert agrees(plan, budget), (tag, v1(plan, budget), v2(plan, budget))
        anonymized = anonymize(plan)
        assert v1(anonymized, budget) == v1(plan, budget) and v2(anonymized, budget) == v2(plan, budget)
        out.append(sample(f"hi-{len(out) + 1:03d}", anonymized, budget, ["anonymized", tag]))
    return out


# ------------------------------------------------------------------------------------------------ output
# Every released version file: (dataset_id, version, function making its samples, sample count). A new version
# is a new row (and, if its samples differ, a new function); the rows and functions of released versions are
# never changed, so that their files stay byte for byte what was released (their hashes are recorded).
RELEASES = [
    ("low_variance", "1.0.0", low_variance, 30),
    ("high_variance", "1.0.0", high_variance, 16),
    ("mixed_city", "1.0.0", mixed_city, 25),
    ("noise_injected", "1.0.0", noise_injected, 8),
    ("historical", "1.0.0", historical, 20),
]
KEY_ORDER = ["id", "plan", "budget_cents", "allowed_skills", "expected_cost_cents", "expected_feasible",
             "expected_confidence_min", "tags"]


def line(obj):
    assert [k for k in KEY_ORDER if k in obj] == list(obj), list(obj)
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)),
                        help="output directory (default: the directory of this script)")
    args = parser.parse_args()
    sums = []
    for dataset_id, version, make, count in RELEASES:
        samples = make()
        assert len(samples) == count, (dataset_id, len(samples))
        assert len({s["id"] for s in samples}) == count
        metrics, acceptable, missed = validate_v2(dataset_id, samples)
        assert acceptable and not missed, (dataset_id, metrics, missed)
        data = "".join(line(s) for s in samples).encode("utf-8")
        # The build embeds each file in $costsim_dataset$ quotes (and refuses a file containing costsim_dataset$);
        # ASCII only, so that an install script reads the same whatever the server encoding.
        assert DOLLAR_TAG[1:].encode() not in data and data.isascii()
        path = f"{dataset_id}/{version}.jsonl"
        os.makedirs(os.path.join(args.out, dataset_id), exist_ok=True)
        with open(os.path.join(args.out, path), "wb") as f:
            f.write(data)
        sums.append((path, hashlib.sha256(data).hexdigest()))
        print(f"{path}: {count} samples, {sum(s['expected_feasible'] for s in samples)} feasible; V2 2.0.0: "
              "mean %.3f median %.3f std %.3f outliers %.3f drift %.4f (acceptable)" % metrics)
    with open(os.path.join(args.out, "SHA256SUMS"), "w", encoding="ascii", newline="\n") as f:
        f.writelines(f"{digest}  {path}\n" for path, digest in sorted(sums))
    return 0


if __name__ == "__main__":
    sys.exit(main())
