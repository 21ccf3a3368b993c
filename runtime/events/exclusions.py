"""The anything-but conditions of one field: met by every value except those each one excludes.

A value meets ``every`` anything-but id but the ones listing it. Taking that difference per value costs
the ids kept, which is the work when most are met. It is not when a value is excluded by most of them
(``{"anything-but": ["test", ...]}`` in thousands of rules, an event saying "test"): the difference would
cost the whole set to report a few ids. Such a value is *heavy*: its kept ids are stored and kept up to
date, so the event pays for what it meets.

Heavy values are those excluded by more than three quarters of the ids (when there are at least
``HEAVY_FROM``); one stays heavy until it falls under half. Each id lists its values, so a value can be
heavy only while it is listed by many, and at most ``2 * (values listed per id)`` are heavy at once: an
``add`` or ``remove`` updates each heavy value's kept set (a few set operations), and making a value heavy
costs one difference, paid for by the changes that made it heavy. A value made heavy by removals alone is
noticed at the next change that lists it (only speed depends on it).

Tables are sets and dicts changed in place: the native core (runtime/events/native.py, S_AB_EXCL and
S_AB_ALL) reads them through whole C-level set operations, and a match that overlaps a change is retried
(the sequence lock of runtime/events/matcher.py).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

from tamis.runtime.events import conditions as C

HEAVY_FROM = 64  # below this many ids the difference is as cheap as keeping sets up to date
# The anything-but tests whose values are filed here (plain strings, numbers); those with patterns are
# string tests (runtime/events/field_index.py).
PLAIN = frozenset((C.STR, C.NUM))

# BY_VALUE entries: (the ids excluding the value, the ids kept for it when it is heavy, else None)
Entry = tuple[set[int], "set[int] | None"]


class Exclusions:
    """``every`` anything-but id of a field and, per excluded value (a str, or a double for numbers), the
    ids excluding it (``by_value``)."""

    __slots__ = ("_heavy", "_values", "by_value", "every")

    def __init__(self) -> None:
        self.every: set[int] = set()
        self.by_value: dict[Hashable, Entry] = {}
        self._values: dict[int, frozenset[Hashable]] = {}  # id -> the values it excludes
        self._heavy: set[Hashable] = set()

    def __len__(self) -> int:
        return len(self.every)

    def add(self, ident: int, values: Iterable[Hashable]) -> None:
        keys = frozenset(values)
        self._values[ident] = keys
        self.every.add(ident)
        by_value = self.by_value
        for key in keys:
            entry = by_value.get(key)
            if entry is None:
                by_value[key] = (set(), None)
                entry = by_value[key]
            entry[0].add(ident)
        for key in self._heavy:
            if key not in keys:
                kept = by_value[key][1]
                assert kept is not None
                kept.add(ident)
        self._balance(keys)

    def remove(self, ident: int) -> None:
        keys = self._values.pop(ident)
        self.every.discard(ident)
        by_value = self.by_value
        for key in self._heavy:
            kept = by_value[key][1]
            assert kept is not None
            kept.discard(ident)
        for key in keys:
            excluded = by_value[key][0]
            excluded.discard(ident)
            if not excluded:
                del by_value[key]
                self._heavy.discard(key)
        self._balance(keys)

    def _balance(self, touched: frozenset[Hashable]) -> None:
        """Make the touched values heavy that became so; drop the heavy ones that no longer are."""
        by_value, every, total = self.by_value, self.every, len(self.every)
        for key in list(self._heavy):
            excluded = by_value[key][0]
            if 2 * len(excluded) < total:
                by_value[key] = (excluded, None)
                self._heavy.discard(key)
        if total < HEAVY_FROM:
            return
        for key in touched:
            entry = by_value.get(key)
            if entry is not None and entry[1] is None and 4 * len(entry[0]) > 3 * total:
                by_value[key] = (entry[0], every - entry[0])
                self._heavy.add(key)

    def kept(self, key: Hashable | None) -> set[int]:
        """The ids a value meets (``key``: its str, or its double; None for other values). The set
        returned may be a live table: read it, do not change it."""
        entry = self.by_value.get(key) if key is not None else None
        if entry is None:
            return self.every
        excluded, kept = entry
        return kept if kept is not None else self.every - excluded

    @property
    def heavy(self) -> frozenset[Hashable]:
        return frozenset(self._heavy)


def excluded_values(cond: C.FieldCondition) -> list[Any]:
    """The values ``cond``'s plain anything-but tests exclude (what its field's Exclusions files)."""
    return [v for test in cond.tests if test[0] == C.ANYTHING_BUT and test[1] in PLAIN for v in test[2]]


__all__ = ["HEAVY_FROM", "PLAIN", "Exclusions", "excluded_values"]
