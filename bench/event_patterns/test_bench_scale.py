"""Event matching at scale: build time, one add or remove with the next match, per-event time on crowded
sets, memory per rule. The floor (``orjson.loads`` of the same event bytes) runs in the same process,
interleaved chunk by chunk with tamis (bench/timing.py), so ratios hold on a shared machine.

Run: ``python3 -m pytest bench/event_patterns/test_bench_scale.py --benchmark-json=bench/.results/scale.json``
(``TAMIS_SCALE_SIZES`` picks the rule counts, default ``10000,100000``; ``TAMIS_BENCH_BUDGET`` the seconds
per benchmark, default 0.5). Figures and commands: bench/RESULTS.md, "Event matching at scale".

Per rule kind (``-k kind``): ``TAMIS_KIND_SIZES`` picks the rule counts (default ``100,1000,10000,100000``);
the 100,000-rule ones are marked ``huge``, so ``-m "not huge"`` leaves them out. ``scale_report.py`` turns
the JSON into the per-kind table and charts. A size where one event takes more than
``TAMIS_KIND_EVENT_CAP`` seconds (default 5) skips its per-event timing with the time it took.
"""

from __future__ import annotations

import gc
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import event_data as data
import orjson
import pytest
import scale_data
from timing import chunk, interleaved_ratio, once

import tamis

BUDGET = float(os.environ.get("TAMIS_BENCH_BUDGET", "0.5"))
SIZES = [int(s) for s in os.environ.get("TAMIS_SCALE_SIZES", "10000,100000").split(",")]
EVENT_BYTES = data.to_bytes(data.cloudtrail_event())

_BUILT: dict[tuple[str, int], tuple[tamis.RuleSet, float, bytes, int]] = {}


def _rules(workload: str, n: int) -> tuple[list[tuple[str, Any]], bytes, int]:
    if workload == "mixed":
        return data.mixed_rules(n), EVENT_BYTES, data.planted_count(n)
    if workload == "crowded":
        return scale_data.crowded(n)
    if workload == "deep-paths":
        return scale_data.deep_paths(n)
    if workload == "arrays":
        return scale_data.arrays(n)
    raise ValueError(f"unknown workload {workload!r}")


def built(workload: str, n: int) -> tuple[tamis.RuleSet, float, bytes, int]:
    """The rule set (built once per run), its build time (compile included), its event, expected count."""
    key = (workload, n)
    if key not in _BUILT:
        rules, event, expected = _rules(workload, n)
        start = time.perf_counter()
        rs = tamis.RuleSet()
        for name, pattern in rules:
            rs.add(name, pattern)
        rs.matches(event)
        _BUILT[key] = (rs, time.perf_counter() - start, event, expected)
    return _BUILT[key]


def timed(benchmark: Any, fn: Callable[[Any], Any], arg: Any, **info: Any) -> Any:
    result, one = once(fn, arg)
    iterations = chunk(one)
    rounds = max(3, min(2000, int(BUDGET / (one * iterations))))
    benchmark.extra_info.update(info)
    benchmark.pedantic(fn, args=(arg,), iterations=iterations, rounds=rounds, warmup_rounds=1)
    benchmark.extra_info["floor_ratio_interleaved"] = interleaved_ratio(fn, arg, orjson.loads, arg, BUDGET)
    return result


# ---------------------------------------------------------------------------------------------------------
# Per event, with the build time recorded beside it.


@pytest.mark.parametrize(
    ("workload", "n"),
    [(w, n) for w in ("mixed", "crowded") for n in SIZES] + [(w, 10000) for w in ("deep-paths", "arrays")],
)
def test_per_event(benchmark: Any, workload: str, n: int) -> None:
    rs, build, event, expected = built(workload, n)
    benchmark.group = f"scale-{workload}"
    names = timed(benchmark, rs.matches, event, workload=workload, rules=n, build_seconds=build)
    benchmark.extra_info["matched"] = len(names)
    assert len(names) == expected


# ---------------------------------------------------------------------------------------------------------
# One rule kind at a time, 100 to 100,000 rules (scale_data.kinds; charts: scale_report.py). Build time and
# RSS per rule come from a fresh interpreter per build; per-event time from a set built in this process,
# timed against the floor interleaved in the same loop. Sizes of 100,000 are marked ``huge``.

KIND_SIZES = [int(s) for s in os.environ.get("TAMIS_KIND_SIZES", "100,1000,10000,100000").split(",")]
EVENT_CAP = float(os.environ.get("TAMIS_KIND_EVENT_CAP", "5"))  # seconds for one event, else skipped
REFERENCE_UP_TO = 10_000  # the reference interpreter walks every rule: seconds at 10,000, minutes beyond
_KIND_PARAMS = [
    pytest.param(kind, n, marks=[pytest.mark.huge] if n >= 100_000 else [], id=f"{kind}-{n}")
    for kind in scale_data.KINDS
    for n in KIND_SIZES
]
_KIND_BUILT: dict[tuple[str, int], tuple[tamis.RuleSet, dict[str, float], scale_data.Workload]] = {}


def kind_built(kind: str, n: int) -> tuple[tamis.RuleSet, dict[str, float], scale_data.Workload]:
    """The set of ``kind`` at ``n`` rules, built in this process, with its build seconds and RSS growth per
    rule (first build of the process: run one size per process, as the 100,000-rule loop of RESULTS.md
    does, and these match the fresh-interpreter figures). Only the last set is kept (100,000-rule sets of
    every kind would not fit beside each other)."""
    if (kind, n) not in _KIND_BUILT:
        _KIND_BUILT.clear()
        gc.collect()
        workload = scale_data.kinds(kind, n)
        rs, seconds, before = scale_data.timed_build(workload)  # as test_kind_build, in this process
        figures = {"build_seconds_in_process": seconds}
        gc.collect()
        after = scale_data.rss()
        if before is not None and after is not None:
            figures["rss_bytes_per_rule_in_process"] = (after - before) / n
        _KIND_BUILT[(kind, n)] = (rs, figures, workload)
    return _KIND_BUILT[(kind, n)]


def reference_names(workload: scale_data.Workload) -> list[str] | None:
    """The rules the plain reference interpreter of tests/support matches (None when tests/ is not on the
    path, as when bench/ runs from an installed package)."""
    try:
        from support.reference_patterns import ref_matches
    except ImportError:
        return None
    event = orjson.loads(workload.event)
    return sorted(name for name, pattern in workload.rules if ref_matches(pattern, event))


class _OverCap(Exception):
    pass


def _raise_over_cap(signum: int, frame: Any) -> None:
    raise _OverCap


def over_cap(fn: Callable[[Any], Any], arg: Any, cap: float) -> float | None:
    """The seconds one call took when that is more than ``cap`` (the call is interrupted by a timer signal
    where it runs Python code), else None. The timing takes a dozen calls: at 100,000 rules a kind whose
    per-event cost grows faster than its rule count would take many minutes."""
    if not hasattr(signal, "setitimer"):
        return None
    previous = signal.signal(signal.SIGALRM, _raise_over_cap)
    start = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, cap)
    try:
        fn(arg)
    except _OverCap:
        return time.perf_counter() - start
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    elapsed = time.perf_counter() - start
    return elapsed if elapsed > cap else None


@pytest.mark.parametrize(("kind", "n"), _KIND_PARAMS)
def test_kind_per_event(benchmark: Any, kind: str, n: int) -> None:
    rs, figures, workload = kind_built(kind, n)
    slow = over_cap(rs.matches, workload.event, EVENT_CAP)
    if slow is not None:
        _KIND_BUILT.clear()  # an interrupted match may leave the set half-updated
        pytest.skip(f"{kind} at {n:,} rules: one event took over {EVENT_CAP:g} s ({slow:.3g} s when stopped)")
    benchmark.group = f"scale-kind-{kind}"
    names = timed(
        benchmark, rs.matches, workload.event, workload=f"kind-{kind}", kind=kind, rules=n,
        measure="per-event", event_bytes=len(workload.event), **figures,
    )  # fmt: skip
    benchmark.extra_info["matched"] = len(names)
    assert sorted(names) == workload.expected
    if n <= REFERENCE_UP_TO:
        reference = reference_names(workload)
        benchmark.extra_info["reference_checked"] = reference is not None
        assert reference is None or reference == workload.expected


_KIND_BUILD = """
import gc, sys
sys.path[:0] = {paths!r}
import scale_data
workload = scale_data.kinds({kind!r}, {n})
rs, seconds, before = scale_data.timed_build(workload)
del workload
gc.collect()
print(seconds, (scale_data.rss() - before) / {n})
"""


@pytest.mark.parametrize(("kind", "n"), _KIND_PARAMS)
def test_kind_build(benchmark: Any, kind: str, n: int) -> None:
    """Build time (compile and the first match included) and RSS growth per rule, in a fresh interpreter:
    a second build in one process finds the compiler's caches warm. Imports are taken first (a one-rule set
    of every operator on other fields), so that 100 rules do not carry the process's set-up. One round:
    builds take seconds."""
    if not os.path.exists("/proc/self/statm"):
        pytest.skip("RSS is read from /proc")
    paths = [p for p in sys.path if p.endswith(("bench", "event_patterns"))]
    code = _KIND_BUILD.format(paths=paths, kind=kind, n=n)
    measured: dict[str, float] = {}

    def build(_: Any) -> float:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        seconds, per_rule = out.stdout.split()[-2:]
        measured.update(build_seconds=float(seconds), rss_bytes_per_rule=float(per_rule))
        return float(seconds)

    benchmark.group = f"scale-kind-build-{kind}"
    benchmark.pedantic(build, args=(None,), iterations=1, rounds=1)
    benchmark.extra_info.update(workload=f"kind-{kind}", kind=kind, rules=n, measure="build", **measured)


# ---------------------------------------------------------------------------------------------------------
# Build: 25,000 and 100,000 mixed rules, one core, compile included (the growth ratio is the target), each
# in a fresh interpreter: a second build in one process finds the compiler's caches warm.

_BUILD = """
import sys, time
sys.path[:0] = {paths!r}
import event_data as data, tamis
rules = data.mixed_rules({n})
start = time.perf_counter()
rs = tamis.RuleSet()
for name, pattern in rules:
    rs.add(name, pattern)
rs.matches({event!r})
print(time.perf_counter() - start)
"""


@pytest.mark.parametrize("n", [25000, 100000])
def test_build_mixed(benchmark: Any, n: int) -> None:
    benchmark.group = "scale-build"
    paths = [p for p in sys.path if p.endswith(("bench", "event_patterns"))]
    code = _BUILD.format(paths=paths, n=n, event=EVENT_BYTES)

    def build(_: Any) -> float:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        return float(out.stdout.split()[-1])

    seconds = benchmark.pedantic(build, args=(None,), iterations=1, rounds=1)
    benchmark.extra_info.update(workload="build-mixed", rules=n, build_seconds=seconds)


# ---------------------------------------------------------------------------------------------------------
# Churn: one add or one remove on a built set, the next match included (medians over many).


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("workload", ["mixed", "crowded"])
def test_add_or_remove_then_match(benchmark: Any, workload: str, n: int) -> None:
    rs, _, event, _ = built(workload, n)
    rules, _, _ = _rules(workload, n)
    rng = random.Random(7)
    picks = [rules[rng.randrange(n)] for _ in range(400)]
    state = {"k": 0, "removed": None}

    def change(_: Any) -> list[str]:
        # Alternately remove a rule and add it back: every call is one change and one match.
        if state["removed"] is None:
            name, pattern = picks[state["k"] % len(picks)]
            state["k"] += 1
            rs.remove(name)
            state["removed"] = (name, pattern)
        else:
            name, pattern = state["removed"]
            rs.add(name, pattern)
            state["removed"] = None
        return rs.matches(event)

    benchmark.group = f"scale-churn-{workload}"
    benchmark.extra_info.update(workload=f"churn-{workload}", rules=n)
    benchmark.pedantic(change, args=(None,), iterations=1, rounds=400, warmup_rounds=2)
    if state["removed"] is not None:
        rs.add(*state["removed"])  # type: ignore[misc]


# ---------------------------------------------------------------------------------------------------------
# Memory: resident set growth per rule, each size in a fresh interpreter.

_RSS = """
import gc, sys
sys.path[:0] = {paths!r}
import event_data as data, scale_data, tamis
rules = data.mixed_rules({n}) if {workload!r} == 'mixed' else scale_data.simple({n})
before = scale_data.rss()
rs = tamis.RuleSet()
for name, pattern in rules:
    rs.add(name, pattern)
rs.matches(b'{{"source": "x"}}')
del rules
gc.collect()
print((scale_data.rss() - before) / {n})
"""


@pytest.mark.parametrize("workload", ["mixed", "simple"])
def test_rss_per_rule(benchmark: Any, workload: str) -> None:
    if not os.path.exists("/proc/self/statm"):
        pytest.skip("RSS is read from /proc")
    n = 100000
    paths = [p for p in sys.path if p.endswith(("bench", "event_patterns"))]
    code = _RSS.format(paths=paths, n=n, workload=workload)

    def measure(_: Any) -> float:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        return float(out.stdout.split()[-1])

    benchmark.group = "scale-rss"
    per_rule = benchmark.pedantic(measure, args=(None,), iterations=1, rounds=1)
    benchmark.extra_info.update(workload=f"rss-{workload}", rules=n, rss_bytes_per_rule=per_rule)
