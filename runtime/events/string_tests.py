"""Indexes of one field's string tests: which exact, prefix, suffix, equals-ignore-case and wildcard
conditions a string satisfies, at a cost that does not grow with the number of rules.

Each index has ``find(s, out)``, which adds to ``out`` the ids of the conditions ``s`` satisfies.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import re2

from tamis.runtime.events import conditions as C
from tamis.runtime.events.ignore_case import ignore_case_regex
from tamis.runtime.events.wildcards import wildcard_regex


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


class WildcardTests:
    """Every wildcard of one field in one RE2 set: one pass over the value, however many rules."""

    __slots__ = ("ids", "set")

    def __init__(self, entries: list[tuple[str, int]]) -> None:
        self.set = re2.Set.FullMatchSet(re2_options())
        grouped: dict[str, list[int]] = defaultdict(list)
        for text, ident in entries:
            grouped[wildcard_regex(text)].append(ident)
        self.ids: list[tuple[int, ...]] = []
        for regex, idents in grouped.items():
            self.set.Add(regex)
            self.ids.append(tuple(idents))
        self.set.Compile()

    def find(self, s: str, out: set[int]) -> None:
        for k in self.set.Match(utf8_safe(s)) or ():
            out.update(self.ids[k])


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
