"""Interval stabbing: which numeric ranges (or IP address blocks) contain a value.

``IntervalTree`` is a centered interval tree: each node holds the intervals that contain its center,
sorted twice (by low end ascending, by high end descending); the others go to the subtree on their side.
Each interval is stored once (O(n) memory), the build sorts (O(n log n)), and a stab walks one root-to-leaf
path, reading at each node only the intervals it reports plus one (O(log n + k)).

``Intervals`` keeps such trees live under ``add``/``remove`` (the logarithmic method: a few trees of
doubling sizes, each rebuilt only when merged); an update costs O(log n) amortized, a stab O(log^2 n + k).

Numeric ranges hold doubles (+-inf for an open end); address blocks hold fixed-width hex strings, which
compare like the addresses they spell. An interval is (low, low_inclusive, high, high_inclusive, id).
The native core walks the same nodes (NODE in runtime/events/native.py).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable
from typing import Any

Interval = tuple[Any, bool, Any, bool, int]
# NODE = (center, lows, low_incs, low_ids, highs, high_incs, high_ids, left, right, flat) [T_CENTER ..
# T_FLAT]: the node's intervals by low end ascending (inclusive before exclusive at equal ends) and by high
# end descending (inclusive first); left/right: the NODE of the intervals wholly below/above center, or
# None. A ``flat`` node (no center splits its intervals) lists them in one order, each tested in full.
Node = tuple[Any, ...]

SAMPLE = 101  # endpoints a node's center is chosen from
_INF, _NEG_INF = math.inf, -math.inf
PENDING = 32  # additions held in a list before they become a tree
FLAT_SAMPLE = 64  # intervals of a flat node read by count_tree


def contains(item: Interval, x: Any) -> bool:
    lo, lo_inc, hi, hi_inc, _ = item
    return (lo < x or (lo_inc and lo == x)) and (x < hi or (hi_inc and x == hi))


def _empty(item: Interval) -> bool:
    lo, lo_inc, hi, hi_inc, _ = item
    return hi < lo or (lo == hi and not (lo_inc and hi_inc))


def _split(items: list[Interval], center: Any) -> tuple[list[Interval], list[Interval], list[Interval]]:
    here: list[Interval] = []
    left: list[Interval] = []
    right: list[Interval] = []
    for item in items:
        lo, lo_inc, hi, hi_inc, _ = item
        if hi < center or (hi == center and not hi_inc):
            left.append(item)
        elif center < lo or (lo == center and not lo_inc):
            right.append(item)
        else:
            here.append(item)
    return here, left, right


def _median(values: list[Any], default: Any) -> Any:
    """The median of the finite values, estimated from at most SAMPLE of them evenly spaced (an exact
    median at each node would sort every endpoint again, level after level)."""
    step = max(1, len(values) // SAMPLE)
    finite = sorted(p for p in values[::step] if p != _INF and p != _NEG_INF)
    return finite[len(finite) // 2] if finite else default


def build_tree(items: list[Interval]) -> Node | None:
    """The NODE of ``items`` (empty intervals are left out: they contain nothing)."""
    items = [it for it in items if not _empty(it)]
    return _build(items) if items else None


def _build(items: list[Interval]) -> Node:
    center = _median(
        [p for lo, _, hi, _, _ in items for p in (lo, hi)], 0.0 if type(items[0][0]) is float else ""
    )
    here, left, right = _split(items, center)
    if not here and (not left or not right):
        # Every interval is open at the center, on one side of it (many ranges ending where one starts):
        # center on the median of their other ends instead.
        ends = [it[0] for it in items] if left else [it[2] for it in items]
        center = _median([p for p in ends if p != center], center)
        here, left, right = _split(items, center)
        if not here and (not left or not right):
            return _flat(items)
    by_low = sorted(here, key=lambda it: (it[0], not it[1]))
    by_high = sorted(here, key=lambda it: (it[2], it[3]), reverse=True)
    return (
        center,
        tuple(it[0] for it in by_low),
        tuple(it[1] for it in by_low),
        tuple(it[4] for it in by_low),
        tuple(it[2] for it in by_high),
        tuple(it[3] for it in by_high),
        tuple(it[4] for it in by_high),
        _build(left) if left else None,
        _build(right) if right else None,
        False,
    )


def _flat(items: list[Interval]) -> Node:
    """A leaf whose intervals are each tested in full (the split above found no center)."""
    return (
        None,
        tuple(it[0] for it in items),
        tuple(it[1] for it in items),
        tuple(it[4] for it in items),
        tuple(it[2] for it in items),
        tuple(it[3] for it in items),
        tuple(it[4] for it in items),
        None,
        None,
        True,
    )


def stab_tree(node: Node | None, x: Any, out: list[int]) -> None:
    """Append to ``out`` the ids of the intervals of the tree that contain ``x``."""
    while node is not None:
        center, lows, low_incs, low_ids, highs, high_incs, high_ids, left, right, flat = node
        if flat:
            for k, lo in enumerate(lows):
                hi = highs[k]
                if (lo < x or (low_incs[k] and lo == x)) and (x < hi or (high_incs[k] and x == hi)):
                    out.append(low_ids[k])
            return
        if x < center:
            for k, lo in enumerate(lows):
                if lo < x or (lo == x and low_incs[k]):
                    out.append(low_ids[k])
                else:
                    break
            node = left
        elif center < x:
            for k, hi in enumerate(highs):
                if x < hi or (hi == x and high_incs[k]):
                    out.append(high_ids[k])
                else:
                    break
            node = right
        else:  # x is the center, which every interval of the node contains; none below or above does
            if x == center:
                out.extend(low_ids)
            return


def count_tree(node: Node | None, x: Any) -> int:
    """About how many intervals of a numeric tree contain ``x``, in O(log n): each node's share is found by
    bisection instead of read (an end equal to ``x`` counts whether inclusive or not). A flat node is
    sampled."""
    total = 0
    while node is not None:
        center, lows, _, _, highs, _, _, left, right, flat = node
        if flat:
            step = max(1, len(lows) // FLAT_SAMPLE)
            hits = sum(1 for k in range(0, len(lows), step) if lows[k] <= x <= highs[k])
            return total + hits * step
        if x < center:
            total += bisect_right(lows, x)
            node = left
        elif center < x:
            total += bisect_right(highs, -x, key=_negated)  # highs descend: those at least x
            node = right
        else:
            return total + len(lows) if x == center else total
    return total


def _negated(p: Any) -> Any:
    return -p


class Intervals:
    """A live set of intervals: ``add``, ``remove``, ``stab``.

    Bentley and Saxe's logarithmic method: the intervals sit in static trees whose sizes at least double
    from one to the next (``trees``), plus a short list of the latest additions (``added``, at most
    PENDING). When the list fills, it becomes a tree, merged (rebuilt) with the trees no larger than
    itself, so each interval is rebuilt O(log n) times and a stab reads O(log n) trees. A removal is
    noted in ``removed`` (filtered from the trees' answers) until half the intervals are removed ones, then
    everything is rebuilt."""

    __slots__ = ("added", "items", "levels", "removed", "trees")

    def __init__(self, items: Iterable[Interval] = ()) -> None:
        self.items: dict[int, Interval] = {}
        # each tree with its intervals, largest first
        self.levels: list[tuple[list[Interval], Node | None]] = []
        self.trees: tuple[Node, ...] = ()
        self.added: tuple[Interval, ...] = ()  # not yet in a tree
        self.removed: set[int] = set()  # in a tree, no longer in the set (mutated in place: readers probe it)
        for item in items:
            self.add(item)

    def __len__(self) -> int:
        return len(self.items)

    def add(self, item: Interval) -> None:
        ident = item[4]
        self.items[ident] = item
        if ident in self.removed:  # back while its old copy is still in a tree: start afresh
            self._rebuild()
            return
        if len(self.added) < PENDING:
            self.added = (*self.added, item)
            return
        level = [*self.added, item]
        while self.levels and len(self.levels[-1][0]) <= len(level):
            level = self.levels.pop()[0] + level
        gone = [it[4] for it in level if it[4] in self.removed]
        if gone:
            level = [it for it in level if it[4] not in self.removed]
            self.removed.difference_update(gone)
        self.levels.append((level, build_tree(level)))
        self._publish()
        self.added = ()

    def _rebuild(self) -> None:
        everything = list(self.items.values())
        self.levels = [(everything, build_tree(everything))] if everything else []
        self.added = ()
        self.removed = set()
        self._publish()

    def remove(self, ident: int) -> None:
        item = self.items.pop(ident, None)
        if item is None:
            return
        kept = tuple(it for it in self.added if it[4] != ident)
        if len(kept) != len(self.added):
            self.added = kept
            return
        self.removed.add(ident)
        if len(self.removed) > len(self.items):
            self._rebuild()

    def _publish(self) -> None:
        self.trees = tuple(tree for _, tree in self.levels if tree is not None)

    def stab(self, x: Any) -> list[int]:
        """Ids of the intervals that contain ``x``."""
        out: list[int] = []
        for tree in self.trees:
            stab_tree(tree, x, out)
        if self.removed:
            removed = self.removed
            out = [i for i in out if i not in removed]
        for item in self.added:
            if contains(item, x):
                out.append(item[4])
        return out

    def count(self, x: Any) -> int:
        """About how many numeric ranges contain ``x`` (``count_tree``; removed ones not yet out of their
        tree still count): how many ranges an event value that meets one near ``x`` meets, for the choice
        of access conditions, in O(log^2 n) however many there are."""
        return sum(count_tree(tree, x) for tree in self.trees) + sum(contains(it, x) for it in self.added)


def _infinite(p: Any) -> bool:
    return isinstance(p, float) and math.isinf(p)
