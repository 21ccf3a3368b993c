"""Many wildcard rules on one field (issue 17, point 6): building the field's index, matching events, and
EventBridge's complexity check per rule.

Workload (seeded): N rules, each one wildcard on ``detail.key``, from templates real rule sets use (object
keys under a prefix, file suffixes, ARNs with a STAR for the region, patterns with inner literals only);
the event is a 0.3 KB event whose key one rule matches (``hit``) or none (``miss``). Engines:

- ``floor``: ``orjson.loads`` of the same event bytes;
- ``native`` / ``python``: ``tamis.RuleSet.matches`` with and without the native core.

``build`` times ``WildcardTests`` over the N patterns (the index a field's wildcards get, the part that
used to fail past 25,000 patterns); ``check`` times EventBridge's wildcard-complexity verdict for 10,000
rules of one to three wildcards each, memo cleared, so the figure is per distinct rule.

Run: ``python3 -m pytest bench/event_patterns/test_bench_wildcards.py
--benchmark-json=bench/.results/wildcards.json``.
"""

from __future__ import annotations

import json
import random
from functools import cache
from typing import Any

import orjson
import pytest
from test_bench_matching import measure

SIZES = (10_000, 100_000)
NAMES = ["orders", "billing", "audit", "images", "reports", "backups", "users", "events", "metrics", "logs"]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(NAMES)}-{rng.randrange(100_000)}"


def wildcard(rng: random.Random, i: int) -> str:
    kind = i % 5
    if kind == 0:
        return f"uploads/{_name(rng)}/*/*.pdf"
    if kind == 1:
        return f"*/{_name(rng)}/*.csv"
    if kind == 2:
        return f"arn:aws:cloudformation:*:123456789012:stack/{_name(rng)}/*"
    if kind == 3:
        return f"*{_name(rng)}*{rng.randrange(1000)}*"
    return f"logs/*/{_name(rng)}/*.gz"


@cache
def patterns(size: int) -> list[str]:
    rng = random.Random(size)
    return [wildcard(rng, i) for i in range(size)]


def event_bytes(key: str) -> bytes:
    return orjson.dumps(
        {
            "version": "0",
            "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
            "detail-type": "Object Created",
            "source": "aws.s3",
            "account": "123456789012",
            "time": "2026-12-07T10:00:00Z",
            "region": "eu-west-1",
            "detail": {"bucket": "data-lake", "key": key, "size": 52133},
        }
    )


def hit_key(size: int) -> str:
    # The pattern of the middle rule, each STAR filled in: one rule at least matches it.
    return patterns(size)[size // 2 + 1].replace("*", "x1")


MISS_KEY = "uploads/none-of-these/2026/12/07/report.txt"


@cache
def ruleset(size: int, native: bool) -> Any:
    import tamis
    from tamis.runtime.events import matcher as event_matcher

    saved = event_matcher.USE_NATIVE
    event_matcher.USE_NATIVE = native
    try:
        rules = tamis.RuleSet()
        for i, text in enumerate(patterns(size)):
            rules.add(f"r{i}", json.dumps({"detail": {"key": [{"wildcard": text}]}}))
        rules.matches(event_bytes(MISS_KEY))  # built, engine fixed, on the first event
        return rules
    finally:
        event_matcher.USE_NATIVE = saved


@pytest.mark.parametrize("size", SIZES)
def test_build(benchmark: Any, size: int) -> None:
    from tamis.runtime.events.string_tests import WildcardTests

    entries = [(text, i) for i, text in enumerate(patterns(size))]
    benchmark.extra_info.update(workload=f"build, {size:,} wildcards on one field", size=size)
    index = benchmark.pedantic(WildcardTests, args=(entries,), rounds=3, iterations=1)
    found: set[int] = set()
    index.find(hit_key(size), found)
    assert size // 2 + 1 in found


@pytest.mark.parametrize("engine", ("floor", "native", "python"))
@pytest.mark.parametrize("event", ("hit", "miss"))
@pytest.mark.parametrize("size", SIZES)
def test_per_event(benchmark: Any, size: int, event: str, engine: str) -> None:
    from tamis.runtime.events import matcher as event_matcher

    data = event_bytes(hit_key(size) if event == "hit" else MISS_KEY)
    info = {"workload": f"per event, {size:,} wildcard rules, {event}", "size": size, "engine": engine}
    if engine == "floor":
        measure(benchmark, orjson.loads, data, **info)
        return
    if engine == "native" and event_matcher._native is None:
        pytest.skip("the native core is not built here")
    matches = ruleset(size, engine == "native").matches
    result = measure(benchmark, matches, data, floor=(orjson.loads, data), **info)
    assert (f"r{size // 2 + 1}" in result) is (event == "hit")


def test_complexity_check(benchmark: Any) -> None:
    from tamis.compiler.event_patterns import wildcard_complexity

    rng = random.Random(17)
    fields = [[wildcard(rng, rng.randrange(5)) for _ in range(1 + i % 3)] for i in range(10_000)]

    def check_all(fields: list[list[str]]) -> int:
        wildcard_complexity._exceeds.cache_clear()
        wildcard_complexity._pattern_bound.cache_clear()
        return sum(wildcard_complexity.exceeds(f, 10) for f in fields)

    benchmark.extra_info.update(workload="complexity check, 10,000 rules of 1-3 wildcards", size=10_000)
    rejected = benchmark.pedantic(check_all, args=(fields,), rounds=3, iterations=1)
    assert rejected == sum(wildcard_complexity.complexity(f, 11) > 10 for f in fields)
