"""The many-rule event matcher: the hot path of event patterns.

Compile once, match many. At build time every field condition of every rule is placed in per-field
indexes (hash tables, prefix/suffix tables keyed by length, sorted interval tables, one RE2 set per
field for wildcards), and every rule's conditions are threaded into a shared trie. Per event the
matcher:

1. reads only the event fields some rule names (a precomputed trie of field paths, including the
   dotted spellings `{"a.b": ...}` the services accept);
2. asks each field's index which conditions each value satisfies (cost independent of rule count);
3. walks the rule trie through satisfied conditions only, checking array consistency (no match may
   combine values from different elements of the same array) when the event has arrays of objects.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

import orjson
import re2

from tamis.json_number import JSONNumber
from tamis.runtime import NATIVE_ALLOWED
from tamis.runtime.events import conditions as C
from tamis.runtime.events.conditions import FieldCondition, SubRule, Test
from tamis.runtime.events.ignore_case import ignore_case_regex
from tamis.runtime.events.ipaddr import ip_hex
from tamis.runtime.events.numbers import comparable, literal_key
from tamis.runtime.events.walker import PathNode, build_fast_walk, walk_generic
from tamis.runtime.events.wildcards import wildcard_regex

try:  # the optional native core (runtime/_native.c); without it the pure-Python twin below runs
    from tamis.runtime.events import _native
except ImportError:  # pragma: no cover - only where the extension could not be built
    _native = None  # type: ignore[assignment]

# Whether matchers created from now on use the native core (tests switch it off to check the twin).
# TAMIS_NATIVE=0 in the environment turns it off for the whole process (tamis.runtime.NATIVE_ALLOWED).
USE_NATIVE = _native is not None and NATIVE_ALLOWED
NATIVE_MAX_DEPTH = 150  # path tries deeper than this use the Python walker (the C one recurses per level)

_EMPTY: frozenset[int] = frozenset()
# Anything-but complements (the conditions each excluded value leaves standing) are precomputed only while
# values x conditions stays below this; beyond it the excluded set is computed per value.
_MAX_COMPLEMENT_CELLS = 200_000
_SMALLEST_NORMAL = 2.2250738585072014e-308
FLOAT_SEEN = -1  # put in the matched set, with (FLOAT_SEEN, value), when a float meets a numeric test


def _int_or_literal(text: str) -> int | JSONNumber:
    # "-0" must keep its sign for literal matching; every other integer spells itself.
    return JSONNumber(text) if text.startswith("-0") else int(text)


class InvalidEvent(ValueError):
    """The event is not a JSON object (or not JSON at all)."""


def _re2_options() -> re2.Options:
    options = re2.Options()
    options.dot_nl = True  # `*` in a wildcard spans newlines too
    options.max_mem = 64 << 20
    return options


def _utf8_safe(s: str) -> str:
    # Lone surrogates cannot be UTF-8 encoded; the services see them as "?".
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return s.encode("utf-8", "replace").decode("utf-8")


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


class _Affix:
    """Prefix (or suffix) tables: grouped by the character the value starts (ends) with, then keyed by
    length, so a value probes one dict per distinct length among the rules that share its first (last)
    character, not per rule."""

    __slots__ = ("ascii_fold", "empty", "groups", "suffix")

    def __init__(self, entries: Iterable[tuple[str, int]], suffix: bool, ascii_fold: bool = False) -> None:
        grouped: dict[str, dict[int, dict[str, set[int]]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(set))
        )
        empty: set[int] = set()
        for text, ident in entries:
            if not text:
                empty.add(ident)  # "" is a prefix (suffix) of every string
                continue
            key = text.lower() if ascii_fold else text
            edge = key[-1] if suffix else key[0]
            grouped[edge][len(key)][key].add(ident)
        self.groups = {
            edge: [(n, {k: frozenset(v) for k, v in tables[n].items()}) for n in sorted(tables)]
            for edge, tables in grouped.items()
        }
        self.empty = frozenset(empty)
        self.suffix = suffix
        self.ascii_fold = ascii_fold

    def find(self, s: str, out: set[int]) -> None:
        if self.empty:
            out.update(self.empty)
        if not s:
            return
        edge = s[-1] if self.suffix else s[0]
        if self.ascii_fold:
            edge = edge.lower()
        tables = self.groups.get(edge)
        if tables is None:
            return
        size = len(s)
        for n, table in tables:
            if n > size:
                break
            seg = s[size - n :] if self.suffix else s[:n]
            if self.ascii_fold:
                if not seg.isascii():
                    continue
                seg = seg.lower()
            hit = table.get(seg)
            if hit:
                out.update(hit)


class _IgnoreCase:
    """equals-ignore-case (and its prefix/suffix forms): ASCII rules hashed, others checked with RE2."""

    __slots__ = ("affix", "exact", "others")

    def __init__(self, entries: list[tuple[str, int]], mode: str) -> None:
        ascii_entries = [(t, i) for t, i in entries if t.isascii()]
        self.exact: dict[str, frozenset[int]] | None = None
        self.affix: _Affix | None = None
        if mode == "eq":
            grouped: dict[str, set[int]] = defaultdict(set)
            for t, i in ascii_entries:
                grouped[t.lower()].add(i)
            self.exact = {k: frozenset(v) for k, v in grouped.items()}
        else:
            self.affix = _Affix(ascii_entries, suffix=mode == "suffix", ascii_fold=True)
        self.others = [
            (re2.compile(ignore_case_regex(t, mode), _re2_options()), i)
            for t, i in entries
            if not t.isascii()
        ]

    def find(self, s: str, out: set[int]) -> None:
        if self.exact is not None:
            if s.isascii():
                hit = self.exact.get(s.lower())
                if hit:
                    out.update(hit)
        elif self.affix is not None:
            self.affix.find(s, out)
        if self.others:
            safe = _utf8_safe(s)
            for regex, ident in self.others:
                if regex.fullmatch(safe) if self.exact is not None else regex.search(safe):
                    out.add(ident)


class _Wildcards:
    __slots__ = ("ids", "set")

    def __init__(self, entries: list[tuple[str, int]]) -> None:
        self.set = re2.Set.FullMatchSet(_re2_options())
        grouped: dict[str, list[int]] = defaultdict(list)
        for text, ident in entries:
            grouped[wildcard_regex(text)].append(ident)
        self.ids: list[tuple[int, ...]] = []
        for regex, idents in grouped.items():
            self.set.Add(regex)
            self.ids.append(tuple(idents))
        self.set.Compile()

    def find(self, s: str, out: set[int]) -> None:
        for k in self.set.Match(_utf8_safe(s)) or ():
            out.update(self.ids[k])


class _StringTests:
    """Every string test of one field: exact, prefix, suffix, ignore-case, wildcard."""

    __slots__ = ("exact", "finders")

    def __init__(self, tests: dict[str, list[tuple[str, int]]]) -> None:
        exact: dict[str, set[int]] = defaultdict(set)
        for text, ident in tests.get(C.STR, ()):
            exact[text].add(ident)
        self.exact = {k: frozenset(v) for k, v in exact.items()}
        finders: list[Any] = []
        if tests.get(C.PREFIX):
            finders.append(_Affix(tests[C.PREFIX], suffix=False))
        if tests.get(C.SUFFIX):
            finders.append(_Affix(tests[C.SUFFIX], suffix=True))
        if tests.get(C.EQ_IC):
            finders.append(_IgnoreCase(tests[C.EQ_IC], "eq"))
        if tests.get(C.PREFIX_IC):
            finders.append(_IgnoreCase(tests[C.PREFIX_IC], "prefix"))
        if tests.get(C.SUFFIX_IC):
            finders.append(_IgnoreCase(tests[C.SUFFIX_IC], "suffix"))
        if tests.get(C.WILDCARD):
            finders.append(_Wildcards(tests[C.WILDCARD]))
        self.finders = tuple(finders)

    def find(self, s: str, out: set[int]) -> None:
        hit = self.exact.get(s)
        if hit:
            out.update(hit)
        for finder in self.finders:
            finder.find(s, out)


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
        self.strings = _StringTests(strings) if strings else None
        self.ab_strings = _StringTests(ab_strings) if ab_strings else None
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

    def _ab_exact_kept(self) -> dict[str, frozenset[int]] | None:
        """For anything-but over plain strings only: excluded value -> the conditions it leaves standing."""
        if self.ab_strings is None or self.ab_strings.finders:
            return None
        table = self.ab_strings.exact
        if len(table) * len(self.anything_but) > _MAX_COMPLEMENT_CELLS:
            return None
        return {value: self.anything_but - ids for value, ids in table.items()}

    def native_spec(self, fallback: Callable[[Any, set[int]], None]) -> Any:
        """This index as tables the native core evaluates strings, booleans and null with (layout in
        runtime/_native.c), or ``fallback`` itself where it cannot: address mode, several anything-but
        tests per condition, anything-but with patterns. ``fallback`` still evaluates numbers."""
        if self.ip_mode or self.ab_owner is not None:
            return fallback
        ab_kept = None
        if self.ab_strings is not None:
            kept = self._ab_exact_kept()
            if kept is None:
                return fallback
            ab_kept = {value: tuple(ids) for value, ids in kept.items()}
        strings = self.strings
        exact = self._native_exact()
        prefix = suffix = None
        finders: list[Callable[[str, set[int]], None]] = []
        for finder in strings.finders if strings is not None else ():
            if isinstance(finder, _Affix) and not finder.ascii_fold:
                tables = (
                    tuple(finder.empty),
                    {
                        ord(edge): tuple((n, {k: tuple(v) for k, v in table.items()}) for n, table in group)
                        for edge, group in finder.groups.items()
                    },
                )
                if finder.suffix:
                    suffix = tables
                else:
                    prefix = tables
            else:
                finders.append(finder.find)
        return (
            exact,
            prefix,
            suffix,
            ab_kept,
            tuple(self.anything_but),
            tuple(self.always),
            tuple(self.true),
            tuple(self.false),
            tuple(self.null),
            tuple(finders),
            self._native_numbers(),
            fallback,
        )

    def _native_exact(self) -> dict[str, tuple[int, ...]] | None:
        """The exact-string table in the native core's layout (ids as tuples)."""
        if self.strings is None or not self.strings.exact:
            return None
        return {k: tuple(v) for k, v in self.strings.exact.items()}

    def _native_numbers(self) -> Any:
        """None: no numeric test (numbers meet only anything-but and exists); False: numbers go to the
        Python evaluator; else the tables for plain doubles (runtime/_native.c, S_NUMBERS)."""
        if not self.numbers:
            return None
        if self.num_literal:
            return False
        ranges = self.ranges
        if ranges is not None and not all(type(p) is float for p in ranges.points):
            return False
        if len(self.ab_num) * len(self.anything_but) > _MAX_COMPLEMENT_CELLS:
            return False
        return (
            {k: tuple(v) for k, v in self.num_exact.items()} or None,
            tuple(ranges.points) if ranges is not None else None,
            tuple(tuple(ids) for ids in ranges.at) if ranges is not None else None,
            tuple(tuple(ids) for ids in ranges.gap) if ranges is not None else None,
            {k: tuple(self.anything_but - ids) for k, ids in self.ab_num.items()} or None,
        )

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
        return self._closure()

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
                return _no_value_test  # `exists: false` is decided by absence alone
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
                    f = _comparable_fast(v, t)
                    if (
                        f is not None
                        and (low < f or (low_inc and low == f))
                        and (f < high or (high_inc and f == high))
                    ):
                        out.add(ident)

            return in_range
        return None

    def _closure(self) -> Callable[[Any, set[int]], None]:
        """``evaluate`` with everything it consults bound to locals and absent features left out."""
        str_exact = self.strings.exact.get if self.strings is not None and self.strings.exact else None
        str_finders = tuple(f.find for f in self.strings.finders) if self.strings is not None else ()
        ab_strings = self.ab_strings.find if self.ab_strings is not None else None
        # anything-but over plain strings only (the common form): one probe gives what is left standing.
        kept = self._ab_exact_kept()
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
                f = _comparable_fast(v, t)
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
                    # The value is seen as its address: only address tests, anything-but and exists apply.
                    if self.ip4 is not None:
                        out.update(self.ip4.stab(address[:8]))
                    if self.ip6 is not None and len(address) == 32:
                        out.update(self.ip6.stab(address))
                    if self.anything_but:
                        owner = self.ab_owner
                        out.update(
                            self.anything_but if owner is None else (owner[a] for a in self.anything_but)
                        )
                    out.update(self.always)
                    return
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
                f = _comparable_fast(v, t)
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


def _native_spec(indexes: tuple[FieldIndex, ...], evaluate: Callable[[Any, set[int]], None]) -> Any:
    """What the native core evaluates one field's values with (layouts in runtime/_native.c)."""
    if len(indexes) != 1:
        return evaluate  # several modes (addresses and strings) on one field: the Python evaluator
    index = indexes[0]
    if getattr(evaluate, "exact_get", None) is not None:
        return index._native_exact()  # exact strings only: the {value: ids} table is probed directly
    return index.native_spec(index._closure())


def _distinct(names: list[str]) -> list[str]:
    """Names without repeats (a rule with several sub-rules can be reached more than once), first kept."""
    return list(dict.fromkeys(names)) if len(names) > 1 else names


def _no_value_test(v: Any, out: set[int]) -> None:
    return None


def _combine(evaluators: list[Callable[[Any, set[int]], None]]) -> Callable[[Any, set[int]], None]:
    if len(evaluators) == 1:
        return evaluators[0]

    def both(v: Any, out: set[int]) -> None:
        for evaluate in evaluators:
            evaluate(v, out)

    return both


def _infinite(p: Any) -> bool:
    return isinstance(p, float) and math.isinf(p)


def _comparable_fast(v: Any, t: type) -> float | None:
    if t is float:
        # A finite double written in its shortest form is comparable; only subnormals need the full check.
        if v != v or v in (math.inf, -math.inf):
            return None
        if v == 0.0:
            return 0.0
        return v if abs(v) >= _SMALLEST_NORMAL else comparable(v)
    if t is int and -9007199254740992 <= v <= 9007199254740992:
        return float(v)
    return comparable(v)


class _RuleNode:
    __slots__ = ("children", "keys", "names")

    def __init__(self) -> None:
        self.children: dict[int, _RuleNode] = {}
        self.keys: frozenset[int] = _EMPTY
        self.names: list[str] = []


class EventMatcher:
    """Matches events against any number of named rules at once."""

    def __init__(self) -> None:
        self._rules: dict[str, list[SubRule]] = {}
        self._built = False
        self._use_native = USE_NATIVE  # fixed per matcher, so tests can hold one of each engine

    # -- rule management ---------------------------------------------------------------------------
    def add(self, name: str, subrules: list[SubRule]) -> None:
        """Add a rule; adding a name again ORs the new pattern with the old (as the services do)."""
        self._rules.setdefault(name, []).extend(subrules)
        self._built = False

    def remove(self, name: str) -> bool:
        found = self._rules.pop(name, None) is not None
        self._built = False
        return found

    def __contains__(self, name: object) -> bool:
        return name in self._rules

    def __len__(self) -> int:
        return len(self._rules)

    @property
    def names(self) -> list[str]:
        return list(self._rules)

    # -- build ---------------------------------------------------------------------------------------
    def _build(self) -> None:
        cond_ids: dict[FieldCondition, int] = {}
        for subrules in self._rules.values():
            for sub in subrules:
                for cond in sub:
                    cond_ids.setdefault(cond, len(cond_ids))
        self._conditions = list(cond_ids)
        # Condition ids in the lexical order of their paths: the order the array-consistency check takes.
        self._lexical = {ident: (cond.path, ident) for cond, ident in cond_ids.items()}
        paths = sorted({c.path for c in cond_ids})
        path_ids = {p: i for i, p in enumerate(paths)}
        self._path_names = paths
        # Per path: its indexes (one per mode) and the `exists: false` conditions satisfied by absence.
        by_path: dict[str, dict[bool, list[tuple[int, FieldCondition]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        absent: dict[int, list[int]] = defaultdict(list)
        for cond, ident in cond_ids.items():
            by_path[cond.path][cond.ip_mode].append((ident, cond))
            if cond.absent_ok:
                absent[path_ids[cond.path]].append(ident)
        self._indexes: list[tuple[FieldIndex, ...]] = [
            tuple(FieldIndex(conds, mode) for mode, conds in sorted(by_path[p].items())) for p in paths
        ]
        self._absent = [(pid, frozenset(ids)) for pid, ids in sorted(absent.items())]
        self._numeric = any(
            t[0] in (C.NUM, C.NUMLIT, C.RANGE) or (t[0] == C.ANYTHING_BUT and t[1] == C.NUM)
            for c in cond_ids
            for t in c.tests
        )
        self._path_root = self._build_path_trie(paths, path_ids, self._positional_prefixes())
        self._rule_root = self._build_rule_trie(cond_ids)
        evaluators = [_combine([index.fast_evaluator() for index in indexes]) for indexes in self._indexes]
        self._evaluators = evaluators
        absent_paths = frozenset(pid for pid, _ in self._absent)
        self._fast_walk = build_fast_walk(self._path_root, evaluators, absent_paths)
        self._subrules_by_name = {
            name: [frozenset(cond_ids[c] for c in sub) for sub in subs] for name, subs in self._rules.items()
        }
        self._conditions_by_name = {
            name: frozenset().union(*subs) for name, subs in self._subrules_by_name.items()
        }
        # With few sub-rules, testing each one's condition set is cheaper than walking the trie.
        count = sum(len(subs) for subs in self._subrules_by_name.values())
        self._few = (
            [(conds, name) for name, subs in self._subrules_by_name.items() for conds in subs]
            if count <= 8
            else None
        )
        self._native_tables: tuple[Any, ...] | None = None
        if self._use_native:
            self._native_build(absent_paths)
        self._built = True

    def _native_build(self, absent_paths: frozenset[int]) -> None:
        """The tables of the native core: the path trie and rule trie as nested tuples, one spec per path."""
        if any(path.count(".") >= NATIVE_MAX_DEPTH for path in self._path_names):
            return
        # The path trie is a DAG (a dotted key leads to the node its segments lead to): convert each node
        # once, or shared nodes would be copied once per route to them.
        converted: dict[int, tuple[Any, ...]] = {}

        def paths(node: PathNode) -> tuple[Any, ...]:
            done = converted.get(id(node))
            if done is None:
                entries = tuple(
                    (
                        key,
                        None if child is None else paths(child),
                        pid if pid >= 0 else None,
                        positional,
                        pid in absent_paths,
                    )
                    for key, child, pid, positional in node.entries
                )
                done = converted[id(node)] = (entries, node.positional)
            return done

        def rules(node: _RuleNode) -> tuple[Any, ...]:
            return (tuple(node.names), {ident: rules(child) for ident, child in node.children.items()})

        self._native_rules = rules(self._rule_root)
        # (path trie, per-path specs, `exists: false` ids, few sub-rules or None, rule trie): match()'s layout
        self._native_tables = (
            paths(self._path_root),
            tuple(
                _native_spec(indexes, evaluate)
                for indexes, evaluate in zip(self._indexes, self._evaluators, strict=True)
            ),
            tuple((pid, tuple(ids)) for pid, ids in self._absent),
            None if self._few is None else tuple((tuple(conds), name) for conds, name in self._few),
            self._native_rules,
        )

    def _positional_prefixes(self) -> set[tuple[str, ...]]:
        """Path prefixes under which some sub-rule names two or more paths: only arrays there need
        positions (elsewhere one field's values never have to agree with another's element)."""
        out: set[tuple[str, ...]] = set()
        for subrules in self._rules.values():
            for sub in subrules:
                split = {tuple(c.path.split(".")) for c in sub}
                if len(split) < 2:
                    continue
                counts: dict[tuple[str, ...], int] = defaultdict(int)
                for segs in split:
                    for j in range(1, len(segs) + 1):
                        counts[segs[:j]] += 1
                out.update(prefix for prefix, n in counts.items() if n >= 2)
        return out

    @staticmethod
    def _build_path_trie(
        paths: list[str], path_ids: dict[str, int], positional: set[tuple[str, ...]]
    ) -> PathNode:
        nodes: dict[tuple[str, ...], PathNode] = {(): PathNode()}
        has_children: set[tuple[str, ...]] = set()
        split = {p: tuple(p.split(".")) for p in paths}
        for segs in split.values():
            for j in range(1, len(segs) + 1):
                nodes.setdefault(segs[:j], PathNode())
                if j < len(segs):
                    has_children.add(segs[:j])
        full = {segs: path_ids[p] for p, segs in split.items()}
        for prefix, node in nodes.items():
            seen: dict[str, tuple[PathNode | None, int, bool]] = {}
            for target in nodes:
                if len(target) > len(prefix) and target[: len(prefix)] == prefix:
                    key = ".".join(target[len(prefix) :])
                    child = nodes[target] if target in has_children else None
                    seen[key] = (child, full.get(target, -1), target in positional)
            node.entries = [(k, child, pid, pos) for k, (child, pid, pos) in sorted(seen.items())]
            node.positional = prefix in positional
        return nodes[()]

    def _build_rule_trie(self, cond_ids: dict[FieldCondition, int]) -> _RuleNode:
        # Conditions shared by many rules go first, so rules share trie prefixes and an event that fails a
        # popular condition prunes all of them at once.
        popularity: dict[int, int] = defaultdict(int)
        for subrules in self._rules.values():
            for sub in subrules:
                for cond in sub:
                    popularity[cond_ids[cond]] += 1
        root = _RuleNode()
        for name, subrules in self._rules.items():
            for sub in subrules:
                ids = sorted({cond_ids[c] for c in sub}, key=lambda i: (-popularity[i], i))
                node = root
                for ident in ids:
                    nxt = node.children.get(ident)
                    if nxt is None:
                        nxt = node.children[ident] = _RuleNode()
                    node = nxt
                if name not in node.names:
                    node.names.append(name)
        stack = [root]
        while stack:
            node = stack.pop()
            node.keys = frozenset(node.children)
            stack.extend(node.children.values())
        self._order = {name: i for i, name in enumerate(self._rules)}
        return root

    # -- matching ------------------------------------------------------------------------------------
    def decode(self, event: Any) -> Any:
        """The event as Python values: dicts pass through; JSON text is decoded once."""
        if isinstance(event, dict):
            return event
        if isinstance(event, bytes | bytearray | memoryview | str):
            if not self._built:
                self._build()
            raw = event.encode("utf-8") if isinstance(event, str) else bytes(event)
            try:
                return orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                # orjson refuses numbers beyond the double range; the services keep them as literals.
                try:
                    return _exact_loads(raw)
                except ValueError:
                    pass
                raise InvalidEvent(f"the event is not valid JSON: {exc}") from None
            except ValueError as exc:
                raise InvalidEvent(f"the event is not valid JSON: {exc}") from None
        raise InvalidEvent(f"an event must be a JSON object (dict, str or bytes), got {type(event).__name__}")

    def match(self, event: Any) -> list[str]:
        """Names of the rules the event matches, in the order the rules were added."""
        if not self._built:
            self._build()
        t = type(event)
        if t is dict:
            obj, raw = event, None
        else:
            obj = None
            if t is bytes:
                try:
                    obj = orjson.loads(event)
                except orjson.JSONDecodeError:
                    obj = None
            if obj is None:  # str, other buffers, and what orjson refuses go the careful way
                obj = self.decode(event)
            if type(obj) is not dict:
                if not isinstance(obj, dict):
                    raise InvalidEvent("an event must be a JSON object")
                obj = dict(obj)
            raw = None if obj is event else event
        names = self._match_obj(obj, raw)
        if len(names) > 1:
            order = self._order
            names.sort(key=order.__getitem__)
        return names

    def _match_obj(self, obj: dict[str, Any], raw: Any = None) -> list[str]:
        tables = self._native_tables
        if tables is not None:
            # One native call decides most events; it hands back its sets when arrays of objects or floats
            # under numeric tests need the Python steps.
            done = _native.match(obj, tables)
            return _distinct(done) if type(done) is list else self._finish(raw, *done)
        matched: set[int] = set()
        seen: set[int] | None = set() if self._absent else None
        trailed: list[tuple[int, Any, tuple[Any, ...]]] = []
        if self._fast_walk is not None:
            self._fast_walk(obj, matched, seen, trailed)
        else:
            walk_generic(obj, self._path_root, (), self._evaluators, matched, seen, trailed)
        return self._finish(raw, matched, seen, trailed)

    def _finish(
        self,
        raw: Any,
        matched: set[int],
        seen: set[int] | None,
        trailed: list[tuple[int, Any, tuple[Any, ...]]],
        free: set[int] | None = None,
        evaluated: list[tuple[tuple[Any, ...], set[int]]] | None = None,
    ) -> list[str]:
        """The steps after the walk: values inside arrays of objects, the exact-number re-check, the
        `exists: false` fill-in and the rule trie. The native core passes ``free`` and ``evaluated`` (the
        trailed values already evaluated); the Python walk leaves that to this method."""
        if evaluated is None:
            evaluated = []
            if trailed:
                free = set(matched)  # satisfied outside arrays of objects: no position constraint
                for pid, value, trail in trailed:
                    scratch: set[int] = set()
                    self._evaluators[pid](value, scratch)
                    if scratch:
                        evaluated.append((trail, scratch))
                        matched |= scratch
        if FLOAT_SEEN in matched:
            # Floats met numeric tests. The services compare a number by its spelling when no double holds
            # it exactly, and orjson keeps no spelling: when the text may spell one of these floats in a
            # way no double holds, decode again keeping exact decimals and their spelling.
            marks = [m for m in matched if type(m) is tuple]
            matched.difference_update(marks)
            matched.discard(FLOAT_SEEN)
            if raw is not None:
                text = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
                if not _floats_exact(text, {m[1] for m in marks}, self._native_tables is not None):
                    return self._match_obj(_exact_loads(text), None)
            if free is not None:
                free.difference_update(marks)
                free.discard(FLOAT_SEEN)
        if free is not None:
            return self._match_in_arrays(matched, seen, trailed, free, evaluated)
        if seen is not None:
            for pid, ids in self._absent:
                if pid not in seen:
                    matched.update(ids)
        return self._collect(matched)

    def _collect(self, matched: set[int]) -> list[str]:
        few = self._few
        if few is not None:
            return _distinct([name for conds, name in few if conds <= matched])
        if self._native_tables is not None:
            return _distinct(_native.collect(self._native_rules, matched))
        out: list[str] = []
        stack = [self._rule_root]
        pop, push, common = stack.pop, stack.append, matched.intersection
        while stack:
            node = pop()
            if node.names:
                out.extend(node.names)
            children = node.children
            for ident in common(node.keys):
                push(children[ident])
        return _distinct(out)

    def _match_in_arrays(
        self,
        matched: set[int],
        seen: set[int] | None,
        trailed: list[tuple[int, Any, tuple[Any, ...]]],
        free: set[int],
        evaluated: list[tuple[tuple[Any, ...], set[int]]],
    ) -> list[str]:
        """Some rule fields sit in arrays of objects: find candidates ignoring positions, then check that
        each candidate's fields can all come from consistent array elements (``evaluated``: the
        conditions each value met inside arrays, with its positions)."""
        pending: dict[int, int] = {}
        if self._absent:
            in_arrays = {pid for pid, _value, _trail in trailed}
            for pid, ids in self._absent:
                if seen is not None and pid in seen:
                    continue  # a value outside any array: the field exists whatever elements are chosen
                matched.update(ids)
                if pid in in_arrays:
                    for ident in ids:
                        pending[ident] = pid  # absent only if the chosen elements hold no value of the path
                else:
                    free.update(ids)
        candidates = self._collect(matched)
        if not candidates:
            return candidates
        positional = matched - free  # conditions met only inside arrays of objects (or by deferred absence)
        # A rule none of whose conditions is positional here matched wherever its values sit.
        conditions = self._conditions_by_name
        if self._native_tables is not None:
            if _native.touching(candidates, conditions, positional) is None:
                return candidates
        elif all(conditions[name].isdisjoint(positional) for name in candidates):
            return candidates
        by_path: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for pid, _value, trail in trailed:
            by_path[pid].append(trail)
        hits: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for trail, ids in evaluated:
            for ident in ids:
                hits[ident].append(trail)
        subrules = self._subrules_by_name
        order = self._lexical.__getitem__
        out = []
        for name in candidates:
            if conditions[name].isdisjoint(positional):
                out.append(name)
                continue
            for conds in subrules[name]:
                if not conds <= matched:
                    continue
                needed = conds & positional
                # One positional condition can always pick its own element; two or more must agree.
                if len(needed) <= 1 and not (needed and next(iter(needed)) in pending):
                    out.append(name)
                    break
                if _consistent(sorted(needed, key=order), 0, {}, hits, pending, by_path):
                    out.append(name)
                    break
        return out


_NUMBER_CHARS = frozenset(b"0123456789.eE+-")
# Keeps the bytes a JSON number can hold and turns every other byte into a space.
_ONLY_NUMBER_CHARS = bytes(c if c in _NUMBER_CHARS else 32 for c in range(256))


def _floats_exact(text: bytes, floats: set[float], native: bool = False) -> bool:
    """Whether the numbers in ``text`` that orjson read as ``floats`` are written with the exact values of
    those doubles, so that comparing the doubles is comparing the numbers.

    A decimal of at most 15 significant digits survives the round trip through a double exactly, so only
    tokens of 16 characters or more can differ. The number-like tokens come from one byte translation and
    split (every byte that cannot be part of a number becomes a space); only the long ones are looked at.
    ``native``: the token loop runs in the native core (same steps, one pass over the bytes).
    """
    for f in floats:
        if (f == 0.0 or abs(f) < _SMALLEST_NORMAL) and (b"e-" in text or b"E-" in text):
            return False  # zero and subnormals absorb short spellings (1e-400 is 0.0, 50e-325 is 5e-324)
    if native:
        return bool(_native.floats_exact(text, floats))
    for token in text.translate(_ONLY_NUMBER_CHARS).split():
        if len(token) < 16:
            continue
        try:
            f = float(token)
        except ValueError:
            continue  # digits, dots and letters e/E run together inside a string
        if f in floats:
            spelled = token.decode()
            shortest = repr(f)
            # JSONNumber, not Decimal: it also reads exponents beyond Decimal's range (0e9999999999999999999);
            # a spelling that overflows to infinity is never the exact value of its double.
            if spelled != shortest and (not math.isfinite(f) or JSONNumber(spelled) != Decimal(shortest)):
                return False

    return True


def _exact_loads(raw: bytes) -> Any:
    return json.loads(raw, parse_float=JSONNumber, parse_int=_int_or_literal)


def _consistent(
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
    if pid is not None and all(_merge(chosen, trail) is None for trail in by_path[pid]):
        return _consistent(needed, i + 1, chosen, hits, pending, by_path)
    tried: set[tuple[Any, ...]] = set()
    for trail in hits.get(ident, ()):
        if trail in tried:
            continue
        tried.add(trail)
        merged = _merge(chosen, trail)
        if merged is not None and _consistent(needed, i + 1, merged, hits, pending, by_path):
            return True
    return False


def _merge(chosen: dict[int, int], trail: tuple[Any, ...]) -> dict[int, int] | None:
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


__all__ = ["EventMatcher", "FieldIndex", "Intervals", "InvalidEvent", "Test", "wildcard_regex"]
