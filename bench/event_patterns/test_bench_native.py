"""The event matcher's native core against its pure-Python twin, on the workloads of the issue's targets.

The twin is what runs where the C extension could not be built (no compiler at install time); this suite
says how much slower that is. Engines, all fed the same event bytes in one process:

- ``floor``: ``orjson.loads`` of the event bytes;
- ``native``: ``tamis.RuleSet`` / ``tamis.compile_pattern`` with the native core (the default when built);
- ``python``: the same with ``tamis.runtime.events.matcher.USE_NATIVE = False`` when the matcher is made.

Run: ``python3 -m pytest bench/event_patterns/test_bench_native.py
--benchmark-json=bench/.results/native.json`` then
``python3 bench/event_patterns/test_bench_native.py bench/.results/native.json --results bench/RESULTS.md``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import event_data as data
import orjson
import pytest
from test_bench_matching import measure

SECTION = "## Event-pattern matching without the native core"
COMMAND = (
    "python3 -m pytest bench/event_patterns/test_bench_native.py "
    "--benchmark-json=bench/.results/native.json && "
    "python3 bench/event_patterns/test_bench_native.py bench/.results/native.json --results bench/RESULTS.md"
)
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


# ---------------------------------------------------------------------------------------------------------
# Report: python3 bench/event_patterns/test_bench_native.py JSON [--results RESULTS.md]


def report(path: Path) -> str:
    raw = json.loads(path.read_text(encoding="utf-8"))
    cells: dict[str, dict[str, float]] = {}
    for bench in raw["benchmarks"]:
        info = bench.get("extra_info", {})
        if "engine" not in info:
            continue
        per_event = bench["stats"]["median"] / max(1, int(info.get("events_per_call", 1)))
        cells.setdefault(info["workload"], {})[info["engine"]] = per_event
    head = raw.get("tamis_bench", {})
    lines = [
        SECTION,
        "",
        "Produced by (from the repository root, after `pip install -e '.[bench]'`):",
        "",
        "```",
        COMMAND,
        "```",
        "",
        f"Run {raw.get('datetime')} at commit {head.get('git_head', '?')}; medians per event, same run."
        " *python* is the pure-Python twin that runs where the C extension could not be built at install"
        " time; both give the same answers (tests/test_event_matcher_native.py).",
        "",
        "| workload | floor | native | python | native / floor | python / floor | python / native |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for workload in WORKLOADS:
        row = cells.get(workload)
        if not row or not {"floor", "native", "python"} <= set(row):
            continue
        f, n, p = row["floor"], row["native"], row["python"]
        times = " | ".join(f"{t * 1e6:.2f} µs" for t in (f, n, p))
        lines.append(f"| {workload} | {times} | {n / f:.2f}x | {p / f:.2f}x | {p / n:.2f}x |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    from report import SECTION as PATTERNS_SECTION
    from report import replace_section

    text = report(Path(argv[0]))
    if len(argv) >= 3 and argv[1] == "--results":
        results = Path(argv[2])
        document = results.read_text(encoding="utf-8")
        results.write_text(replace_section(document, text, SECTION, after=PATTERNS_SECTION), encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main(sys.argv[1:]))
