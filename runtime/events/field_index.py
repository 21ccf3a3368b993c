"""One field's index: every condition on one field path (in one mode), indexed by value.

A value is evaluated against all of them at once: strings through the string-test indexes, numbers through
a hash of doubles and an interval tree, booleans and null through their id tuples. The index is live:
``add`` and ``remove`` change the tables in place, bucket by bucket, and the native core reads the same
tables (runtime/events/native.py). The matcher indexes only access conditions this way; each condition
tested per candidate gets a one-condition index of its own (runtime/events/matcher.py).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from tamis.json_number import JSONNumber
from tamis.runtime.events import conditions as C
from tamis.runtime.events.conditions import FieldCondition
from tamis.runtime.events.exclusions import PLAIN, Exclusions
from tamis.runtime.events.intervals import Intervals
from tamis.runtime.events.ipaddr import ip_hex
from tamis.runtime.events.numbers import comparable_fast, literal_key
from tamis.runtime.events.string_tests import StringTests, bucket_add, bucket_remove

# Put in the matched set, with (FLOAT_SEEN, value), when a float meets a numeric test: the matcher then
# checks the event's spelling of it (runtime/events/event_json.py). The native core uses the same -1.
FLOAT_SEEN = -1

_STRING_KINDS = (C.STR, C.PREFIX, C.SUFFIX, C.EQ_IC, C.PREFIX_IC, C.SUFFIX_IC, C.WILDCARD)
_LITERALS = (C.NULL, C.TRUE, C.FALSE)


class FieldIndex:
    """All conditions on one field path that share a mode, indexed by value; live under ``add`` and
    ``remove``, each costing the condition's own size (plus the logarithmic interval work)."""

    def __init__(self, conditions: list[tuple[int, FieldCondition]], ip_mode: bool) -> None:
        self.ip_mode = ip_mode
        # Parts are made when a test first needs them: a one-condition index (runtime/events/matcher.py
        # keeps one per condition tested per candidate) stays small.
        self.strings: StringTests | None = None
        # anything-but: plain strings and numbers in `exclusions`; patterns (prefix, suffix, ...) here
        self.ab_strings: StringTests | None = None
        self.num_exact: dict[float, tuple[int, ...]] = {}
        self.num_literal: dict[Any, tuple[int, ...]] = {}
        self.ranges: Intervals | None = None
        self.ip4: Intervals | None = None
        self.ip6: Intervals | None = None
        self.literal: dict[str, tuple[int, ...]] = {}
        self.always: tuple[int, ...] = ()  # `exists: true`: met by every present leaf
        self.exclusions = Exclusions()  # every anything-but id (met unless excluded), by excluded value
        self.ab_numbers = 0  # anything-but ids that exclude numbers: numbers must be looked up
        # Each anything-but test is excluded on its own; a condition with several ORs them, so its tests get
        # ids of their own (below FLOAT_SEEN), mapped back to the condition through `ab_owner`.
        self.ab_owner: dict[int, int] = {}
        self._ab_ids: dict[tuple[int, Any], int] = {}
        self._next_ab = FLOAT_SEEN - 1
        self.ab_several = 0  # anything-but tests of conditions with several (the native core declines them)
        self.size = 0
        self.non_float_ranges = 0  # ranges with an end that is not a double (the native core declines them)
        for ident, cond in conditions:
            self.add(ident, cond)

    def __len__(self) -> int:
        return self.size

    @property
    def numbers(self) -> bool:
        return bool(self.num_exact or self.num_literal or self.ab_numbers or self.ranges)

    def add(self, ident: int, cond: FieldCondition) -> None:
        self.size += 1
        self._apply(ident, cond, True)

    def remove(self, ident: int, cond: FieldCondition) -> None:
        self.size -= 1
        self._apply(ident, cond, False)

    def _apply(self, ident: int, cond: FieldCondition, adding: bool) -> None:
        several = sum(t[0] == C.ANYTHING_BUT for t in cond.tests) > 1
        for test in sorted(cond.tests, key=repr):
            kind = test[0]
            if kind in _STRING_KINDS:
                if self.strings is None:
                    self.strings = StringTests()
                (self.strings.add if adding else self.strings.remove)(kind, test[1], ident)
            elif kind == C.NUM:
                (bucket_add if adding else bucket_remove)(self.num_exact, test[1], ident)
            elif kind == C.NUMLIT:
                (bucket_add if adding else bucket_remove)(self.num_literal, test[1], ident)
            elif kind == C.RANGE:
                self.non_float_ranges += (1 if adding else -1) * (
                    type(test[1]) is not float or type(test[3]) is not float
                )
                if self.ranges is None:
                    self.ranges = Intervals()
                if adding:
                    self.ranges.add((test[1], test[2], test[3], test[4], ident))
                else:
                    self.ranges.remove(ident)
            elif kind == C.IP:
                if len(test[1]) == 8:
                    table = self.ip4 = self.ip4 or Intervals()
                else:
                    table = self.ip6 = self.ip6 or Intervals()
                # one condition may hold several blocks: each gets its own interval id
                key = self._ab_key(ident, test, adding)
                if adding:
                    self.ab_owner[key] = ident
                    table.add((test[1], True, test[2], True, key))
                else:
                    table.remove(key)
                    del self.ab_owner[key]
            elif kind in _LITERALS:
                (bucket_add if adding else bucket_remove)(self.literal, kind, ident)
            elif kind == C.EXISTS:
                if test[1]:
                    self.always = (*self.always, ident) if adding else _without(self.always, ident)
            elif kind == C.ANYTHING_BUT:
                ab_id = self._ab_key(ident, test, adding) if several else ident
                if several:
                    self.ab_several += 1 if adding else -1
                    if adding:
                        self.ab_owner[ab_id] = ident
                    else:
                        del self.ab_owner[ab_id]
                inner, values = test[1], test[2]
                plain = inner in PLAIN  # else a pattern: its values are string tests, below
                if adding:
                    self.exclusions.add(ab_id, values if plain else ())
                else:
                    self.exclusions.remove(ab_id)
                if plain:
                    self.ab_numbers += (1 if adding else -1) * (inner == C.NUM)
                else:
                    if self.ab_strings is None:
                        self.ab_strings = StringTests()
                    for v in sorted(values, key=repr):
                        (self.ab_strings.add if adding else self.ab_strings.remove)(inner, v, ab_id)
            else:  # pragma: no cover - the compiler emits only the kinds above
                raise AssertionError(kind)

    def _ab_key(self, ident: int, test: Any, adding: bool) -> int:
        """The id of one test of a condition (anything-but when it has several, address blocks)."""
        key = (ident, test)
        if adding:
            if key not in self._ab_ids:
                self._ab_ids[key] = self._next_ab
                self._next_ab -= 1
            return self._ab_ids[key]
        return self._ab_ids.pop(key)

    def _owners(self, ids: Any, out: set[int]) -> None:
        owner = self.ab_owner
        out.update(owner.get(a, a) for a in ids)

    def evaluate(self, v: Any, out: set[int]) -> None:
        """Add to ``out`` the ids of the conditions the leaf value ``v`` satisfies."""
        t = type(v)
        key: Any = None  # the value as the anything-but tables know it: its str, or its double
        excluded: set[int] | None = None  # anything-but ids a pattern excludes
        if t is str:
            if self.ip_mode:
                address = ip_hex(v)
                if address is not None:
                    # Address tests see the address; the string tests below see the value as written.
                    if self.ip4:
                        self._owners(self.ip4.stab(address[:8]), out)
                    if self.ip6 and len(address) == 32:
                        self._owners(self.ip6.stab(address), out)
            if self.strings:
                self.strings.find(v, out)
            key = v
            if self.ab_strings:
                excluded = set()
                self.ab_strings.find(v, excluded)
        elif t is bool:
            out.update(self.literal.get(C.TRUE if v else C.FALSE, ()))
        elif v is None:
            out.update(self.literal.get(C.NULL, ()))
        elif t is int or t is float or t is Decimal or t is JSONNumber:
            if self.numbers:
                if t is float:
                    out.add(FLOAT_SEEN)
                    out.add((FLOAT_SEEN, v))  # type: ignore[arg-type]
                f = comparable_fast(v, t)
                if f is not None:
                    hit = self.num_exact.get(f)
                    if hit:
                        out.update(hit)
                    if self.ranges:
                        out.update(self.ranges.stab(f))
                    key = f
                elif self.num_literal:
                    hit = self.num_literal.get(literal_key(v))
                    if hit:
                        out.update(hit)
        else:  # objects are not leaf values; the walker never passes them
            return
        if self.exclusions.every:
            kept = self.exclusions.kept(key)
            if excluded:
                kept = kept - excluded
            if self.ab_owner:
                self._owners(kept, out)
            else:
                out.update(kept)
        out.update(self.always)


def _without(ids: tuple[int, ...], ident: int) -> tuple[int, ...]:
    k = ids.index(ident)
    return ids[:k] + ids[k + 1 :]


def no_value_test(v: Any, out: set[int]) -> None:
    return None


def combined(evaluators: list[Callable[[Any, set[int]], None]]) -> Callable[[Any, set[int]], None]:
    """One evaluator for a path with several indexes (one per mode: addresses and strings)."""
    if len(evaluators) == 1:
        return evaluators[0]

    def both(v: Any, out: set[int]) -> None:
        for evaluate in evaluators:
            evaluate(v, out)

    return both
