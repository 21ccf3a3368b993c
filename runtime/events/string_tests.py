"""Indexes of one field's string tests: which exact, prefix, suffix, equals-ignore-case and wildcard
conditions a string satisfies, at a cost that does not grow with the number of rules.

Each index has ``find(s, out)``, which adds to ``out`` the ids of the conditions ``s`` satisfies.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

import re2

from tamis.runtime.events import conditions as C
from tamis.runtime.events.ignore_case import ignore_case_regex
from tamis.runtime.events.wildcards import segments_match, wildcard_regex, wildcard_segments

# Wildcards per RE2 set: a set of every pattern of a field fails to compile past about 20,000 patterns
# within max_mem; parts of this size compile in a few MiB each and keep the DFA of each small.
PARTITION_SIZE = 2048
# Wildcards sharing a key that are checked one by one; a larger group goes to RE2 sets.
GROUP_SIZE = 16
# Longest run of an inner literal used as a key: a value is probed at each position for each length used.
GRAM = 8


def re2_options() -> re2.Options:
    options = re2.Options()
    options.dot_nl = True  # `*` in a wildcard spans newlines too
    options.max_mem = 64 << 20
    return options


def utf8_safe(s: str) -> str:
    # Lone surrogates cannot be UTF-8 encoded; the services see them as "?".
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return s.encode("utf-8", "replace").decode("utf-8")


class AffixTables:
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


class IgnoreCaseTests:
    """equals-ignore-case (and its prefix/suffix forms): ASCII rules hashed, others checked with RE2."""

    __slots__ = ("affix", "exact", "others")

    def __init__(self, entries: list[tuple[str, int]], mode: str) -> None:
        ascii_entries = [(t, i) for t, i in entries if t.isascii()]
        self.exact: dict[str, frozenset[int]] | None = None
        self.affix: AffixTables | None = None
        if mode == "eq":
            grouped: dict[str, set[int]] = defaultdict(set)
            for t, i in ascii_entries:
                grouped[t.lower()].add(i)
            self.exact = {k: frozenset(v) for k, v in grouped.items()}
        else:
            self.affix = AffixTables(ascii_entries, suffix=mode == "suffix", ascii_fold=True)
        self.others = [
            (re2.compile(ignore_case_regex(t, mode), re2_options()), i) for t, i in entries if not t.isascii()
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
            safe = utf8_safe(s)
            for regex, ident in self.others:
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

    __slots__ = ("exact", "grams", "groups", "prefixes", "suffixes", "unkeyed")

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
        self.exact = {k: frozenset(v) for k, v in exact.items()}
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


class StringTests:
    """Every string test of one field: exact, prefix, suffix, ignore-case, wildcard."""

    __slots__ = ("exact", "finders")

    def __init__(self, tests: dict[str, list[tuple[str, int]]]) -> None:
        exact: dict[str, set[int]] = defaultdict(set)
        for text, ident in tests.get(C.STR, ()):
            exact[text].add(ident)
        self.exact = {k: frozenset(v) for k, v in exact.items()}
        finders: list[Any] = []
        if tests.get(C.PREFIX):
            finders.append(AffixTables(tests[C.PREFIX], suffix=False))
        if tests.get(C.SUFFIX):
            finders.append(AffixTables(tests[C.SUFFIX], suffix=True))
        if tests.get(C.EQ_IC):
            finders.append(IgnoreCaseTests(tests[C.EQ_IC], "eq"))
        if tests.get(C.PREFIX_IC):
            finders.append(IgnoreCaseTests(tests[C.PREFIX_IC], "prefix"))
        if tests.get(C.SUFFIX_IC):
            finders.append(IgnoreCaseTests(tests[C.SUFFIX_IC], "suffix"))
        if tests.get(C.WILDCARD):
            finders.append(WildcardTests(tests[C.WILDCARD]))
        self.finders = tuple(finders)

    def find(self, s: str, out: set[int]) -> None:
        hit = self.exact.get(s)
        if hit:
            out.update(hit)
        for finder in self.finders:
            finder.find(s, out)
