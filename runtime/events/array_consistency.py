"""Array consistency: no match may combine values from different elements of the same array of objects.

The walker notes each value met inside arrays of objects with its trail, the (array id, index) pairs it
sits at. A rule whose conditions were met inside arrays matches only if one choice of elements holds
all of them; ``consistent`` searches for that choice.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

# Trails compared per pair of conditions (``trails_agree``) before the filter gives up and lets them pass:
# the full check of ``consistent`` decides later in any case.
PAIR_TRAILS = 256
Trail = tuple[Any, ...]  # (array id, index) pairs


def consistent(
    needed: list[int],
    i: int,
    chosen: dict[int, int],
    hits: dict[int, list[tuple[Any, ...]]],
    pending: dict[int, int],
    by_path: dict[int, list[tuple[Any, ...]]],
) -> bool:
    """Can conditions needed[i:] hold with values from array elements consistent with ``chosen``?

    Conditions are taken in the lexical order of their paths, as the services walk a rule's fields; an
    `exists: false` alternative holds when no value of its path sits in the elements chosen so far.
    """
    if i == len(needed):
        return True
    ident = needed[i]
    pid = pending.get(ident)
    if pid is not None and all(merge(chosen, trail) is None for trail in by_path[pid]):
        return consistent(needed, i + 1, chosen, hits, pending, by_path)
    tried: set[tuple[Any, ...]] = set()
    for trail in hits.get(ident, ()):
        if trail in tried:
            continue
        tried.add(trail)
        merged = merge(chosen, trail)
        if merged is not None and consistent(needed, i + 1, merged, hits, pending, by_path):
            return True
    return False


def merge(chosen: dict[int, int], trail: tuple[Any, ...]) -> dict[int, int] | None:
    """``chosen`` (array id -> index) extended with ``trail``, or None when they disagree."""
    if not trail:
        return chosen
    merged = None
    for array_id, index in trail:
        have = chosen.get(array_id)
        if have is None:
            if merged is None:
                merged = dict(chosen)
            merged[array_id] = index
        elif have != index:
            return None
    return merged if merged is not None else chosen


def trails_by_condition(evaluated: list[tuple[Trail, set[int]]]) -> dict[int, list[Trail]]:
    """The trails at which each condition was met, from the (trail, conditions met) pairs of a walk."""
    hits: dict[int, list[Trail]] = defaultdict(list)
    for trail, ids in evaluated:
        for ident in ids:
            hits[ident].append(trail)
    return hits


def trails_agree(first: list[Trail] | None, second: list[Trail] | None) -> bool:
    """Whether a value that met one condition and a value that met another can sit in one choice of array
    elements: the filter of a paired group (EventMatcher._choose). A condition met with no trail (by
    absence) and a pair with more than PAIR_TRAILS combinations pass; ``consistent`` decides them."""
    if not first or not second or len(first) * len(second) > PAIR_TRAILS:
        return True
    return any(merge(dict(a), b) is not None for a in first for b in second)
