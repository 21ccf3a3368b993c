"""Timing helpers shared by the benchmark suites (pytest-benchmark does the main timing)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def once(fn: Callable[[Any], Any], arg: Any) -> tuple[Any, float]:
    """The result of ``fn(arg)`` and the faster of two warm calls' durations."""
    start = time.perf_counter()
    result = fn(arg)
    first = time.perf_counter() - start
    start = time.perf_counter()
    fn(arg)
    return result, max(min(first, time.perf_counter() - start), 1e-9)


def chunk(duration: float) -> int:
    # Timed chunks of at least ~1 ms keep timer resolution out of the figures; slow calls run one at a time.
    return max(1, int(0.001 / duration))


def interleaved_ratio(
    fn: Callable[[Any], Any], arg: Any, floor_fn: Callable[[Any], Any], floor_arg: Any, budget: float
) -> float:
    """Median over alternating chunks of (time per ``fn`` call) / (time per ``floor_fn`` call).

    On a machine shared with other work both sides then see the same disturbance, which two benchmarks
    run seconds apart do not.
    """
    _, one = once(fn, arg)
    _, floor_one = once(floor_fn, floor_arg)
    n, m = chunk(one), chunk(floor_one)
    ratios = []
    for _ in range(max(5, min(500, int(budget / (one * n + floor_one * m))))):
        start = time.perf_counter()
        for _ in range(m):
            floor_fn(floor_arg)
        middle = time.perf_counter()
        for _ in range(n):
            fn(arg)
        end = time.perf_counter()
        ratios.append(((end - middle) / n) / ((middle - start) / m))
    return statistics.median(ratios)
