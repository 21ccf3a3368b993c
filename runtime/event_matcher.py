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
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

import orjson
import re2

from tamis.runtime import event_conditions as C
from tamis.runtime.event_conditions import FieldCondition, SubRule, Test
from tamis.runtime.event_walker import build_fast_walk
from tamis.runtime.ignore_case import ignore_case_regex
from tamis.runtime.ipaddr import ip_hex
from tamis.runtime.numbers import JSONNumber, comparable, literal_key

MISSING: Any = object()
_EMPTY: frozenset[int] = frozenset()
_SMALLEST_NORMAL = 2.2250738585072014e-308
# Number spellings that a double may not hold exactly (17+ digits, or 3-digit exponents): when an event
# has one and the rules compare numbers, it is decoded again keeping exact decimals.
_LOSSY_NUMBER = re2.compile(rb"[0-9][0-9.]{16}|[eE][-+]?[0-9]{3}")


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


def wildcard_regex(text: str) -> str:
    """RE2 source of a wildcard: `*` is any run of characters; `\\*` and `\\\\` are literals."""
    out, literal, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            literal.append(text[i + 1])
            i += 2
            continue
        if ch == "*":
            out.append(re2.escape("".join(literal)))
            out.append(".*")
            literal = []
        else:
            literal.append(ch)
        i += 1
    out.append(re2.escape("".join(literal)))
    return "".join(out)


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
    """Prefix (or suffix) tables keyed by length: one dict probe per distinct pattern length."""

    __slots__ = ("ascii_fold", "lengths", "suffix", "tables")

    def __init__(self, entries: Iterable[tuple[str, int]], suffix: bool, ascii_fold: bool = False) -> None:
        tables: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        for text, ident in entries:
            tables[len(text)][text.lower() if ascii_fold else text].add(ident)
        self.lengths = sorted(tables)
        self.tables = [(n, {k: frozenset(v) for k, v in tables[n].items()}) for n in self.lengths]
        self.suffix = suffix
        self.ascii_fold = ascii_fold

    def find(self, s: str, out: set[int]) -> None:
        size = len(s)
        for n, table in self.tables:
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

    def fast_evaluator(self) -> Callable[[Any, set[int]], None]:
        """The cheapest function equivalent to ``evaluate`` for this index's tests."""
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

            return exact_only
        return self.evaluate

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


class _PathNode:
    """One level of the field-path trie: the keys to read at this level of the event."""

    __slots__ = ("entries",)

    def __init__(self) -> None:
        # (key as written in the event, child node or None, path id or -1)
        self.entries: list[tuple[str, _PathNode | None, int]] = []


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
        self._path_root = self._build_path_trie(paths, path_ids)
        self._rule_root = self._build_rule_trie(cond_ids)
        evaluators = [_combine([index.fast_evaluator() for index in indexes]) for indexes in self._indexes]
        self._fast_walk = build_fast_walk(self._path_root, evaluators, track_seen=bool(self._absent))
        # With few sub-rules, testing each one's condition set is cheaper than walking the trie.
        subrules = [
            (frozenset(cond_ids[c] for c in sub), name) for name, subs in self._rules.items() for sub in subs
        ]
        self._few = subrules if len(subrules) <= 8 else None
        self._built = True

    @staticmethod
    def _build_path_trie(paths: list[str], path_ids: dict[str, int]) -> _PathNode:
        nodes: dict[tuple[str, ...], _PathNode] = {(): _PathNode()}
        has_children: set[tuple[str, ...]] = set()
        split = {p: tuple(p.split(".")) for p in paths}
        for segs in split.values():
            for j in range(1, len(segs) + 1):
                nodes.setdefault(segs[:j], _PathNode())
                if j < len(segs):
                    has_children.add(segs[:j])
        full = {segs: path_ids[p] for p, segs in split.items()}
        for prefix, node in nodes.items():
            seen: dict[str, tuple[_PathNode | None, int]] = {}
            for target in nodes:
                if len(target) > len(prefix) and target[: len(prefix)] == prefix:
                    key = ".".join(target[len(prefix) :])
                    child = nodes[target] if target in has_children else None
                    seen[key] = (child, full.get(target, -1))
            node.entries = [(k, child, pid) for k, (child, pid) in sorted(seen.items())]
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
            try:
                if self._numeric:
                    raw = event.encode("utf-8") if isinstance(event, str) else bytes(event)
                    if _LOSSY_NUMBER.search(raw):
                        return json.loads(raw, parse_float=JSONNumber, parse_int=_int_or_literal)
                    return orjson.loads(raw)
                return orjson.loads(event)
            except (orjson.JSONDecodeError, ValueError, UnicodeDecodeError) as exc:
                raise InvalidEvent(f"the event is not valid JSON: {exc}") from None
        raise InvalidEvent(f"an event must be a JSON object (dict, str or bytes), got {type(event).__name__}")

    def match(self, event: Any) -> list[str]:
        """Names of the rules the event matches, in the order the rules were added."""
        if not self._built:
            self._build()
        obj = self.decode(event)
        if type(obj) is not dict:
            if isinstance(obj, dict):
                obj = dict(obj)
            else:
                raise InvalidEvent("an event must be a JSON object")
        names = self._match_obj(obj)
        if len(names) > 1:
            order = self._order
            names.sort(key=order.__getitem__)
        return names

    def _match_obj(self, obj: dict[str, Any]) -> list[str]:
        fast = self._fast_walk
        if fast is not None:
            matched: set[int] = set()
            seen: set[int] | None = set() if self._absent else None
            if not fast(obj, matched, seen):
                if seen is not None:
                    for pid, ids in self._absent:
                        if pid not in seen:
                            matched.update(ids)
                few = self._few
                if few is not None:
                    names = [name for conds, name in few if conds <= matched]
                    return list(dict.fromkeys(names)) if len(names) > 1 else names
                return self._collect(matched)
        return self._match_positions(obj)

    def _match_positions(self, obj: dict[str, Any]) -> list[str]:
        values: list[list[tuple[Any, tuple[Any, ...]]] | None] = [None] * len(self._path_names)
        arrays = _walk(obj, self._path_root, (), values)
        matched: set[int] = set()
        if not arrays:
            for pid, bucket in enumerate(values):
                if bucket is not None:
                    for index in self._indexes[pid]:
                        for v, _ in bucket:
                            index.evaluate(v, matched)
            for pid, ids in self._absent:
                if values[pid] is None:
                    matched.update(ids)
            return self._collect(matched)
        # Arrays of objects: remember, per condition, the array positions of the values that satisfied it.
        where: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        scratch: set[int] = set()
        for pid, bucket in enumerate(values):
            if bucket is not None:
                for v, trail in bucket:
                    scratch.clear()
                    for index in self._indexes[pid]:
                        index.evaluate(v, scratch)
                    for ident in scratch:
                        where[ident].append(trail)
                    matched |= scratch
        for pid, ids in self._absent:
            # `exists: false` holds where no value of the path sits in the array elements the match uses;
            # with values present, that is checked once the rule's other fields have chosen their elements.
            mark: Any = () if values[pid] is None else _Absent(pid)
            for ident in ids:
                where[ident].append(mark)
            matched.update(ids)
        return self._collect_consistent(matched, where, values)

    def _collect(self, matched: set[int]) -> list[str]:
        out: list[str] = []
        seen: set[str] = set()
        stack = [self._rule_root]
        while stack:
            node = stack.pop()
            if node.names:
                for name in node.names:
                    if name not in seen:
                        seen.add(name)
                        out.append(name)
            for ident in matched.intersection(node.keys):
                stack.append(node.children[ident])
        return out

    def _collect_consistent(
        self, matched: set[int], where: dict[int, list[Any]], values: list[Any]
    ) -> list[str]:
        out: list[str] = []
        seen: set[str] = set()
        stack: list[tuple[_RuleNode, dict[int, int], tuple[int, ...]]] = [(self._rule_root, {}, ())]
        while stack:
            node, chosen, pending = stack.pop()
            if node.names and _absent_holds(pending, chosen, values):
                for name in node.names:
                    if name not in seen:
                        seen.add(name)
                        out.append(name)
            for ident in matched.intersection(node.keys):
                child = node.children[ident]
                tried: set[Any] = set()
                for trail in where[ident]:
                    if trail in tried:
                        continue
                    tried.add(trail)
                    if type(trail) is _Absent:
                        stack.append((child, chosen, (*pending, trail.pid)))
                        continue
                    merged = _merge(chosen, trail)
                    if merged is not None:
                        stack.append((child, merged, pending))
        return out

    def explain_paths(self) -> list[str]:
        """The event field paths this matcher reads (for diagnostics and tests)."""
        if not self._built:
            self._build()
        return list(self._path_names)


class _Absent:
    """A deferred `exists: false`: the path must have no value in the array elements finally chosen."""

    __slots__ = ("pid",)

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def __hash__(self) -> int:
        return hash(("absent", self.pid))

    def __eq__(self, other: object) -> bool:
        return type(other) is _Absent and other.pid == self.pid


def _absent_holds(pending: tuple[int, ...], chosen: dict[int, int], values: list[Any]) -> bool:
    for pid in pending:
        for _v, trail in values[pid]:
            if _merge(chosen, trail) is not None:
                return False
    return True


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


def _walk(obj: dict[str, Any], node: _PathNode, trail: tuple[Any, ...], values: list[Any]) -> bool:
    """Collect the leaf values of every rule path below ``obj``; True if any sits in an array of objects."""
    arrays = False
    get = obj.get
    for key, child, pid in node.entries:
        v = get(key, MISSING)
        if v is MISSING:
            continue
        if pid >= 0:
            arrays |= _leaves(v, trail, pid, values)
        if child is not None:
            tv = type(v)
            if tv is dict:
                arrays |= _walk(v, child, trail, values)
            elif tv is list:
                arrays |= _descend(v, child, trail, values)
    return arrays


def _descend(items: list[Any], node: _PathNode, trail: tuple[Any, ...], values: list[Any]) -> bool:
    arrays = False
    marker = id(items)
    for i, item in enumerate(items):
        ti = type(item)
        if ti is dict:
            arrays |= _walk(item, node, (*trail, (marker, i)), values)
        elif ti is list:
            arrays |= _descend(item, node, (*trail, (marker, i)), values)
    return arrays


def _leaves(v: Any, trail: tuple[Any, ...], pid: int, values: list[Any]) -> bool:
    tv = type(v)
    if tv is dict:
        return False  # an object is not a leaf value
    bucket = values[pid]
    if bucket is None:
        bucket = values[pid] = []
    if tv is not list:
        bucket.append((v, trail))
        return bool(trail)
    arrays = bool(trail)
    mixed = any(type(e) is dict or type(e) is list for e in v)
    marker = id(v)
    for i, e in enumerate(v):
        te = type(e)
        if te is dict:
            continue
        if te is list:
            arrays |= _leaves(e, (*trail, (marker, i)), pid, values)
        else:
            # Elements of a purely scalar array never combine with another field, so need no position.
            bucket.append((e, (*trail, (marker, i)) if mixed else trail))
            arrays |= mixed
    if not bucket:
        values[pid] = None
    return arrays


def iter_conditions(subrules: Iterable[SubRule]) -> Iterator[FieldCondition]:
    for sub in subrules:
        yield from sub


__all__ = ["EventMatcher", "FieldIndex", "Intervals", "InvalidEvent", "Test", "wildcard_regex"]
