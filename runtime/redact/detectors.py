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
import ipaddress
import itertools
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

import re2

from tamis.runtime import NATIVE_ALLOWED

try:  # the optional native core (runtime/redact/_redact.cc, linked with RE2's C++ library)
    from tamis.runtime.redact import _redact
except ImportError:
    _redact = None  # type: ignore[assignment]

# Whether scanners built from now on use the native core (tests switch it off to check this module).
# TAMIS_NATIVE=0 in the environment turns it off for the whole process (tamis.runtime.NATIVE_ALLOWED).
USE_NATIVE = _redact is not None and NATIVE_ALLOWED

# A keyword counts when it ends at most this many characters before the value starts, or starts at
# most this many after it ends ("within 30 characters (inclusively)", CloudWatch Logs managed
# data identifiers page).
KEYWORD_WINDOW = 30

# Keywords are far shorter than this (characters): a keyword that ends near a value starts at most this
# far before the window, which bounds the bisection in ``_near_sorted``.
_LONGEST_KEYWORD = 200

# The native core looks for anchors (see SearchHints) only in ranges at least this long (bytes): in a
# keyword's window, about 100 bytes, finding them costs about what the shorter searches save.
_ANCHOR_MIN_RANGE = 512

# Per-regex memory budget for RE2 (program + DFA caches); exceeding it fails compilation or makes
# RE2 fall back to slower, still linear, matching; never exponential.
DEFAULT_MAX_MEM = 8 << 20

Check = Callable[[str, int, int], bool]


class Finding(NamedTuple):
    """One detected value: identifier name and character offsets ``[start, end)`` in the message."""

    identifier: str
    start: int
    end: int


class Found(Protocol):
    """The findings of one scan (``Scanner.find``): the native core's records, or ``FoundList``."""

    def __len__(self) -> int: ...

    def findings(self) -> list[Finding]:
        """A new list of the findings, sorted as ``Scanner.scan`` sorts them."""
        ...

    def identifiers(self) -> frozenset[str]:
        """The names of the identifiers found."""
        ...


class FoundList:
    """Findings the Python path made, behind the interface of the native core's records."""

    __slots__ = ("_found",)

    def __init__(self, found: list[Finding]) -> None:
        self._found = found

    def __len__(self) -> int:
        return len(self._found)

    def findings(self) -> list[Finding]:
        return list(self._found)

    def identifiers(self) -> frozenset[str]:
        return frozenset(f.identifier for f in self._found)


class SearchHints(NamedTuple):
    """What the native core may assume about every match of one of tamis's own patterns.

    ``required``: characters of which every match holds at least ``count`` (count 0: nothing known);
    ``alphabet``: every character a match can hold (empty: unknown); ``run_alphabet``: every character the
    value (the reported group) can hold, when the value alone holds ``count`` required characters (empty:
    unknown), so ``count`` of them lie in one run of those characters; ``run_lead`` (empty: unknown): the
    characters that may not come just before the value, when they include the whole run alphabet (the
    value then starts where its run does, after none of them). With the longest match these bound where
    a search can find anything; results are the same, only less text is read. ``value_lead`` (empty:
    unknown): for a pattern ``(?:^|[^E])(value)`` that ends with its value (nothing after it but ``\\b``
    or ``$``) and whose value starts with a character of E, that set E: the value is then the whole match
    less its first character when that one is outside E, so the core asks RE2 for the match alone (a
    search that reports a group costs about three times as much). ``word_start`` (empty: unknown): for a
    pattern that starts with ``\\b`` and then one of these word characters, those characters: a match
    starts only at one of them that follows no word character (a search anchored there costs half an
    unanchored one). ``streak_min`` and ``streak_max`` (-1: unknown), with a word start: a match starts
    with that many ``required`` characters in a row, and the text's run of them there is no longer (the
    match goes on with another character, or ends where ``\\b`` says the run does).
    """

    required: frozenset[str]
    count: int
    alphabet: frozenset[str]
    run_alphabet: frozenset[str] = frozenset()
    run_lead: frozenset[str] = frozenset()
    value_lead: frozenset[str] = frozenset()
    word_start: frozenset[str] = frozenset()
    streak_min: int = 0
    streak_max: int = -1


NO_HINTS = SearchHints(frozenset(), 0, frozenset())


def _ascii(chars: frozenset[str]) -> str:
    """The ASCII ones of a hint's characters, as the native core takes them (the others never occur in the
    ASCII messages it scans)."""
    return "".join(sorted(c for c in chars if c.isascii()))


@dataclass(frozen=True)
class Detector:
    """How to find one identifier.

    ``pattern`` is RE2 syntax; ``group`` selects the value when the pattern carries leading context.
    ``keyword_mode``: ``"none"`` (no keyword needed), ``"required"`` (a keyword within the window),
    ``"relaxes"`` (without a keyword, ``strict_check`` must also hold: PhoneNumber's country code).
    """

    name: str
    pattern: str
    group: int = 0
    check: Check | None = None
    keywords: tuple[str, ...] = ()
    keyword_mode: str = "none"
    strict_check: Check | None = None
    exclude: frozenset[str] = field(default_factory=frozenset)
    max_len: int | None = None  # longest possible match in characters, when bounded and known
    # What every match holds (tamis's own patterns only). With ``max_len`` it bounds where a search can
    # find anything: the native core searches only there; results are the same.
    hints: SearchHints = NO_HINTS


# A space inside a keyword also matches no character or one of these (rule S28 of the SNS docs), so the
# JSON key "credit_card_number" carries the keyword "card number". The regex, the native core's
# spellings and the keyword normal form all follow it.
_KEYWORD_SEPARATORS = " _-"


def _keyword_pattern(keyword: str) -> str:
    sep = f"[{_KEYWORD_SEPARATORS}]?"
    return "".join(sep if ch == " " else re2.escape(ch) for ch in keyword)


def _keyword_words(keywords: Sequence[str]) -> set[str]:
    """The keywords as the regex and the spellings take them: lower case, stripped, none empty."""
    return {k.lower().strip() for k in keywords if k.strip()}


def keyword_regex(keywords: Sequence[str]) -> str:
    """One RE2 regex for a keyword list: case-insensitive, longest first, starting a word.

    A hit is a keyword after the start of the text or after one character that is neither a letter
    nor a digit, or a keyword whose capital first letter follows a lower-case one (``creditCard``).
    Keeping the leading boundary in the regex spares the keywords hidden inside words ("tel" in
    "hotel"); the trailing boundary is checked on each hit.
    """
    kws = sorted(_keyword_words(keywords), key=len, reverse=True)
    plain = "|".join(_keyword_pattern(k) for k in kws)
    camel = "|".join(
        re2.escape(k[0].upper()) + "(?i:" + _keyword_pattern(k[1:]) + ")" for k in kws if k[0].isalpha()
    )
    # No capturing groups: RE2 then finds each hit with its DFAs alone (no submatch pass); the one
    # leading context character is stripped afterwards (see ``_keyword_spans``).
    out = r"(?:^|[^\pL\pN])(?i:" + plain + ")"
    if camel:
        out += r"|(?-i:\p{Ll})(?:" + camel + ")"
    return out


# More spellings than this (keywords with many spaces): the native core is not used for the scanner.
_MAX_SPELLINGS = 1 << 16


def keyword_spellings(keywords: Sequence[str]) -> tuple[str, ...] | None:
    """Every ASCII spelling of the keywords that ``keyword_regex`` accepts, in lower case.

    Built by the same rule as ``_keyword_pattern``: each space stands for no character or one of
    ``_KEYWORD_SEPARATORS``. The native core walks these as a trie on ASCII text (a keyword with any other
    character cannot occur there). None when there would be more than ``_MAX_SPELLINGS``.
    """
    choices = ("", *_KEYWORD_SEPARATORS)
    out: set[str] = set()
    for k in _keyword_words(keywords):
        if not k.isascii():
            continue
        parts = k.split(" ")
        if len(choices) ** (len(parts) - 1) + len(out) > _MAX_SPELLINGS:
            return None
        for seps in itertools.product(choices, repeat=len(parts) - 1):
            out.add(parts[0] + "".join(sep + part for sep, part in zip(seps, parts[1:], strict=True)))
    return tuple(sorted(out))


def _is_word(ch: str) -> bool:
    return ch.isalnum()


def _is_lower(ch: str) -> bool:
    # Unicode category Ll, as RE2's \p{Ll} (str.islower also accepts a few modifier letters)
    return ch.islower() if ch.isascii() else unicodedata.category(ch) == "Ll"


def _is_upper(ch: str) -> bool:
    return ch.isupper() if ch.isascii() else unicodedata.category(ch) == "Lu"


def _keyword_bounded(text: str, start: int, end: int) -> bool:
    """A keyword must not sit inside a longer word (``pan`` in ``company``); camelCase joins count."""
    if (
        start > 0
        and _is_word(text[start - 1])
        and _is_word(text[start])
        and not (_is_lower(text[start - 1]) and _is_upper(text[start]))
    ):
        return False
    if (
        end < len(text)
        and _is_word(text[end])
        and _is_word(text[end - 1])
        and not (_is_lower(text[end - 1]) and _is_upper(text[end]))
    ):
        # "exp d" style keywords (a single trailing letter) are prefixes of "exp date".
        last = text[start:end].replace("_", " ").replace("-", " ").split(" ")[-1]
        return len(last) == 1
    return True


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


def _options(max_mem: int, *, longest: bool = False) -> re2.Options:
    opts = re2.Options()
    opts.max_mem = max_mem
    opts.log_errors = False
    opts.longest_match = longest
    return opts


_SEPARATORS = str.maketrans("", "", _KEYWORD_SEPARATORS)


def _norm_keyword(keyword: str) -> str:
    return keyword.lower().translate(_SEPARATORS)


def _contains_at_boundaries(outer: str, inner: str) -> bool:
    """``inner`` occurs in ``outer`` as whole words (keywords compared with separators unified)."""
    o = outer.lower().replace("_", " ").replace("-", " ")
    i = inner.lower().replace("_", " ").replace("-", " ")
    at = o.find(i)
    while at >= 0:
        before = o[at - 1] if at > 0 else " "
        after = o[at + len(i)] if at + len(i) < len(o) else " "
        if not before.isalnum() and not after.isalnum():
            return True
        at = o.find(i, at + 1)
    return False


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
        opts = _options(max_mem)
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
        self._native: _redact.Scanner | None = None
        # ``only`` (a frozenset cached per direction and principal) -> one byte per detector for the core
        self._allowed: dict[frozenset[str], bytes] = {}
        if not self.detectors:
            return
        # The set's budget grows with the number of patterns, still bounded per pattern.
        self._set = re2.Set.SearchSet(_options(max_mem * max(1, len(self.detectors))))
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
                _bound_match(regex),
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
            self._keyword_re = re2.compile(keyword_pattern, _options(max_mem, longest=True))
            self._keyword_match = _bound_match(self._keyword_re)
            owners: dict[str, set[int]] = {}
            for kw, idx in by_keyword.items():
                served = set(idx)
                for other, other_idx in by_keyword.items():
                    if other != kw and _contains_at_boundaries(kw, other):
                        served |= other_idx
                owners.setdefault(_norm_keyword(kw), set()).update(served)
            self._keyword_owner = {k: frozenset(v) for k, v in owners.items()}
        if USE_NATIVE:
            self._native = self._native_core(max_mem, list(by_keyword))

    def _native_core(self, max_mem: int, keywords: list[str]) -> _redact.Scanner | None:
        """The same plans for the native core; None where it cannot take them (the Python path runs)."""
        spellings = keyword_spellings(keywords) if keywords else None
        if keywords and spellings is None:  # too many for the core's trie
            return None
        ranks = {name: i for i, name in enumerate(sorted(set(self._names)))}
        specs = []
        for plan, det in zip(self._plans, self.detectors, strict=True):
            mode = {"none": 0, "required": 1, "relaxes": 2}.get(det.keyword_mode)
            if mode is None or not 0 <= plan.group <= 9:
                return None
            specs.append(
                (
                    det.pattern.encode(),
                    plan.group,
                    mode,
                    _check_code(plan.check),
                    plan.check,
                    _check_code(plan.strict_check),
                    plan.strict_check,
                    plan.reach,
                    tuple(plan.exclude),
                    ranks[plan.name],
                    plan.name,
                    # the ASCII ones only: a match in ASCII text holds ``count`` of those
                    _ascii(det.hints.required),
                    det.hints.count,
                    _ascii(det.hints.alphabet),
                    _ascii(det.hints.run_alphabet),
                    _ascii(det.hints.run_lead),
                    _ascii(det.hints.value_lead),
                    _ascii(det.hints.word_start),
                    det.hints.streak_min,
                    det.hints.streak_max,
                    det.max_len if det.max_len is not None else -1,
                )
            )
        owner = {k: tuple(v) for k, v in self._keyword_owner.items()}
        try:
            return _redact.Scanner(
                specs,
                spellings,
                owner,
                max_mem,
                Finding,
                KEYWORD_WINDOW,
                _LONGEST_KEYWORD,
                _ANCHOR_MIN_RANGE,
            )
        except ValueError:  # a pattern this RE2 build rejects: keep to the binding
            return None

    @property
    def native(self) -> bool:
        """Whether this scanner runs on the native core (its ``rewrite`` is then used as well)."""
        return self._native is not None

    def rewrite(
        self, message: str, found: list[Finding] | Found, operations: dict[str, tuple[str, str]]
    ) -> str | None:
        """The message with the findings merged and spliced in one native call (runtime/redactor.py's
        ``_merged_spans`` then its splices), or None where the Python steps must decide: no native core, a
        message or mask character that is not ASCII, a JSON message with a span outside plain strings."""
        if self._native is None:
            return None
        if isinstance(found, FoundList):
            found = found.findings()
        return _redact.rewrite(message, found, operations)

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
            text = _neutral_escapes(text)
        if self._native is not None:
            found = self._native.find(text, self._allowed_mask(only))
            if found is not None:  # None: not ASCII, the Python path handles it
                return found
        return FoundList(self._scan_python(text, only))

    def _allowed_mask(self, only: frozenset[str] | None) -> bytes | None:
        """The native core's per-detector mask for ``only`` (None: every detector), made once per set."""
        if only is None:
            return None
        allowed = self._allowed.get(only)
        if allowed is None:
            allowed = bytes(name in only for name in self._names)
            if len(self._allowed) >= _ALLOWED_CACHE:
                self._allowed.clear()
            self._allowed[only] = allowed
        return allowed

    def _scan_python(self, text: str, only: frozenset[str] | None) -> list[Finding]:
        """``scan`` without the native core (or for a text that is not ASCII), escapes already neutral."""
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
                reach = plan.reach if ascii_text else plan.reach * 4  # at most 4 UTF-8 bytes a character
                spans: list[tuple[int, int]] = []
                lo, hi = -1, -1
                for b0, b1, _s, _e in kws:  # windows around the keywords, merged when they touch
                    wlo, whi = b0 - reach, b1 + reach
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
                if required and not _near_sorted(kw_starts, kw_spans, start, end):
                    continue
                if exclude and _digits(text[start:end]) in exclude:
                    continue
                if check is not None and not check(text, start, end):
                    continue
                if (
                    relaxes
                    and not _near_sorted(kw_starts, kw_spans, start, end)
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
        ascii_text, owner = char is None, self._keyword_owner
        n = len(text)
        if ascii_text and self._keyword_match is not None:
            return self._keyword_hits_ascii(text, data)
        for hit, starts, b1 in _keyword_spans(self._keyword_re, data):
            while True:
                e = b1 if ascii_text else char(b1)
                found = None
                for b0 in starts:
                    s = b0 if ascii_text else char(b0)
                    if s < e:
                        served = owner.get(text[s:e].lower().translate(_SEPARATORS))
                        if served:
                            found = (b0, s, served)
                            break
                if found is None:
                    break
                b0, s, served = found
                # The regex guarantees the leading boundary; the trailing one is checked here. When
                # the longest keyword runs into a word ("card_numbercard"), a shorter one may stand.
                if e < n and text[e].isalnum() and text[e - 1].isalnum() and not _keyword_bounded(text, s, e):
                    shorter = _shorter_keyword(self._keyword_re, data, hit, b0, b1)
                    if shorter is None:
                        break
                    b1 = shorter
                    continue
                for i in served:
                    out.setdefault(i, []).append((b0, b1, s, e))
                break
        return out

    def _keyword_hits_ascii(self, text: str, data: bytes) -> dict[int, list[tuple[int, int, int, int]]]:
        """``_keyword_hits`` for ASCII text (byte and character offsets agree), with the search inlined.

        Same steps in the same order: a hit keeps one leading context character except at offset 0,
        where the hit itself may be the keyword; the next search starts at the hit's last character.
        """
        out: dict[int, list[tuple[int, int, int, int]]] = {}
        match, anchor, owner, seps = self._keyword_match, _UNANCHORED, self._keyword_owner, _SEPARATORS
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
                    and not _keyword_bounded(text, b0, b1)
                ):
                    shorter = _shorter_keyword(regex, data, hit, b0, b1)  # type: ignore[arg-type]
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


_UNANCHORED = getattr(getattr(re2, "_Anchor", None), "UNANCHORED", None)
_ANCHOR_START = getattr(getattr(re2, "_Anchor", None), "ANCHOR_START", None)


def _finditer_spans(
    regex: re2._Regexp,
    data: bytes,
    group: int,
    pos: int = 0,
    end: int | None = None,
    *,
    share_last: bool = False,
) -> list[tuple[int, int]]:
    """Byte spans of ``group`` for every match, left to right.

    The next search starts where the reported span ends, so a trailing context character can be
    the next match's leading context; with ``share_last`` it starts at the match's last character
    (keywords: "cardSSN" is "card" then "SSN", whose context is the "d").
    Calls the compiled RE2 object directly when the binding exposes it: the generic ``finditer``
    wrapper builds a match object per hit, which costs more than the search itself on short hits.
    """
    low = getattr(regex, "_regexp", None)
    end = len(data) if end is None else end
    if low is None or _UNANCHORED is None:
        return [m.span(group) for m in regex.finditer(data, pos, end)]
    out = []
    while pos <= end:
        spans = low.Match(_UNANCHORED, data, pos, end)
        s, e = spans[0]
        if s < 0:
            break
        gs, ge = spans[group]
        if gs >= 0:
            out.append((gs, ge))
        nxt = ge if gs >= 0 else e
        if share_last and e > s:
            nxt = e - 1
            while nxt > s and data[nxt] & 0xC0 == 0x80:  # back to the start of a UTF-8 character
                nxt -= 1
        pos = nxt if nxt > pos else pos + 1
    return out


def _bound_match(regex: re2._Regexp) -> Callable[..., list[tuple[int, int]]] | None:
    low = getattr(regex, "_regexp", None)
    return None if low is None or _UNANCHORED is None else low.Match


def _spans_into(
    match: Callable[..., list[tuple[int, int]]],
    data: bytes,
    group: int,
    pos: int,
    end: int,
    out: list[tuple[int, int]],
) -> None:
    """``_finditer_spans`` without ``share_last``, appending to ``out`` (the scanner's inner loop)."""
    anchor = _UNANCHORED
    append = out.append
    if group == 0:
        while pos <= end:
            span = match(anchor, data, pos, end)[0]
            e = span[1]
            if e < 0:
                return
            append(span)
            pos = e if e > pos else pos + 1
        return
    while pos <= end:
        spans = match(anchor, data, pos, end)
        e = spans[0][1]
        if e < 0:
            return
        gs, ge = spans[group]
        if gs >= 0:
            append((gs, ge))
            nxt = ge
        else:
            nxt = e
        pos = nxt if nxt > pos else pos + 1


def _search_into(plan: _Plan, data: bytes, pos: int, end: int, out: list[tuple[int, int]]) -> None:
    if plan.match is not None:
        _spans_into(plan.match, data, plan.group, pos, end, out)
    else:  # a binding without the raw RE2 object: the generic iterator
        out.extend(_finditer_spans(plan.regex, data, plan.group, pos, end))


def _near_sorted(kw_starts: list[int], kw_spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether a keyword ends at most KEYWORD_WINDOW characters before ``start`` or starts at most that
    many after ``end``. ``kw_spans`` is sorted by start; ``kw_starts`` holds the starts for the bisection
    (keywords are shorter than _LONGEST_KEYWORD, so none that ends near the value starts before)."""
    i = bisect.bisect_left(kw_starts, start - KEYWORD_WINDOW - _LONGEST_KEYWORD)
    for j in range(i, len(kw_spans)):
        ks, ke = kw_spans[j]
        if ks > end + KEYWORD_WINDOW:
            break
        if ke <= start and start - ke <= KEYWORD_WINDOW:
            return True
        if ks >= end and ks - end <= KEYWORD_WINDOW:
            return True
    return False


def _keyword_spans(regex: re2._Regexp, data: bytes) -> list[tuple[int, tuple[int, ...], int]]:
    """Keyword hits as (hit start, possible keyword starts, end).

    A hit starts with one context character (possibly multi-byte), except at the very start of the
    text, where it may also be the keyword itself: the caller keeps the start that names a keyword.
    """
    out = []
    for s, e in _finditer_spans(regex, data, 0, share_last=True):
        first = data[s]
        width = 1 if first < 0x80 else (2 if first < 0xE0 else (3 if first < 0xF0 else 4))
        out.append((s, (s, s + width) if s == 0 else (s + width,), e))
    return out


def _shorter_keyword(regex: re2._Regexp, data: bytes, hit: int, kw_start: int, end: int) -> int | None:
    """End of the longest keyword at the same place that stops before ``end`` (None: there is none)."""
    if end - 1 <= kw_start:
        return None
    low = getattr(regex, "_regexp", None)
    if low is not None and _ANCHOR_START is not None:
        s, e = low.Match(_ANCHOR_START, data, hit, end - 1)[0]
    else:
        m = regex.match(data, hit, end - 1)
        s, e = m.span() if m else (-1, -1)
    return None if s < 0 or e <= kw_start else e


# The separators the managed patterns put between digits: none of them is a digit, so deleting them
# first leaves the same string as the character-by-character filter whenever what remains is digits.
_DIGIT_SEPARATORS = str.maketrans("", "", " -.()/+")


def _digits(value: str) -> str:
    if value.isdigit():
        return value
    quick = value.translate(_DIGIT_SEPARATORS)
    if quick.isdigit():
        return quick
    return "".join(ch for ch in value if ch.isdigit())


# ---------------------------------------------------------------------------------------------
# Checks. Each takes the message and the candidate's character span and says whether it stands.

# Luhn's doubled digit, reduced to one digit (2 * 7 = 14 -> 5), as a translation of ASCII digits.
_LUHN_DOUBLE = str.maketrans("0123456789", "0246813579")


def luhn_ok(digits: str) -> bool:
    if digits.isascii() and digits.isdigit():  # C-speed form; the loop below is the definition
        rev = digits[::-1]
        return (sum(map(int, rev[0::2])) + sum(map(int, rev[1::2].translate(_LUHN_DOUBLE)))) % 10 == 0
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _before(text: str, start: int, n: int = 1) -> str:
    return text[max(0, start - n) : start]


def _after(text: str, end: int, n: int = 1) -> str:
    return text[end : end + n]


def _standalone_number(text: str, start: int, end: int) -> bool:
    """Not part of a decimal, a version, a date or a longer code (``1518.33``, ``05/2027``)."""
    b, a = text[max(0, start - 2) : start], text[end : end + 2]
    if b[-1:] in ("/", ".", "-", ":", "+") and b[:1].isalnum():
        return False
    if a[:1] in ("/", ".", "-", ":", ",") and a[1:2].isdigit():
        return False
    # One short group of a space-separated digit run ("5595 0733 4041 8570") is not a number of its own.
    if end - start <= 4 and ((b[-1:] == " " and b[:1].isdigit()) or (a[:1] == " " and a[1:2].isdigit())):
        return False
    return not (b[-1:] == "$" or a[:1] == "%")


# Issuer prefixes and lengths for CreditCardNumber ("a standard issuer prefix for American Express,
# Dankort, Diners Club, Discover, Electron, JCB, Mastercard, UnionPay or Visa"; public IIN ranges).
def _issuer_ok(d: str) -> bool:
    n = len(d)
    p2, p3, p4, p6 = int(d[:2]), int(d[:3]), int(d[:4]), int(d[:6])
    if d[0] == "4":  # Visa, Visa Electron, Dankort co-brand
        return n in (13, 16, 19)
    if p2 in (34, 37):  # American Express
        return n == 15
    if 51 <= p2 <= 55 or 2221 <= p4 <= 2720:  # Mastercard
        return n == 16
    if p4 == 5019:  # Dankort
        return n == 16
    if 300 <= p3 <= 305 or p2 in (36, 38, 39) or p4 == 3095:  # Diners Club
        return 14 <= n <= 19
    if 3528 <= p4 <= 3589:  # JCB
        return 16 <= n <= 19
    if p4 == 6011 or 644 <= p3 <= 649 or p2 == 65 or 622126 <= p6 <= 622925:  # Discover
        return 16 <= n <= 19
    if p2 == 62:  # UnionPay
        return 16 <= n <= 19
    return False


def check_credit_card(text: str, start: int, end: int) -> bool:
    value = text[start:end]
    d = _digits(value)
    if not 13 <= len(d) <= 19 or not _standalone_number(text, start, end):
        return False
    return _issuer_ok(d) and luhn_ok(d)


def check_luhn(text: str, start: int, end: int) -> bool:
    return luhn_ok(_digits(text[start:end])) and _standalone_number(text, start, end)


def check_number(text: str, start: int, end: int) -> bool:
    return _standalone_number(text, start, end)


def check_ssn_us(text: str, start: int, end: int) -> bool:
    d = _digits(text[start:end])
    if len(d) != 9 or not _standalone_number(text, start, end):
        return False
    area, group, serial = int(d[:3]), int(d[3:5]), int(d[5:])
    return area not in (0, 666) and area < 900 and group != 0 and serial != 0


def check_ipv4(text: str, start: int, end: int) -> bool:
    parts = text[start:end].split(".")
    after = text[end : end + 2]
    if len(parts) != 4 or (after[:1] == "." and after[1:2].isdigit()):
        return False
    if _before(text, start) == ".":
        return False
    for p in parts:  # noqa: SIM110 - a loop: all() over a generator costs a frame per finding here
        if len(p) > 3 or int(p) > 255 or (p != "0" and p.startswith("0")):
            return False
    return True


def check_ipv6(text: str, start: int, end: int) -> bool:
    value = text[start:end]
    if value.count(":") < 2 or _before(text, start) == ":" or _after(text, end) == ":":
        return False
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    # Plain hex words and times ("12:30:45") are not addresses: want a "::" or 8 groups.
    return "::" in value or value.count(":") == 7


def check_phone_nanp(text: str, start: int, end: int) -> bool:
    d = _digits(text[start:end])
    if len(d) == 11 and d[0] == "1":
        d = d[1:]
    return len(d) == 10 and d[0] not in "01" and d[3] not in "01" and _standalone_number(text, start, end)


def check_phone_any(text: str, start: int, end: int) -> bool:
    d = _digits(text[start:end])
    return 8 <= len(d) <= 15 and _standalone_number(text, start, end)


def has_country_code(text: str, start: int, end: int) -> bool:
    # "+CC" or the international call prefix "00" followed by a country code (never "000")
    return text[start] == "+" or (
        text[start : start + 2] == "00" and text[start + 2 : start + 3] in "123456789"
    )


def check_latlong(text: str, start: int, end: int) -> bool:
    try:
        lat_s, lon_s = text[start:end].split(",")
        lat, lon = float(lat_s), float(lon_s)
    except ValueError:
        return False
    return -90 <= lat <= 90 and -180 <= lon <= 180 and _standalone_number(text, start, end)


_VIN_VALUES = {
    **{str(i): i for i in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin_check_digit_ok(vin: str) -> bool:
    """The North-American position-9 check digit (mandatory only there; ISO 3779 elsewhere)."""
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=True))
    r = total % 11
    return vin[8] == ("X" if r == 10 else str(r))


def check_vin(text: str, start: int, end: int) -> bool:
    vin = text[start:end].upper()
    if len(vin) != 17 or any(c in "IOQ" for c in vin) or not any(c.isdigit() for c in vin):
        return False
    # ISO 3779: North-American manufacturers (WMI 1-5) must carry a valid check digit.
    return vin_check_digit_ok(vin) if vin[0] in "12345" else True


_IBAN_LENGTHS = {"DE": 22, "ES": 24, "FR": 27, "GB": 22, "IT": 27}


def check_iban(text: str, start: int, end: int) -> bool:
    """IBAN length per country and the ISO 13616 mod-97 check (a public standard; AWS is silent)."""
    value = text[start:end].replace(" ", "").upper()
    want = _IBAN_LENGTHS.get(value[:2])
    if want is not None and len(value) != want:
        return False
    moved = value[4:] + value[:4]
    try:
        num = int("".join(str(int(c, 36)) for c in moved))
    except ValueError:
        return False
    return num % 97 == 1


def check_nhs(text: str, start: int, end: int) -> bool:
    """NHS number modulus 11 (public standard; AWS is silent)."""
    d = _digits(text[start:end])
    if len(d) != 10 or not _standalone_number(text, start, end):
        return False
    total = sum(int(c) * w for c, w in zip(d[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(d[9])


def check_expiry(text: str, start: int, end: int) -> bool:
    b, a = _before(text, start, 2), _after(text, end, 2)
    if b[-1:] in ("/", "-", ".", ":") and b[:1].isdigit():
        return False
    return not (a[:1] in ("/", "-", ".", ":") and a[1:2].isdigit())


def check_email(text: str, start: int, end: int) -> bool:
    value = text[start:end]
    local, _, domain = value.rpartition("@")
    return bool(local) and "." in domain and ".." not in value and not domain.startswith("-")


def check_aws_secret(text: str, start: int, end: int) -> bool:
    """Secret keys mix upper and lower case; a hex digest (a git commit id) does not."""
    value = text[start:end]
    return any(c.isupper() for c in value) and any(c.islower() for c in value)


def check_has_digit(text: str, start: int, end: int) -> bool:
    return any(c.isdigit() for c in text[start:end])


def check_dea(text: str, start: int, end: int) -> bool:
    d = text[start + 2 : end]
    total = int(d[0]) + int(d[2]) + int(d[4]) + 2 * (int(d[1]) + int(d[3]) + int(d[5]))
    return total % 10 == int(d[6])


def check_npi(text: str, start: int, end: int) -> bool:
    """NPI: Luhn over the digits prefixed with 80840 (public standard; AWS is silent)."""
    return luhn_ok("80840" + text[start:end]) and _standalone_number(text, start, end)


CHECKS: dict[str, Check] = {
    "credit_card": check_credit_card,
    "luhn": check_luhn,
    "number": check_number,
    "ssn_us": check_ssn_us,
    "ipv4": check_ipv4,
    "ipv6": check_ipv6,
    "phone_nanp": check_phone_nanp,
    "phone_any": check_phone_any,
    "latlong": check_latlong,
    "vin": check_vin,
    "iban": check_iban,
    "nhs": check_nhs,
    "expiry": check_expiry,
    "email": check_email,
    "aws_secret": check_aws_secret,
    "has_digit": check_has_digit,
    "dea": check_dea,
    "npi": check_npi,
    "country_code": has_country_code,
}


# Checks the native core runs itself (codes of runtime/redact/_redact.cc); any other check is called
# from there.
NATIVE_CHECKS: dict[Check, int] = {
    check_credit_card: 2,
    check_luhn: 3,
    check_number: 4,
    check_ssn_us: 5,
    check_ipv4: 6,
    check_phone_nanp: 7,
    check_phone_any: 8,
    check_vin: 9,
    check_expiry: 10,
    check_email: 11,
    check_aws_secret: 12,
    check_has_digit: 13,
    has_country_code: 14,
}


def _check_code(check: Check | None) -> int:
    return 0 if check is None else NATIVE_CHECKS.get(check, 1)
