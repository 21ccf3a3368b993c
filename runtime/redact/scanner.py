"""The detection hot path: one RE2 set scan, then exact spans, checks and keyword windows.

A ``Scanner`` is built once per compiled policy from ``Detector`` descriptions (the compiler
supplies them for managed and custom identifiers) and then scans any number of messages:

1. one ``re2.Set`` match over the UTF-8 bytes says which detectors hit at all;
2. if any of those takes keywords, one more RE2 pass finds the keywords of all of them;
3. only the detectors that hit are searched for exact spans: over the whole message, or, when a
   keyword is required, only in windows around their keywords (RE2: linear time in the message);
4. each candidate goes through its keyword window and its check (Luhn, VIN, ...).

Offsets are reported in characters of the original ``str`` (not bytes).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from typing import NamedTuple

import re2

from tamis.runtime.redact import native
from tamis.runtime.redact.checks import digits_of
from tamis.runtime.redact.detector import Check, Detector, Finding, Found, FoundList
from tamis.runtime.redact.json_strings import decoded_json, looks_like_json
from tamis.runtime.redact.keywords import (
    KEYWORD_WINDOW,
    SEPARATORS,
    contains_at_boundaries,
    keyword_bounded,
    keyword_hit,
    keyword_regex,
    keyword_spans,
    near_sorted,
    norm_keyword,
    shorter_keyword,
)
from tamis.runtime.redact.search import UNANCHORED, bound_match, finditer_spans, re2_options, spans_into

# Per-regex memory budget for RE2 (program + DFA caches); exceeding it fails compilation or makes
# RE2 fall back to slower, still linear, matching; never exponential.
DEFAULT_MAX_MEM = 8 << 20


class _OffsetMap:
    """Byte offsets into the UTF-8 encoding -> character offsets of the ``str``."""

    def __init__(self, text: str, data: bytes) -> None:
        self._ascii = len(data) == len(text)
        self._data = data
        self._bytes: list[int] = [0]
        self._chars: list[int] = [0]

    def char(self, b: int) -> int:
        if self._ascii:
            return b
        i = bisect.bisect_right(self._bytes, b) - 1
        base_b, base_c = self._bytes[i], self._chars[i]
        if base_b == b:
            return base_c
        c = base_c + len(self._data[base_b:b].decode("utf-8", "surrogatepass"))
        # Remember every point, so later lookups decode only from the nearest known one (linear total).
        self._bytes.insert(i + 1, b)
        self._chars.insert(i + 1, c)
        return c


# Values found by their keyword are searched for in a byte window this much wider than the keyword
# window on each side, so that a value of up to this many bytes is seen whole.
_VALUE_MARGIN = 256


class _Plan(NamedTuple):
    """One detector as the hot loop uses it (built once per policy)."""

    name: str
    match: Callable[..., list[tuple[int, int]]] | None  # the RE2 object's own search, when exposed
    regex: re2._Regexp
    group: int
    required: bool  # a keyword must be within the window
    relaxes: bool  # without a keyword, the strict check must hold
    keyed: bool  # takes keywords at all
    check: Check | None
    strict_check: Check | None
    exclude: frozenset[str]
    reach: int  # keyword window plus the longest value, in characters


_UNSEEN = frozenset({-1})
_SPELLINGS = 4096
_ALLOWED_CACHE = 1024  # distinct ``only`` sets remembered for the native core (one per applicable plan)

# Building a Finding through tuple.__new__ skips the generated Python-level __new__ (one frame a finding).
_new_finding = tuple.__new__


class Scanner:
    """Compiled detectors for one policy; ``scan`` is safe to call concurrently."""

    def __init__(self, detectors: Sequence[Detector], *, max_mem: int = DEFAULT_MAX_MEM) -> None:
        self.detectors = tuple(detectors)
        opts = re2_options(max_mem)
        self._set: re2.Set | None = None
        self._regexes: list[re2._Regexp] = []
        self._keyword_re: re2._Regexp | None = None
        self._keyword_match: Callable[..., list[tuple[int, int]]] | None = None
        # keyword as spelled in messages -> detectors it serves (None: not a keyword); a bounded memo of
        # the lower-case, separator-free lookup, since messages spell the same few keywords again
        self._keyword_spelled: dict[str, frozenset[int] | None] = {}
        # normalised keyword -> indices of the detectors it serves (a longer keyword also serves the
        # detectors of the shorter keywords it contains as whole words: "card id" carries "card")
        self._keyword_owner: dict[str, frozenset[int]] = {}
        self._plans: tuple[_Plan, ...] = ()
        self._set_match: Callable[[bytes], list[int] | None] | None = None
        self._names: tuple[str, ...] = ()
        self._native: native._redact.Scanner | None = None
        # ``only`` (a frozenset cached per direction and principal) -> one byte per detector for the core
        self._allowed: dict[frozenset[str], bytes] = {}
        if not self.detectors:
            return
        # The set's budget grows with the number of patterns, still bounded per pattern.
        self._set = re2.Set.SearchSet(re2_options(max_mem * max(1, len(self.detectors))))
        by_keyword: dict[str, set[int]] = {}
        for i, det in enumerate(self.detectors):
            self._set.Add(det.pattern.encode())
            self._regexes.append(re2.compile(det.pattern.encode(), opts))
            if det.keyword_mode != "none":
                for kw in det.keywords:
                    by_keyword.setdefault(kw.lower(), set()).add(i)
        self._set.Compile()
        # The binding's own set match: the wrapper adds a call and a type test per message.
        self._set_match = getattr(self._set, "_set", self._set).Match
        # Everything per detector that does not depend on the message, resolved once: the bound RE2
        # search (no wrapper call per match), mode flags, checks and the keyword-window reach.
        self._plans = tuple(
            _Plan(
                det.name,
                bound_match(regex),
                regex,
                det.group,
                det.keyword_mode == "required",
                det.keyword_mode == "relaxes" and det.strict_check is not None,
                det.keyword_mode != "none",
                det.check,
                det.strict_check,
                det.exclude,
                KEYWORD_WINDOW + (det.max_len or _VALUE_MARGIN) + 2,  # +2: one context character, slack
            )
            for det, regex in zip(self.detectors, self._regexes, strict=True)
        )
        self._names = tuple(det.name for det in self.detectors)
        keyword_pattern = keyword_regex(list(by_keyword)).encode() if by_keyword else None
        if keyword_pattern is not None:
            # One pass finds the keywords of every detector (leftmost-longest, case-insensitive).
            self._keyword_re = re2.compile(keyword_pattern, re2_options(max_mem, longest=True))
            self._keyword_match = bound_match(self._keyword_re)
            owners: dict[str, set[int]] = {}
            for kw, idx in by_keyword.items():
                served = set(idx)
                for other, other_idx in by_keyword.items():
                    if other != kw and contains_at_boundaries(kw, other):
                        served |= other_idx
                owners.setdefault(norm_keyword(kw), set()).update(served)
            self._keyword_owner = {k: frozenset(v) for k, v in owners.items()}
        if native.USE_NATIVE:  # read now: tests switch it off for the scanners they build
            reaches = [plan.reach for plan in self._plans]
            self._native = native.scanner_core(
                self.detectors, reaches, list(by_keyword), self._keyword_owner, max_mem, keyword_pattern
            )

    @property
    def native(self) -> bool:
        """Whether this scanner runs on the native core (its ``rewrite`` is then used as well)."""
        return self._native is not None

    def rewrite(
        self, message: str, found: list[Finding] | Found, operations: dict[str, tuple[str, str]]
    ) -> str | None:
        """The message with the findings merged and spliced in one native call (redactor.py's
        ``merged_spans`` then json_rewrite.py's splices), or None where the Python steps must decide: no
        native core, a mask character that is not ASCII, a JSON message with a span outside plain
        strings."""
        if self._native is None:
            return None
        if isinstance(found, FoundList):
            found = found.findings()
        return native._redact.rewrite(message, found, operations)

    def hits(self, data: bytes) -> list[int]:
        """Indices of the detectors whose pattern occurs somewhere in ``data`` (one RE2 set pass)."""
        if self._set is None:
            return []
        return sorted(self._set.Match(data) or ())

    def scan(self, text: str, only: frozenset[str] | None = None) -> list[Finding]:
        """Every finding in ``text``, sorted by position (ties: longer first, then name).

        ``only`` limits the scan to the named identifiers (those of the statements that apply).
        """
        return self.find(text, only).findings()

    def find(self, text: str, only: frozenset[str] | None = None) -> Found:
        """``scan``'s findings, held by the native core where it ran: made into ``Finding`` tuples only when
        ``findings()`` is called (``Redactor.apply`` rewrites from them without it)."""
        if "\\" in text:
            # A JSON message is read as a JSON reader reads it (escapes decoded), the findings mapped back
            # to whole escapes of the raw message; any other text with its escapes made neutral.
            view = decoded_json(text) if looks_like_json(text) else None
            if view is not None:
                return FoundList(view.raw_findings(self._find(view.text, only).findings()))
            text = _neutral_escapes(text)
        # _find inlined: this is every message's path, a call more is a few percent of a short one
        if self._native is not None:
            found = self._native.find(text, self._allowed_mask(only))
            if found is not None:  # None: a lone surrogate (no UTF-8 form), the Python path handles it
                return found
        return FoundList(self._scan_python(text, only))

    def _find(self, text: str, only: frozenset[str] | None) -> Found:
        """``find`` of a text as it is scanned (the decoded view of a JSON message)."""
        if self._native is not None:
            found = self._native.find(text, self._allowed_mask(only))
            if found is not None:
                return found
        return FoundList(self._scan_python(text, only))

    def _allowed_mask(self, only: frozenset[str] | None) -> bytes | None:
        """The native core's per-detector mask for ``only`` (None: every detector), made once per set."""
        if only is None:
            return None
        allowed = self._allowed.get(only)
        if allowed is None:
            allowed = native.allowed_mask(self._names, only)
            if len(self._allowed) >= _ALLOWED_CACHE:
                self._allowed.clear()
            self._allowed[only] = allowed
        return allowed

    def _scan_python(self, text: str, only: frozenset[str] | None) -> list[Finding]:
        """``scan`` without the native core (or for a text with a lone surrogate), escapes already neutral."""
        data = text.encode("utf-8", "surrogatepass")
        if self._set is None:
            return []
        hit = self._set_match(data)  # type: ignore[misc]
        if not hit:
            return []
        hit = sorted(hit)
        if only is not None:
            names = self._names
            hit = [i for i in hit if names[i] in only]
            if not hit:
                return []
        plans = self._plans
        ascii_text = len(data) == len(text)
        char = None if ascii_text else _OffsetMap(text, data).char
        keywords: dict[int, list[tuple[int, int, int, int]]] | None = None
        for i in hit:
            if plans[i].keyed:
                keywords = self._keyword_hits(text, data, char)
                break
        # (start, -end, name) tuples sort natively; Finding objects are built once, in order.
        raw: list[tuple[int, int, str]] = []
        add = raw.append
        ndata = len(data)
        for i in hit:
            plan = plans[i]
            kws = keywords.get(i) if keywords is not None else None
            if plan.required:
                if not kws:
                    continue
                reach = plan.reach
                spans: list[tuple[int, int]] = []
                lo, hi = -1, -1
                for b0, b1, s0, e0 in kws:  # windows around the keywords, merged when they touch
                    if ascii_text:
                        wlo, whi = b0 - reach, b1 + reach
                    else:  # ``reach`` characters on each side, as many bytes as they take
                        wlo = b0 - len(text[max(0, s0 - reach) : s0].encode("utf-8", "surrogatepass"))
                        whi = b1 + len(text[e0 : e0 + reach].encode("utf-8", "surrogatepass"))
                    if wlo < 0:
                        wlo = 0
                    if whi > ndata:
                        whi = ndata
                    if hi >= 0 and wlo <= hi:
                        if whi > hi:
                            hi = whi
                    else:
                        if hi >= 0:
                            _search_into(plan, data, lo, hi, spans)
                        lo, hi = wlo, whi
                if hi >= 0:
                    _search_into(plan, data, lo, hi, spans)
            else:
                spans = []
                _search_into(plan, data, 0, ndata, spans)
            if not spans:
                continue
            name, check, exclude = plan.name, plan.check, plan.exclude
            required, relaxes = plan.required, plan.relaxes
            kw_starts: list[int] = []
            kw_spans: list[tuple[int, int]] = []
            if kws and (required or relaxes):
                kw_spans = [(k[2], k[3]) for k in kws]
                kw_starts = [k[2] for k in kws]
            for b0, b1 in spans:
                if ascii_text:
                    start, end = b0, b1
                else:
                    start, end = char(b0), char(b1)  # type: ignore[misc]
                if start == end:
                    continue
                # keyword first when one is required: it is the cheapest and most selective test
                if required and not near_sorted(kw_starts, kw_spans, start, end):
                    continue
                if exclude and digits_of(text[start:end]) in exclude:
                    continue
                if check is not None and not check(text, start, end):
                    continue
                if (
                    relaxes
                    and not near_sorted(kw_starts, kw_spans, start, end)
                    and not plan.strict_check(text, start, end)  # type: ignore[misc]
                ):
                    continue  # no keyword nearby: the stricter form (a country code) is needed
                add((start, -end, name))
        raw.sort()
        return [_new_finding(Finding, (n, s, -ne)) for s, ne, n in raw]

    def _keyword_hits(
        self, text: str, data: bytes, char: Callable[[int], int] | None
    ) -> dict[int, list[tuple[int, int, int, int]]]:
        """detector index -> its keyword occurrences as (byte start, byte end, char start, char end)."""
        out: dict[int, list[tuple[int, int, int, int]]] = {}
        if self._keyword_re is None:
            return out
        if char is None and self._keyword_match is not None:
            return self._keyword_hits_ascii(text, data)
        owner, regex = self._keyword_owner, self._keyword_re
        for hit, _starts, b1 in keyword_spans(regex, data):
            got = keyword_hit(regex, owner, data, hit, b1)
            if got is None:
                continue
            b0, b1, served = got
            item = (b0, b1, b0, b1) if char is None else (b0, b1, char(b0), char(b1))
            for i in served:
                out.setdefault(i, []).append(item)
        return out

    def _keyword_hits_ascii(self, text: str, data: bytes) -> dict[int, list[tuple[int, int, int, int]]]:
        """``_keyword_hits`` for ASCII text (byte and character offsets agree), with the search inlined.

        Same steps in the same order: a hit keeps one leading context character except at offset 0,
        where the hit itself may be the keyword; the next search starts at the hit's last character.
        """
        out: dict[int, list[tuple[int, int, int, int]]] = {}
        match, anchor, owner, seps = self._keyword_match, UNANCHORED, self._keyword_owner, SEPARATORS
        regex, spelled = self._keyword_re, self._keyword_spelled
        n = len(text)
        pos = 0
        while pos <= n:
            hit, b1 = match(anchor, data, pos, n)[0]  # type: ignore[misc]
            if hit < 0:
                break
            nxt = b1 - 1 if b1 > hit else b1  # share the last character (ASCII: one byte)
            pos = nxt if nxt > pos else pos + 1
            starts = (0, 1) if hit == 0 else (hit + 1,)
            while True:
                found = None
                for b0 in starts:
                    if b0 < b1:
                        raw = text[b0:b1]
                        served = spelled.get(raw, _UNSEEN)
                        if served is _UNSEEN:
                            served = owner.get(raw.lower().translate(seps))
                            if len(spelled) < _SPELLINGS:
                                spelled[raw] = served
                        if served:
                            found = (b0, served)
                            break
                if found is None:
                    break
                b0, served = found
                if (
                    b1 < n
                    and text[b1].isalnum()
                    and text[b1 - 1].isalnum()
                    and not keyword_bounded(text, b0, b1)
                ):
                    shorter = shorter_keyword(regex, data, hit, b0, b1)  # type: ignore[arg-type]
                    if shorter is None:
                        break
                    b1 = shorter
                    continue
                item = (b0, b1, b0, b1)
                for i in served:
                    got = out.get(i)
                    if got is None:
                        out[i] = [item]
                    else:
                        got.append(item)
                break
        return out


_UNICODE_ESCAPE = re2.compile(r"\\u[0-9A-Fa-f]{4}")


def _neutral_escapes(text: str) -> str:
    """The text with each backslash escape (JSON or log style: ``\\n``, ``\\"``, ``\\u00e9``) blanked out.

    Same length, so offsets are unchanged; detection then sees a word boundary where a raw JSON
    message has ``\\n`` before "card number" or before the number itself.
    """
    text = text.replace("\\\\", "  ")  # escaped backslashes first: "\\\\n" is a backslash then "n"
    if "\\u" in text:
        text = _UNICODE_ESCAPE.sub("      ", text)
    for esc in ('\\"', "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"):
        if esc in text:
            text = text.replace(esc, "  ")
    return text


def _search_into(plan: _Plan, data: bytes, pos: int, end: int, out: list[tuple[int, int]]) -> None:
    if plan.match is not None:
        spans_into(plan.match, data, plan.group, pos, end, out)
    else:  # a binding without the raw RE2 object: the generic iterator
        out.extend(finditer_spans(plan.regex, data, plan.group, pos, end))
