"""Keywords: the one keyword regex of a policy, its spellings for the native core, and the rules a hit obeys.

A keyword matches case-insensitively, starting a word (or camelCase), with each space spelled as nothing,
" ", "_" or "-"; it counts for a value when it lies within ``KEYWORD_WINDOW`` characters of it.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import unicodedata
from collections.abc import Mapping, Sequence

import re2

from tamis.runtime.redact.search import ANCHOR_START, finditer_spans

# A keyword counts when it ends at most this many characters before the value starts, or starts at
# most this many after it ends ("within 30 characters (inclusively)", CloudWatch Logs managed
# data identifiers page).
KEYWORD_WINDOW = 30

# Keywords are far shorter than this (characters): a keyword that ends near a value starts at most this
# far before the window, which bounds the bisection in ``near_sorted``.
LONGEST_KEYWORD = 200


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
    # leading context character is stripped afterwards (see ``keyword_spans``).
    out = r"(?:^|[^\pL\pN])(?i:" + plain + ")"
    if camel:
        out += r"|(?-i:\p{Ll})(?:" + camel + ")"
    return out


# More spellings than this (keywords with many spaces): the native core is not used for the scanner.
_MAX_SPELLINGS = 1 << 16


def keyword_spellings(keywords: Sequence[str]) -> tuple[str, ...] | None:
    """Every spelling of the keywords that ``keyword_regex`` accepts, in lower case.

    Built by the same rule as ``_keyword_pattern``: each space stands for no character or one of
    ``_KEYWORD_SEPARATORS``. The native core walks these as a trie, folding the case of ASCII letters only;
    where a walk meets a character that is not ASCII in another case, it asks the regex. None when there
    would be more than ``_MAX_SPELLINGS``.
    """
    choices = ("", *_KEYWORD_SEPARATORS)
    out: set[str] = set()
    for k in _keyword_words(keywords):
        parts = k.split(" ")
        if len(choices) ** (len(parts) - 1) + len(out) > _MAX_SPELLINGS:
            return None
        for seps in itertools.product(choices, repeat=len(parts) - 1):
            out.add(parts[0] + "".join(sep + part for sep, part in zip(seps, parts[1:], strict=True)))
    return tuple(sorted(out))


@functools.cache
def _case_groups() -> dict[str, frozenset[str]]:
    """Every cased character -> the characters joined to it by case: its lower, upper and case-folded forms
    (single characters), both ways and transitively. Computed once, over the planes that hold cased letters
    (tens of milliseconds)."""
    parent: dict[str, str] = {}

    def root(c: str) -> str:
        while parent.get(c, c) != c:
            c = parent[c]
        return c

    for i in range(0x41, 0x1F000):
        ch = chr(i)
        for f in (ch.lower(), ch.upper(), ch.casefold()):
            if len(f) == 1 and f != ch:
                a, b = root(ch), root(f)
                parent.setdefault(a, a)
                parent.setdefault(b, b)
                if a != b:
                    parent[b] = a
    groups: dict[str, set[str]] = {}
    for c in parent:
        groups.setdefault(root(c), set()).add(c)
    return {c: frozenset(groups[root(c)]) for c in parent}


def case_variants(ch: str) -> frozenset[str]:
    """``ch`` and every character joined to it by case (lower, upper, fold, both ways, transitively): at least
    what a case-insensitive RE2 match takes for it ("k" is also the Kelvin sign, "s" also "ſ")."""
    return _case_groups().get(ch, frozenset({ch}))


def keyword_variants(keywords: Sequence[str]) -> dict[str, str]:
    """Each character of the keywords (as the spellings hold them: lower case) that a case-insensitive match
    also takes as characters that are not ASCII -> those other characters (``case_variants``). Where the
    native core's trie, which folds ASCII case alone, stops at a character that is not ASCII after a node,
    the regex can go on only if that character is a variant of one of the node's next characters."""
    out = {}
    for ch in {c for k in _keyword_words(keywords) for c in k}:
        others = "".join(sorted(v for v in case_variants(ch) if v != ch and not v.isascii()))
        if others:
            out[ch] = others
    return out


def _is_word(ch: str) -> bool:
    return ch.isalnum()


def _is_lower(ch: str) -> bool:
    # Unicode category Ll, as RE2's \p{Ll} (str.islower also accepts a few modifier letters)
    return ch.islower() if ch.isascii() else unicodedata.category(ch) == "Ll"


def _is_upper(ch: str) -> bool:
    return ch.isupper() if ch.isascii() else unicodedata.category(ch) == "Lu"


def keyword_bounded(text: str, start: int, end: int) -> bool:
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


SEPARATORS = str.maketrans("", "", _KEYWORD_SEPARATORS)


def norm_keyword(keyword: str) -> str:
    return keyword.lower().translate(SEPARATORS)


def contains_at_boundaries(outer: str, inner: str) -> bool:
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


def near_sorted(kw_starts: list[int], kw_spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether a keyword ends at most KEYWORD_WINDOW characters before ``start`` or starts at most that
    many after ``end``. ``kw_spans`` is sorted by start; ``kw_starts`` holds the starts for the bisection
    (keywords are shorter than LONGEST_KEYWORD, so none that ends near the value starts before)."""
    i = bisect.bisect_left(kw_starts, start - KEYWORD_WINDOW - LONGEST_KEYWORD)
    for j in range(i, len(kw_spans)):
        ks, ke = kw_spans[j]
        if ks > end + KEYWORD_WINDOW:
            break
        if ke <= start and start - ke <= KEYWORD_WINDOW:
            return True
        if ks >= end and ks - end <= KEYWORD_WINDOW:
            return True
    return False


def keyword_spans(regex: re2._Regexp, data: bytes) -> list[tuple[int, tuple[int, ...], int]]:
    """Keyword hits as (hit start, possible keyword starts, end).

    A hit starts with one context character (possibly multi-byte), except at the very start of the
    text, where it may also be the keyword itself: the caller keeps the start that names a keyword.
    """
    out = []
    for s, e in finditer_spans(regex, data, 0, share_last=True):
        first = data[s]
        width = 1 if first < 0x80 else (2 if first < 0xE0 else (3 if first < 0xF0 else 4))
        out.append((s, (s, s + width) if s == 0 else (s + width,), e))
    return out


def shorter_keyword(regex: re2._Regexp, data: bytes, hit: int, kw_start: int, end: int) -> int | None:
    """End of the longest keyword at the same place that stops before ``end`` (None: there is none)."""
    if end - 1 <= kw_start:
        return None
    low = getattr(regex, "_regexp", None)
    if low is not None and ANCHOR_START is not None:
        s, e = low.Match(ANCHOR_START, data, hit, end - 1)[0]
    else:
        m = regex.match(data, hit, end - 1)
        s, e = m.span() if m else (-1, -1)
    return None if s < 0 or e <= kw_start else e


def _width(lead: int) -> int:
    """The bytes of the UTF-8 character that starts with byte ``lead``."""
    return 1 if lead < 0xC0 else (2 if lead < 0xE0 else (3 if lead < 0xF0 else 4))


def keyword_hit(
    regex: re2._Regexp, owner: Mapping[str, frozenset[int]], data: bytes, hit: int, end: int
) -> tuple[int, int, frozenset[int]] | None:
    """The keyword of one hit ``[hit, end)`` of the keyword regex in UTF-8 ``data``: its byte span and the
    detectors it serves (``owner``, by normalised keyword), or None where the hit names no keyword.

    The hit starts with one context character, except at the start of the text, where it may also be the
    keyword itself (the first start that names a keyword is kept). The regex guarantees the leading
    boundary; the trailing one is checked here, and when the longest keyword runs into a word
    ("card_numbercard") a shorter one at the same place may stand. Characters are read around the keyword
    only (the one before it and the one after), so a caller pays for the hit alone.
    """
    n = len(data)
    starts = (0, _width(data[0])) if hit == 0 else (hit + _width(data[hit]),)
    while True:
        found = None
        for b0 in starts:
            if b0 < end:
                served = owner.get(
                    data[b0:end].decode("utf-8", "surrogatepass").lower().translate(SEPARATORS)
                )
                if served:
                    found = (b0, served)
                    break
        if found is None:
            return None
        b0, served = found
        lo = b0
        if lo > 0:  # the character before the keyword
            lo -= 1
            while lo > 0 and data[lo] & 0xC0 == 0x80:
                lo -= 1
        hi = min(n, end + _width(data[end])) if end < n else n  # and the one after it
        around = data[lo:hi].decode("utf-8", "surrogatepass")
        s = len(data[lo:b0].decode("utf-8", "surrogatepass"))
        e = s + len(data[b0:end].decode("utf-8", "surrogatepass"))
        if (
            e < len(around)
            and around[e].isalnum()
            and around[e - 1].isalnum()
            and not keyword_bounded(around, s, e)
        ):
            shorter = shorter_keyword(regex, data, hit, b0, end)
            if shorter is None:
                return None
            end = shorter
            continue
        return b0, end, served
