"""One field's index: every condition on one field path (in one mode), indexed by value.

A value is evaluated against all of them at once: strings through the string-test indexes, numbers through
a hash of doubles and an interval table, booleans and null through their id sets. ``fast_evaluator`` picks
the cheapest equivalent of ``evaluate`` for the tests at hand; that function is what the walker calls per
leaf value. The native core's tables are built from these indexes (runtime/events/native.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from tamis.json_number import JSONNumber
from tamis.runtime.events import conditions as C
from tamis.runtime.events.conditions import FieldCondition
from tamis.runtime.events.intervals import Intervals
from tamis.runtime.events.ipaddr import ip_hex
from tamis.runtime.events.numbers import comparable_fast, literal_key
from tamis.runtime.events.string_tests import StringTests

# Anything-but complements (the conditions each excluded value leaves standing) are precomputed only while
# values x conditions stays below this; beyond it the excluded set is computed per value.
MAX_COMPLEMENT_CELLS = 200_000
# Put in the matched set, with (FLOAT_SEEN, value), when a float meets a numeric test: the matcher then
# checks the event's spelling of it (runtime/events/event_json.py). The native core uses the same -1.
FLOAT_SEEN = -1


class FieldIndex:
    """All conditions on one field path that share a mode, indexed by value."""

    def __init__(self, conditions: list[tuple[int, FieldCondition]], ip_mode: bool) -> None:
        self.ip_mode = ip_mode
        strings: dict[str, list[tuple[str, int]]] = defaultdict(list)
        ab_strings: dict[str, list[tuple[str, int]]] = defaultdict(list)
        num_exact: dict[float, set[int]] = defaultdict(set)
        num_literal: dict[Any, set[int]] = defaultdict(set)
        ab_num: dict[float, set[int]] = defaultdict(set)
        ranges: list[tuple[Any, bool, Any, bool, int]] = []
        ip4: list[tuple[Any, bool, Any, bool, int]] = []
        ip6: list[tuple[Any, bool, Any, bool, int]] = []
        literal: dict[str, set[int]] = {C.NULL: set(), C.TRUE: set(), C.FALSE: set()}
        exists: set[int] = set()
        anything_but: set[int] = set()
        # Each anything-but test is excluded on its own; a condition with several ORs them, so when one
        # condition has more than one, its tests get their own ids, mapped back through `ab_owner`.
        several = any(sum(t[0] == C.ANYTHING_BUT for t in cond.tests) > 1 for _, cond in conditions)
        ab_owner: dict[int, int] = {}
        self._tests = [(ident, test) for ident, cond in conditions for test in cond.tests]
        for ident, cond in conditions:
            for test in cond.tests:
                kind = test[0]
                if kind in (C.STR, C.PREFIX, C.SUFFIX, C.EQ_IC, C.PREFIX_IC, C.SUFFIX_IC, C.WILDCARD):
                    strings[kind].append((test[1], ident))
                elif kind == C.NUM:
                    num_exact[test[1]].add(ident)
                elif kind == C.NUMLIT:
                    num_literal[test[1]].add(ident)
                elif kind == C.RANGE:
                    ranges.append((test[1], test[2], test[3], test[4], ident))
                elif kind == C.IP:
                    (ip4 if len(test[1]) == 8 else ip6).append((test[1], True, test[2], True, ident))
                elif kind in literal:
                    literal[kind].add(ident)
                elif kind == C.EXISTS:
                    if test[1]:
                        exists.add(ident)
                elif kind == C.ANYTHING_BUT:
                    ab_id = ident
                    if several:
                        ab_id = len(ab_owner)
                        ab_owner[ab_id] = ident
                    anything_but.add(ab_id)
                    inner, values = test[1], test[2]
                    if inner == C.NUM:
                        for v in values:
                            ab_num[v].add(ab_id)
                    else:
                        ab_strings[inner].extend((v, ab_id) for v in values)
                else:  # pragma: no cover - the compiler emits only the kinds above
                    raise AssertionError(kind)
        self.strings = StringTests(strings) if strings else None
        self.ab_strings = StringTests(ab_strings) if ab_strings else None
        self.num_exact = {k: frozenset(v) for k, v in num_exact.items()}
        self.num_literal = {k: frozenset(v) for k, v in num_literal.items()}
        self.ab_num = {k: frozenset(v) for k, v in ab_num.items()}
        self.ranges = Intervals(ranges) if ranges else None
        self.ip4 = Intervals(ip4) if ip4 else None
        self.ip6 = Intervals(ip6) if ip6 else None
        self.null, self.true, self.false = (frozenset(literal[k]) for k in (C.NULL, C.TRUE, C.FALSE))
        # Satisfied by every present leaf: exists (always) and anything-but (unless the value is excluded).
        self.always = frozenset(exists)
        self.anything_but = frozenset(anything_but)
        self.ab_owner = ab_owner or None
        self.numbers = bool(self.num_exact or self.num_literal or self.ab_num or self.ranges)

    def ab_exact_kept(self) -> dict[str, frozenset[int]] | None:
        """For anything-but over plain strings only: excluded value -> the conditions it leaves standing."""
        if self.ab_strings is None or self.ab_strings.finders:
            return None
        table = self.ab_strings.exact
        if len(table) * len(self.anything_but) > MAX_COMPLEMENT_CELLS:
            return None
        return {value: self.anything_but - ids for value, ids in table.items()}

    def fast_evaluator(self) -> Callable[[Any, set[int]], None]:
        """The cheapest function equivalent to ``evaluate`` for this index's tests."""
        single = self._single_test()
        if single is not None:
            return single
        strings = self.strings
        if (
            strings is not None
            and not strings.finders
            and not self.ip_mode
            and self.ab_strings is None
            and not self.anything_but
            and not self.always
            and not self.numbers
            and not (self.null or self.true or self.false)
        ):
            # Exact strings only: one hash probe (non-string values never equal a string key).
            get = strings.exact.get

            def exact_only(v: Any, out: set[int]) -> None:
                hit = get(v)
                if hit:
                    out.update(hit)

            exact_only.exact_get = get  # type: ignore[attr-defined]  # lets the generated reader inline it
            return exact_only
        return self.bound_evaluator()

    def _single_test(self) -> Callable[[Any, set[int]], None] | None:
        """A field with one condition holding one test (the common case of a single pattern) gets a
        dedicated check instead of the index machinery."""
        if len(self._tests) != 1 or self.ip_mode:
            return None
        ident, test = self._tests[0]
        kind = test[0]
        if kind in (C.PREFIX, C.SUFFIX) and test[1]:
            text = test[1]

            def prefix(v: Any, out: set[int]) -> None:
                if type(v) is str and v.startswith(text):
                    out.add(ident)

            def suffix(v: Any, out: set[int]) -> None:
                if type(v) is str and v.endswith(text):
                    out.add(ident)

            return prefix if kind == C.PREFIX else suffix
        if kind == C.EXISTS:
            if not test[1]:
                return no_value_test  # `exists: false` is decided by absence alone
            present = ident

            def exists(v: Any, out: set[int]) -> None:
                out.add(present)

            return exists
        if kind == C.RANGE:
            _, low, low_inc, high, high_inc = test

            def in_range(v: Any, out: set[int]) -> None:
                t = type(v)
                if t is int or t is float or t is Decimal or t is JSONNumber:
                    if t is float:
                        out.add(FLOAT_SEEN)
                        out.add((FLOAT_SEEN, v))  # type: ignore[arg-type]
                    f = comparable_fast(v, t)
                    if (
                        f is not None
                        and (low < f or (low_inc and low == f))
                        and (f < high or (high_inc and f == high))
                    ):
                        out.add(ident)

            return in_range
        return None

    def bound_evaluator(self) -> Callable[[Any, set[int]], None]:
        """``evaluate`` with everything it consults bound to locals and absent features left out."""
        str_exact = self.strings.exact.get if self.strings is not None and self.strings.exact else None
        str_finders = tuple(f.find for f in self.strings.finders) if self.strings is not None else ()
        ab_strings = self.ab_strings.find if self.ab_strings is not None else None
        # anything-but over plain strings only (the common form): one probe gives what is left standing.
        kept = self.ab_exact_kept()
        ab_exact = kept.get if kept is not None else None
        kept_all = self.anything_but
        anything_but, owner, always = self.anything_but, self.ab_owner, self.always
        ip_mode = self.ip_mode
        numbers, num_exact, ranges, ab_num = self.numbers, self.num_exact.get, self.ranges, self.ab_num.get
        num_literal = self.num_literal.get if self.num_literal else None
        true, false, null = self.true, self.false, self.null
        evaluate = self.evaluate

        def closure(v: Any, out: set[int]) -> None:
            t = type(v)
            excluded: set[int] | None = None
            if t is str:
                if ip_mode:
                    evaluate(v, out)  # addresses are rare enough for the general path
                    return
                if str_exact is not None:
                    hit = str_exact(v)
                    if hit:
                        out.update(hit)
                for find in str_finders:
                    find(v, out)
                if ab_exact is not None:
                    kept = ab_exact(v, kept_all)
                    if kept:
                        out.update(kept if owner is None else (owner[a] for a in kept))
                    if always:
                        out.update(always)
                    return
                if ab_strings is not None:
                    excluded = set()
                    ab_strings(v, excluded)
            elif t is bool:
                out.update(true if v else false)
            elif v is None:
                out.update(null)
            elif numbers and (t is int or t is float or t is Decimal or t is JSONNumber):
                if t is float:
                    out.add(FLOAT_SEEN)
                    out.add((FLOAT_SEEN, v))  # type: ignore[arg-type]
                f = comparable_fast(v, t)
                if f is not None:
                    hit = num_exact(f)
                    if hit:
                        out.update(hit)
                    if ranges is not None:
                        out.update(ranges.stab(f))
                    hit = ab_num(f)
                    if hit:
                        excluded = set(hit)
                elif num_literal is not None:
                    hit = num_literal(literal_key(v))
                    if hit:
                        out.update(hit)
            elif t is dict or t is list:
                return
            if anything_but:
                kept = anything_but.difference(excluded) if excluded else anything_but
                out.update(kept if owner is None else (owner[a] for a in kept))
            if always:
                out.update(always)

        return closure

    def evaluate(self, v: Any, out: set[int]) -> None:
        """Add to ``out`` the ids of the conditions the leaf value ``v`` satisfies."""
        t = type(v)
        excluded: set[int] | None = None
        if t is str:
            if self.ip_mode:
                address = ip_hex(v)
                if address is not None:
                    # Address tests see the address; the string tests below see the value as written.
                    if self.ip4 is not None:
                        out.update(self.ip4.stab(address[:8]))
                    if self.ip6 is not None and len(address) == 32:
                        out.update(self.ip6.stab(address))
            if self.strings is not None:
                self.strings.find(v, out)
            if self.ab_strings is not None:
                excluded = set()
                self.ab_strings.find(v, excluded)
        elif t is bool:
            out.update(self.true if v else self.false)
        elif v is None:
            out.update(self.null)
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
                    if self.ranges is not None:
                        out.update(self.ranges.stab(f))
                    hit = self.ab_num.get(f)
                    if hit:
                        excluded = set(hit)
                elif self.num_literal:
                    hit = self.num_literal.get(literal_key(v))
                    if hit:
                        out.update(hit)
        else:  # objects are not leaf values; the walker never passes them
            return
        if self.anything_but:
            kept = self.anything_but.difference(excluded) if excluded else self.anything_but
            if self.ab_owner is None:
                out.update(kept)
            else:
                out.update(self.ab_owner[a] for a in kept)
        out.update(self.always)


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
