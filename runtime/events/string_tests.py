"""Indexes of one field's string tests: which exact, prefix, suffix, equals-ignore-case and wildcard
conditions a string satisfies, at a cost that does not grow with the number of rules.

Each index has ``find(s, out)``, which adds to ``out`` the ids of the conditions ``s`` satisfies.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

import re2

from tamis.runtime import NATIVE_ALLOWED
from tamis.runtime.events import conditions as C
from tamis.runtime.events.ignore_case import fold, fold_key, ignore_case_regex
from tamis.runtime.events.wildcards import segments_match, wildcard_regex, wildcard_segments

try:  # the C core finds wildcards (runtime/events/_native.c, wildcards_find); optional, as the matcher's
    from tamis.runtime.events import _native as _core
except ImportError:  # pragma: no cover - only where the extension did not build
    _core = None
# Whether LiveWildcards made from now on use the core (tests switch it off with the matcher's, to check
# the Python twin: tests/support/matcher_engines.py).
NATIVE_FIND = _core is not None and NATIVE_ALLOWED

# Wildcards per RE2 set: a set of every pattern of a field fails to compile past about 20,000 patterns
# within max_mem; parts of this size compile in a few MiB each and keep the DFA of each small.
PARTITION_SIZE = 2048
# Wildcards sharing a key that are checked one by one; a larger group goes to RE2 sets.
GROUP_SIZE = 16
# Longest run of an inner literal used as a key: a value is probed at each position for each length used.
GRAM = 8  # at most MAX_GRAM (16) of runtime/events/_native.c


def re2_options() -> re2.Options:
    options = re2.Options()
    options.dot_nl = True  # `*` in a wildcard spans newlines too
    options.max_mem = 64 << 20
    return options


_ANCHOR_BOTH = getattr(getattr(re2, "_Anchor", None), "ANCHOR_BOTH", None)


def full_match(regex: Any) -> Callable[[bytes], bool]:
    """Whether UTF-8 ``data`` matches ``regex`` whole. Calls the compiled RE2 object directly where the
    binding exposes it (as runtime/redact/search.py does): the generic wrapper re-encodes and maps
    offsets back to characters, which costs more than the match."""
    low = getattr(regex, "_regexp", None)
    if low is None or _ANCHOR_BOTH is None:  # pragma: no cover - another google-re2 layout
        return lambda data: regex.fullmatch(data) is not None
    match, anchor = low.Match, _ANCHOR_BOTH
    return lambda data: match(anchor, data, 0, len(data))[0][0] >= 0


@lru_cache(maxsize=4096)  # by text too: writing the regex, a loop per letter, is a third of a build
def ignore_case_match(text: str) -> Callable[[bytes], bool]:
    """The full match of equals-ignore-case ``text``'s regex, shared by every text with the same regex:
    the case forms of a text's letters do not depend on its own case, so "Été" and "ÉTÉ" share one (an
    event value is matched once for all the texts of a fold bucket, and compiled once)."""
    return _shared_regex(ignore_case_regex(text))


@lru_cache(maxsize=4096)
def _shared_regex(source: str) -> Callable[[bytes], bool]:
    return full_match(re2.compile(source, re2_options()))


def utf8_bytes(s: str) -> bytes:
    """``utf8_safe(s)`` as UTF-8, encoded once."""
    try:
        return s.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: the services see "?"
        return s.encode("utf-8", "replace")


def utf8_safe(s: str) -> str:
    # Lone surrogates cannot be UTF-8 encoded; the services see them as "?".
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return s.encode("utf-8", "replace").decode("utf-8")


def bucket_add(table: dict[Any, tuple[int, ...]], key: Any, ident: int) -> None:
    """Add ``ident`` under ``key``. Buckets are tuples, replaced whole, so that a reader sees one or the
    other (runtime/events/matcher.py: the snapshot contract)."""
    table[key] = (*table.get(key, ()), ident)


def bucket_remove(table: dict[Any, tuple[int, ...]], key: Any, ident: int) -> None:
    """Remove one occurrence of ``ident`` under ``key`` (a key left empty is dropped)."""
    old = table.get(key)
    if not old:
        return
    k = old.index(ident) if ident in old else -1
    if k < 0:
        return
    rest = old[:k] + old[k + 1 :]
    if rest:
        table[key] = rest
    else:
        del table[key]


class AffixTables:
    """Prefix (or suffix) tables: grouped by the character the value starts (ends) with, then keyed by
    length, so a value probes one dict per distinct length among the rules that share its first (last)
    character, not per rule. ``groups`` = {edge: ((length, {text: ids}), ...)}, lengths ascending; the
    native core reads the same dicts (runtime/events/native.py)."""

    __slots__ = ("ascii_fold", "count", "empty", "groups", "suffix")

    def __init__(self, entries: Iterable[tuple[str, int]], suffix: bool, ascii_fold: bool = False) -> None:
        self.groups: dict[str, tuple[tuple[int, dict[str, tuple[int, ...]]], ...]] = {}
        self.empty: tuple[int, ...] = ()
        self.suffix = suffix
        self.ascii_fold = ascii_fold
        self.count = 0
        for text, ident in entries:
            self.add(text, ident)

    def add(self, text: str, ident: int) -> None:
        self.count += 1
        if not text:
            self.empty = (*self.empty, ident)  # "" is a prefix (suffix) of every string
            return
        key = text.lower() if self.ascii_fold else text
        edge = key[-1] if self.suffix else key[0]
        group = self.groups.get(edge, ())
        for n, table in group:
            if n == len(key):
                bucket_add(table, key, ident)
                return
        table = {key: (ident,)}
        self.groups[edge] = tuple(sorted((*group, (len(key), table)), key=lambda pair: pair[0]))

    def holding(self, text: str) -> int:
        """How many conditions are filed under ``text`` (the same prefix or suffix)."""
        if not text:
            return len(self.empty)
        key = text.lower() if self.ascii_fold else text
        for n, table in self.groups.get(key[-1] if self.suffix else key[0], ()):
            if n == len(key):
                return len(table.get(key, ()))
        return 0

    def remove(self, text: str, ident: int) -> None:
        self.count -= 1
        if not text:
            k = self.empty.index(ident)
            self.empty = self.empty[:k] + self.empty[k + 1 :]
            return
        key = text.lower() if self.ascii_fold else text
        edge = key[-1] if self.suffix else key[0]
        group = self.groups.get(edge, ())
        for n, table in group:
            if n == len(key):
                bucket_remove(table, key, ident)
                if not table:
                    rest = tuple(pair for pair in group if pair[1] is not table)
                    if rest:
                        self.groups[edge] = rest
                    else:
                        del self.groups[edge]
                return

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


class IgnoreCaseTests:
    """equals-ignore-case (and its prefix/suffix forms): ASCII rules hashed; other equals rules hashed by
    the fold their matches share (ignore_case.fold_key), their regex deciding each candidate; the rest
    (prefix and suffix forms, texts whose forms fold apart) checked with RE2 one by one."""

    __slots__ = ("affix", "count", "exact", "folded", "others")

    def __init__(self, entries: list[tuple[str, int]], mode: str) -> None:
        self.exact: dict[str, tuple[int, ...]] | None = {} if mode == "eq" else None
        self.affix: AffixTables | None = (
            None if mode == "eq" else AffixTables((), suffix=mode == "suffix", ascii_fold=True)
        )
        # fold key -> ((full match of its regex, text, ident), ...): a value's fold finds its few
        # candidates in one probe
        self.folded: dict[str, tuple[tuple[Any, str, int], ...]] = {}
        self.others: tuple[tuple[Any, str, int], ...] = ()
        self.count = 0
        for text, ident in entries:
            self.add(text, ident, mode)

    def add(self, text: str, ident: int, mode: str) -> None:
        self.count += 1
        if not text.isascii():
            key = fold_key(text) if self.exact is not None else None
            if key is not None:
                self.folded[key] = (*self.folded.get(key, ()), (ignore_case_match(text), text, ident))
            else:
                regex = re2.compile(ignore_case_regex(text, mode), re2_options())
                self.others = (*self.others, (regex, text, ident))
        elif self.exact is not None:
            bucket_add(self.exact, text.lower(), ident)
        else:
            assert self.affix is not None
            self.affix.add(text, ident)

    def holding(self, text: str) -> int:
        """How many equals rules share ``text``'s hash key (its lower case, or its fold)."""
        if self.exact is None:
            return 0
        if text.isascii():
            return len(self.exact.get(text.lower(), ()))
        key = fold_key(text)
        return len(self.folded.get(key, ())) if key is not None else len(self.others)

    def remove(self, text: str, ident: int) -> None:
        self.count -= 1
        if not text.isascii():
            key = fold_key(text) if self.exact is not None else None
            if key is not None:
                rest = tuple(e for e in self.folded[key] if not (e[1] == text and e[2] == ident))
                if rest:
                    self.folded[key] = rest
                else:
                    del self.folded[key]
                return
            k = next(k for k, (_, t, i) in enumerate(self.others) if t == text and i == ident)
            self.others = self.others[:k] + self.others[k + 1 :]
        elif self.exact is not None:
            bucket_remove(self.exact, text.lower(), ident)
        else:
            assert self.affix is not None
            self.affix.remove(text, ident)

    def find(self, s: str, out: set[int]) -> None:
        if self.exact is not None:
            if s.isascii():
                hit = self.exact.get(s.lower())
                if hit:
                    out.update(hit)
        elif self.affix is not None:
            self.affix.find(s, out)
        if not (self.folded or self.others):
            return
        safe = utf8_safe(s)  # once, for both the folded candidates and the scanned rest
        if self.folded:
            candidates = self.folded.get(fold(safe), ())
            if candidates:
                data = safe.encode("utf-8")
                tried: dict[Any, bool] = {}  # texts of one bucket mostly share their regex
                for matches, _text, ident in candidates:
                    met = tried.get(matches)
                    if met is None:
                        met = tried[matches] = matches(data)
                    if met:
                        out.add(ident)
        for regex, _text, ident in self.others:
            if regex.fullmatch(safe) if self.exact is not None else regex.search(safe):
                out.add(ident)


class RegexPartitions:
    """Wildcards checked by RE2 sets of at most ``PARTITION_SIZE`` patterns each.

    One set over every pattern of a field stops compiling somewhere past 20,000 patterns (RE2 keeps the
    whole program within ``max_mem``), so the patterns are split; a part that still fails is halved until
    it compiles, and a single pattern RE2 cannot take is checked by ``segments_match``. The sets are
    full-match sets, so one pass over the value per part, whatever the patterns.
    """

    __slots__ = ("parts", "plain")

    def __init__(self, items: list[tuple[str, tuple[int, ...]]]) -> None:
        self.parts: list[tuple[Any, tuple[tuple[int, ...], ...]]] = []
        self.plain: list[tuple[tuple[str, ...], tuple[int, ...]]] = []
        for at in range(0, len(items), PARTITION_SIZE):
            self._add(items[at : at + PARTITION_SIZE])

    def _add(self, items: list[tuple[str, tuple[int, ...]]]) -> None:
        regex_set = re2.Set.FullMatchSet(re2_options())
        for text, _ in items:
            regex_set.Add(wildcard_regex(text))
        try:
            regex_set.Compile()
        except re2.error:
            if len(items) == 1:
                self.plain.append((wildcard_segments(items[0][0]), items[0][1]))
                return
            half = len(items) // 2
            self._add(items[:half])
            self._add(items[half:])
            return
        self.parts.append((regex_set, tuple(ids for _, ids in items)))

    def find(self, s: str, out: set[int]) -> None:
        for regex_set, ids in self.parts:
            for k in regex_set.Match(s) or ():
                out.update(ids[k])
        for segments, idents in self.plain:
            if segments_match(segments, s):
                out.update(idents)


class WildcardTests:
    """Every wildcard of one field, most of them decided without a regex.

    A wildcard without `*` is an exact string. Every other one is filed under one key a matching value
    must contain: its literal head (found through prefix tables like AffixTables'), its literal tail
    (suffix tables) or a run of up to ``GRAM`` characters from a literal run between `*`s (found by
    looking up the value's own runs of that length). Each pattern takes the key the fewest of the field's
    wildcards share, so a value reaches few groups. A group is checked pattern by pattern
    (``segments_match``: a few ``str.find``); one larger than ``GROUP_SIZE`` goes to partitioned RE2 sets.
    RE2 alone would build its DFA afresh for most new values, at a cost that grows with the pattern count.
    """

    __slots__ = ("exact", "grams", "groups", "native", "prefixes", "suffixes", "unkeyed")

    def __init__(self, entries: list[tuple[str, int]]) -> None:
        grouped: dict[str, list[int]] = defaultdict(list)
        for text, ident in entries:
            grouped[text].append(ident)
        exact: dict[str, set[int]] = defaultdict(set)
        starred: list[tuple[str, tuple[str, ...], tuple[int, ...]]] = []
        for text, idents in grouped.items():
            segments = wildcard_segments(text)
            if len(segments) == 1:
                exact[segments[0]].update(idents)
            else:
                starred.append((text, segments, tuple(idents)))
        self.exact = {k: tuple(sorted(v)) for k, v in exact.items()}
        # Candidate keys of each pattern: (0, head), (1, tail), (2, gram); counted once per pattern.
        candidates = [_keys(segments) for _, segments, _ in starred]
        shared = Counter(key for keys in candidates for key in keys)
        by_key: dict[tuple[int, str], list[tuple[str, tuple[str, ...], tuple[int, ...]]]] = defaultdict(list)
        unkeyed: list[tuple[str, tuple[int, ...]]] = []  # `*` alone: every string
        for item, keys in zip(starred, candidates, strict=True):
            if not keys:
                unkeyed.append((item[0], item[2]))
                continue
            by_key[min(keys, key=lambda k: (shared[k], -len(k[1]), k))].append(item)
        self.groups: list[Any] = []
        tables: dict[int, list[tuple[str, int]]] = {0: [], 1: [], 2: []}
        for (kind, key), items in by_key.items():
            tables[kind].append((key, len(self.groups)))
            if len(items) > GROUP_SIZE:
                self.groups.append(RegexPartitions([(text, idents) for text, _, idents in items]))
            else:
                self.groups.append(tuple((segments, idents) for _, segments, idents in items))
        self.prefixes = AffixTables(tables[0], suffix=False) if tables[0] else None
        self.suffixes = AffixTables(tables[1], suffix=True) if tables[1] else None
        grams: dict[int, dict[str, int]] = defaultdict(dict)
        for key, group in tables[2]:
            grams[len(key)][key] = group
        self.grams = tuple(sorted(grams.items()))
        self.unkeyed = RegexPartitions(unkeyed) if unkeyed else None
        # TESTS of the core's wildcards_find: the same tables, RE2 partitions by their find
        self.native = (
            self.exact,
            (self.prefixes.empty, self.prefixes.groups) if self.prefixes is not None else None,
            (self.suffixes.empty, self.suffixes.groups) if self.suffixes is not None else None,
            self.grams,
            [group.find if isinstance(group, RegexPartitions) else group for group in self.groups],
            self.unkeyed.find if self.unkeyed is not None else None,
        )

    def find(self, s: str, out: set[int]) -> None:
        s = utf8_safe(s)
        hit = self.exact.get(s)
        if hit:
            out.update(hit)
        reached: set[int] = set()
        if self.prefixes is not None:
            self.prefixes.find(s, reached)
        if self.suffixes is not None:
            self.suffixes.find(s, reached)
        for size, table in self.grams:
            for at in range(len(s) - size + 1):
                group = table.get(s[at : at + size])
                if group is not None:
                    reached.add(group)
        for k in reached:
            group = self.groups[k]
            if isinstance(group, RegexPartitions):
                group.find(s, out)
                continue
            for segments, idents in group:
                if segments_match(segments, s):
                    out.update(idents)
        if self.unkeyed is not None:
            self.unkeyed.find(s, out)


def _keys(segments: tuple[str, ...]) -> set[tuple[int, str]]:
    """What a value matching these literal runs must hold: its head, its tail, runs of its inner runs."""
    keys: set[tuple[int, str]] = set()
    if segments[0]:
        keys.add((0, segments[0]))
    if segments[-1]:
        keys.add((1, segments[-1]))
    for inner in segments[1:-1]:
        if len(inner) <= GRAM:
            keys.add((2, inner))
        else:
            keys.update((2, inner[at : at + GRAM]) for at in range(len(inner) - GRAM + 1))
    return keys


class LiveWildcards:
    """A field's wildcards, live: ``WildcardTests`` of doubling sizes (each built once per merge, so an added
    wildcard is indexed O(log n) times), the latest few in a small one built again on each change,
    removals filtered until half are removed ones (Bentley and Saxe's logarithmic method, as for
    runtime/events/intervals.py)."""

    __slots__ = ("core", "count", "entries", "latest", "levels", "native", "pending", "removed")

    PENDING = 16

    def __init__(self) -> None:
        self.levels: list[tuple[list[tuple[str, int]], WildcardTests]] = []
        self.pending: tuple[tuple[str, int], ...] = ()
        self.latest: WildcardTests | None = None  # the pending ones, in a set of their own
        self.removed: set[int] = set()  # condition ids still in a set, no longer here
        self.entries: dict[tuple[str, int], int] = {}  # what is here, with multiplicity
        self.count = 0
        self.core = _core if NATIVE_FIND else None
        self.native: tuple[Any, ...] = ()  # LEVELS of the core's wildcards_find: every set's TESTS

    def add(self, text: str, ident: int) -> None:
        self.count += 1
        self.entries[(text, ident)] = self.entries.get((text, ident), 0) + 1
        if ident in self.removed:  # back while its old entries are still in a set: start afresh
            self._rebuild()
            return
        self.pending = (*self.pending, (text, ident))
        if len(self.pending) <= self.PENDING:
            self.latest = WildcardTests(list(self.pending))
            self._published()
            return
        level = list(self.pending)
        while self.levels and len(self.levels[-1][0]) <= len(level):
            level = self.levels.pop()[0] + level
        level = [(t, i) for t, i in level if i not in self.removed]
        self.levels.append((level, WildcardTests(level)))
        self.pending = ()
        self.latest = None
        self._published()

    def remove(self, text: str, ident: int) -> None:
        self.count -= 1
        left = self.entries.pop((text, ident)) - 1
        if left:
            self.entries[(text, ident)] = left
        if (text, ident) in self.pending:
            k = self.pending.index((text, ident))
            self.pending = self.pending[:k] + self.pending[k + 1 :]
            self.latest = WildcardTests(list(self.pending)) if self.pending else None
            self._published()
            return
        self.removed.add(ident)
        if len(self.removed) * 2 > self.count:
            self._rebuild()

    def _rebuild(self) -> None:
        entries = [entry for entry, n in self.entries.items() for _ in range(n)]
        self.levels = [(entries, WildcardTests(entries))] if entries else []
        self.pending = ()
        self.latest = None
        self.removed = set()
        self._published()

    def _published(self) -> None:
        """LEVELS for the core, replaced whole after each change (a match reads one or the other)."""
        tests = [tests.native for _, tests in self.levels]
        if self.latest is not None:
            tests.append(self.latest.native)
        self.native = tuple(tests)

    def find(self, s: str, out: set[int]) -> None:
        if self.core is not None:
            self.core.wildcards_find(self.native, self.removed, s, out)
            return
        removed = self.removed
        for _, tests in self.levels:
            if removed:
                found: set[int] = set()
                tests.find(s, found)
                out.update(found - removed)
            else:
                tests.find(s, out)
        if self.latest is not None:
            self.latest.find(s, out)


_FINDER_KINDS = (C.PREFIX, C.SUFFIX, C.EQ_IC, C.PREFIX_IC, C.SUFFIX_IC, C.WILDCARD)
_IGNORE_CASE_MODES = {C.EQ_IC: "eq", C.PREFIX_IC: "prefix", C.SUFFIX_IC: "suffix"}


class StringTests:
    """Every string test of one field: exact, prefix, suffix, ignore-case, wildcard; live under ``add`` and
    ``remove``."""

    __slots__ = ("exact", "finders", "kinds")

    def __init__(self, tests: dict[str, list[tuple[str, int]]] | None = None) -> None:
        self.exact: dict[str, tuple[int, ...]] = {}
        self.kinds: dict[str, Any] = {}
        self.finders: tuple[Any, ...] = ()
        for kind, entries in (tests or {}).items():
            for text, ident in entries:
                self.add(kind, text, ident)

    def __bool__(self) -> bool:
        return bool(self.exact or self.finders)

    def add(self, kind: str, text: str, ident: int) -> None:
        if kind == C.STR:
            bucket_add(self.exact, text, ident)
            return
        if kind == C.WILDCARD:
            finder = self.kinds.get(kind)
            if finder is None:
                finder = self.kinds[kind] = LiveWildcards()
            finder.add(text, ident)
        elif kind in (C.PREFIX, C.SUFFIX):
            finder = self.kinds.get(kind)
            if finder is None:
                finder = self.kinds[kind] = AffixTables((), suffix=kind == C.SUFFIX)
            finder.add(text, ident)
        else:
            finder = self.kinds.get(kind)
            if finder is None:
                finder = self.kinds[kind] = IgnoreCaseTests([], _IGNORE_CASE_MODES[kind])
            finder.add(text, ident, _IGNORE_CASE_MODES[kind])
        self._refinders()

    def remove(self, kind: str, text: str, ident: int) -> None:
        if kind == C.STR:
            bucket_remove(self.exact, text, ident)
            return
        finder = self.kinds[kind]
        finder.remove(text, ident)
        if finder.count == 0:
            del self.kinds[kind]
        self._refinders()

    def _refinders(self) -> None:
        self.finders = tuple(self.kinds[k] for k in _FINDER_KINDS if k in self.kinds)

    def find(self, s: str, out: set[int]) -> None:
        hit = self.exact.get(s)
        if hit:
            out.update(hit)
        for finder in self.finders:
            finder.find(s, out)
