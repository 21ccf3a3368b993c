"""The event matcher's native core against its pure-Python twin, on the workloads of the issue's targets.

The twin is what runs where the C extension could not be built (no compiler at install time); this suite
says how much slower that is. Engines, all fed the same event bytes in one process:

- ``floor``: ``orjson.loads`` of the event bytes;
- ``native``: ``tamis.RuleSet`` / ``tamis.compile_pattern`` with the native core (the default when built);
- ``python``: the same with ``tamis.runtime.events.matcher.USE_NATIVE = False`` when the matcher is made.

Run: ``python3 -m pytest bench/event_patterns/test_bench_native.py
--benchmark-json=bench/.results/native.json`` then
``python3 bench/event_patterns/native_report.py bench/.results/native.json --results bench/RESULTS.md``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import event_data as data
import orjson
import pytest
from test_bench_matching import measure

ENGINES = ("floor", "native", "python")
EVENT_BYTES = data.to_bytes(data.cloudtrail_event())
CITYLOTS = data.citylots_rules()
CITYLOTS_EVENTS = data.citylots_events(200)


def _matcher(engine: str, rules: list[tuple[str, Any]], single: bool) -> Callable[[Any], Any]:
    import tamis
    from tamis.runtime.events import matcher as event_matcher

    if engine == "native" and event_matcher._native is None:
        pytest.skip("the native core is not built here")
    saved = event_matcher.USE_NATIVE
    event_matcher.USE_NATIVE = engine == "native"
    try:
        if single:
            return tamis.compile_pattern(json.dumps(rules[0][1])).matches
        rs = tamis.RuleSet()
        for name, pattern in rules:
            rs.add(name, json.dumps(pattern))
        rs.matches(EVENT_BYTES)  # the matcher is built (and its engine fixed) on the first event
        return rs.matches
    finally:
        event_matcher.USE_NATIVE = saved


WORKLOADS = [
    "single pattern, bytes",
    "1,000 rules, bytes",
    "10,000 rules, bytes",
    "CityLots COMBO, per event",
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("workload", WORKLOADS)
def test_native_and_twin(benchmark: Any, workload: str, engine: str) -> None:
    benchmark.group = workload
    per_call = 1
    if workload.startswith("CityLots"):
        if CITYLOTS is None:
            pytest.skip("CityLots2 rules are not present (../shared/bench)")
        events = CITYLOTS_EVENTS
        per_call = len(events)
        if engine == "floor":
            fn: Callable[[Any], Any] = lambda batch: [orjson.loads(e) for e in batch]  # noqa: E731
        else:
            match = _matcher(engine, CITYLOTS["COMBO"], single=False)
            fn = lambda batch: sum(len(match(e)) for e in batch)  # noqa: E731
        arg: Any = events
    else:
        arg = EVENT_BYTES
        if engine == "floor":
            fn = orjson.loads
        elif workload.startswith("single"):
            fn = _matcher(engine, [("p", data.cloudtrail_pattern())], single=True)
        else:
            size = 1000 if workload.startswith("1,000") else 10000
            fn = _matcher(engine, data.mixed_rules(size), single=False)
    measure(benchmark, fn, arg, workload=workload, engine=engine, events_per_call=per_call)
