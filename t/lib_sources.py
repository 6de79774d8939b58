"""Expected usage for the fixture generators of the t12x0 source tests.

Each generator writes a tool's own log format and, beside it, what
git-tokens must report: per repository, per UTC day, the counters and
the cost, worked out here from the tokens the records were made with
and from the price table the test installs (prices-test.json).
"""
import json
import os

# USD per million tokens: input, output, cache write, cache read. Only
# Anthropic has a cache write rate of its own; the others bill cache
# writes as input.
PRICES = {
    "claude-sonnet-4-5": (3, 15, 3.75, 0.30),
    "claude-haiku-4-5": (1, 5, 1.25, 0.10),
    "gpt-5": (1.25, 10, 1.25, 0.125),
    "qwen3-coder-plus": (1, 5, 1, 0.10),
    "qwen3-coder-flash": (0.30, 1.50, 0.30, 0.03),
    "kimi-for-coding": (0.60, 2.50, 0.60, 0.15),
    "kimi-k2-turbo-preview": (1.15, 8, 1.15, 0.15),
}


def write_prices(path="prices-test.json"):
    models = {}
    for m, p in PRICES.items():
        models[m] = {"provider": "test", "input": p[0], "output": p[1],
                     "cache_read": p[3]}
        if m.startswith("claude"):
            models[m]["provider"] = "anthropic"
            models[m]["cache_write_5m"] = p[2]
    with open(path, "w") as f:
        json.dump({"schema": "git-tokens/prices/v1", "date": "2026-11-01",
                   "currency": "USD", "unit": "per million tokens",
                   "models": models, "aliases": {}}, f)


class Expect:
    """Usage per repository path and UTC day."""

    def __init__(self):
        self.days = {}

    def bill(self, repo, ts, model, inp=0, out=0, cw=0, cr=0):
        day = ts[:10]
        e = self.days.setdefault(repo, {}).setdefault(day, dict(
            requests=0, input=0, output=0, cache_write=0, cache_read=0,
            cost_usd=0.0))
        pi, po, pw, pr = PRICES[model]
        e["requests"] += 1
        e["input"] += inp
        e["output"] += out
        e["cache_write"] += cw
        e["cache_read"] += cr
        e["cost_usd"] += (inp * pi + out * po + cw * pw + cr * pr) / 1e6

    def write(self, repo, path):
        with open(path, "w") as f:
            json.dump(self.days.get(os.path.abspath(repo), {}), f)


def write_lines(path, lines):
    """JSON Lines; a str is written as it is (bad and cut lines)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        for l in lines:
            f.write((l if isinstance(l, str) else json.dumps(l)) + "\n")


def write_json(path, doc):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
