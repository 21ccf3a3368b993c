"""Interval tables: which numeric ranges (or IP address blocks) contain a value, in O(log n).

Numeric ranges hold doubles (with +-inf for an open end); address blocks hold fixed-width hex strings,
which compare like the addresses they spell.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable
from typing import Any


class Intervals:
    """Stabbing queries over inclusive/exclusive intervals: which ids contain x? O(log n) per query."""

    __slots__ = ("at", "gap", "points")

    def __init__(self, items: Iterable[tuple[Any, bool, Any, bool, int]]) -> None:
        items = list(items)
        finite = {p for lo, _, hi, _, _ in items for p in (lo, hi) if not _infinite(p)}
        self.points: list[Any] = sorted(finite)
        n = len(self.points)
        # gap k is the open stretch between points[k-1] and points[k] (k = 0 and k = n are unbounded).
        gap: list[set[int]] = [set() for _ in range(n + 1)]
        at: list[set[int]] = [set() for _ in range(n)]
        for lo, lo_inc, hi, hi_inc, ident in items:
            if _infinite(lo):
                first = 0
            else:
                a = bisect_left(self.points, lo)
                first = a + 1
                if lo_inc:
                    at[a].add(ident)
            if _infinite(hi):
                last_point, last_gap = n - 1, n
            else:
                b = bisect_left(self.points, hi)
                last_point, last_gap = b - 1, b
                if hi_inc:
                    at[b].add(ident)
            for k in range(first, last_point + 1):
                at[k].add(ident)
            for k in range(first, last_gap + 1):
                gap[k].add(ident)
        self.gap = [frozenset(s) for s in gap]
        self.at = [frozenset(s) for s in at]

    def stab(self, x: Any) -> frozenset[int]:
        k = bisect_left(self.points, x)
        if k < len(self.points) and self.points[k] == x:
            return self.at[k]
        return self.gap[k]


def _infinite(p: Any) -> bool:
    return isinstance(p, float) and math.isinf(p)
