"""Search hints of tamis's own detection patterns, derived from the patterns themselves.

The native core searches only where a match can lie: near "anchors" (``count`` required characters within
the longest match) and inside runs of the characters a match can hold (``SearchHints``). A wrong hint would
lose findings, so every hint is measured from the pattern with Python's regex parser (which only parses
here: nothing is matched with it) and tested against strings the pattern matches. Custom (user-supplied)
regexes never come here: they get no hints and no longest match.
"""

from __future__ import annotations

import importlib
import string
from functools import cache
from typing import Any

from tamis.runtime.redact.detector import NO_HINTS, SearchHints


def max_width(pattern: str) -> int | None:
    """Longest match of one of tamis's own patterns, in characters (None: unbounded or unknown).

    Python's regex parser only measures the pattern here; nothing is matched with it, and custom
    (user-supplied) regexes never go through it.
    """
    parsed = _parsed(pattern)
    if parsed is None:  # RE2-only syntax (\pL...): measure nothing, search the default window
        return None
    width = parsed[0].getwidth()[1]
    return width if width < 4096 else None


def max_utf8_width(pattern: str) -> int | None:
    """Longest match of one of tamis's own patterns in UTF-8 bytes (None: unbounded or unknown): what the
    native core searches around an anchor in text that is not ASCII. A character of a negated class, ``.``
    or a case-insensitive part counts four bytes; a listed one its own width (RE2's ``\\d``, ``\\w`` and
    ``\\s`` are ASCII)."""
    parsed = _parsed(pattern)
    if parsed is None:
        return None
    tree, k = parsed
    width = _utf8_width(tree, k, bool(tree.state.flags & k.SRE_FLAG_IGNORECASE))
    return width if width is not None and width < 4096 else None


_ASCII_CATEGORIES = ("CATEGORY_DIGIT", "CATEGORY_WORD", "CATEGORY_SPACE")


def _utf8_width(items: Any, k: Any, folded: bool) -> int | None:
    """The most UTF-8 bytes a match of the parsed sequence ``items`` takes (None: unbounded or unknown)."""
    total = 0
    for op, av in items:
        part: int | None
        if op is k.LITERAL:
            part = 4 if folded else len(chr(av).encode("utf-8", "surrogatepass"))
        elif op is k.IN:
            part = 4 if folded else _class_width(av, k)
        elif op in (k.NOT_LITERAL, k.ANY):
            part = 4
        elif op is k.SUBPATTERN:
            part = _utf8_width(av[-1], k, folded or bool(av[1] & k.SRE_FLAG_IGNORECASE))
        elif op in (k.MAX_REPEAT, k.MIN_REPEAT):
            inner = _utf8_width(av[2], k, folded)
            part = None if inner is None or av[1] >= k.MAXREPEAT else inner * av[1]
        elif op is k.BRANCH:
            alts = [_utf8_width(alt, k, folded) for alt in av[1]]
            part = None if any(a is None for a in alts) else max(a for a in alts if a is not None)
        elif op is k.AT:  # ^, $, \b: consume nothing
            part = 0
        else:
            part = None
        if part is None:
            return None
        total += part
    return total


def _class_width(av: Any, k: Any) -> int:
    """The widest character of a class in UTF-8 (a negation or a category other than RE2's ASCII ones: 4)."""
    width = 1
    for iop, iav in av:
        if iop is k.LITERAL:
            width = max(width, len(chr(iav).encode("utf-8", "surrogatepass")))
        elif iop is k.RANGE:
            width = max(width, len(chr(iav[1]).encode("utf-8", "surrogatepass")))
        elif iop is k.CATEGORY and any(iav is getattr(k, name) for name in _ASCII_CATEGORIES):
            continue
        else:  # NEGATE, \D, \W, \S...
            return 4
    return width


@cache
def _parsed(pattern: str) -> tuple[Any, Any] | None:
    """One of tamis's own patterns parsed by Python's regex parser, with the parser's constants (None:
    RE2-only syntax). Only measured (``max_width``, ``search_hints``), never matched."""
    try:
        parser, constants = importlib.import_module("re._parser"), importlib.import_module("re._constants")
    except ImportError:  # Python 3.10
        parser, constants = importlib.import_module("sre_parse"), importlib.import_module("sre_constants")
    try:
        return parser.parse(pattern), constants
    except Exception:
        return None


_DIGITS = frozenset("0123456789")
_WORD = frozenset(string.ascii_letters + string.digits + "_")  # RE2's \b: ASCII word characters


def _class_chars(av: Any, k: Any) -> frozenset[str]:
    """The characters of a positive class (empty: a negation or a category other than ``\\d``)."""
    chars: set[str] = set()
    for iop, iav in av:
        if iop is k.LITERAL:
            chars.add(chr(iav))
        elif iop is k.RANGE:
            chars.update(chr(c) for c in range(iav[0], iav[1] + 1))
        elif iop is k.CATEGORY and iav is k.CATEGORY_DIGIT:
            chars |= _DIGITS  # RE2's \d is ASCII digits
        else:
            return frozenset()
    return frozenset(chars)


def _required(items: Any, k: Any) -> frozenset[str] | None:
    """Characters one of which every match of the parsed sequence ``items`` contains (None: unknown).

    Sound, not complete: the smallest set among the items every match must go through (a literal, a
    positive class, a group or a repetition of at least one); a branch needs a set from every alternative.
    """
    best: frozenset[str] | None = None
    for op, av in items:
        got: frozenset[str] | None = None
        if op is k.LITERAL:
            got = frozenset(chr(av))
        elif op is k.IN:
            got = _class_chars(av, k) or None  # a negation or another category: no usable set
        elif op is k.SUBPATTERN:  # (group, added flags, removed flags, items)
            # a case-insensitive group's letters would need every case: no usable set from it
            got = None if av[1] & k.SRE_FLAG_IGNORECASE else _required(av[-1], k)
        elif op in (k.MAX_REPEAT, k.MIN_REPEAT) and av[0] >= 1:
            got = _required(av[2], k)
        elif op is k.BRANCH:
            union: set[str] = set()
            for alt in av[1]:
                part = _required(alt, k)
                if part is None:
                    union = set()
                    break
                union |= part
            got = frozenset(union) or None
        if got is not None and (best is None or len(got) < len(best)):
            best = got
    return best


def _min_count(items: Any, chars: frozenset[str], k: Any) -> int:
    """The fewest characters from ``chars`` a match of the parsed sequence ``items`` holds (a lower bound)."""
    total = 0
    for op, av in items:
        if op is k.LITERAL:
            total += chr(av) in chars
        elif op is k.IN:
            cls = _class_chars(av, k)
            total += bool(cls) and cls <= chars
        elif op is k.SUBPATTERN:
            total += 0 if av[1] & k.SRE_FLAG_IGNORECASE else _min_count(av[-1], chars, k)
        elif op in (k.MAX_REPEAT, k.MIN_REPEAT):
            total += av[0] * _min_count(av[2], chars, k)
        elif op is k.BRANCH:
            total += min(_min_count(alt, chars, k) for alt in av[1])
        # anchors, negations, categories: nothing guaranteed
    return total


def _alphabet(items: Any, k: Any) -> frozenset[str] | None:
    """Every character a match of ``items`` can hold (None: too many to list, such as a negated class)."""
    out: set[str] = set()
    for op, av in items:
        part: frozenset[str] | None
        if op is k.LITERAL:
            part = frozenset(chr(av))
        elif op is k.IN:
            part = _class_chars(av, k) or None
        elif op is k.SUBPATTERN:
            part = None if av[1] & k.SRE_FLAG_IGNORECASE else _alphabet(av[-1], k)
        elif op in (k.MAX_REPEAT, k.MIN_REPEAT):
            part = _alphabet(av[2], k)
        elif op is k.BRANCH:
            alts = [_alphabet(alt, k) for alt in av[1]]
            part = None if any(a is None for a in alts) else frozenset().union(*alts)  # type: ignore[arg-type]
        elif op is k.AT:  # ^, $, \b: consume nothing
            part = frozenset()
        else:
            part = None
        if part is None:
            return None
        out |= part
    return frozenset(out)


def _group_items(items: Any, group: int, k: Any) -> Any:
    """The parsed items of capturing group ``group`` (None: not found)."""
    for op, av in items:
        subs: list[Any] = []
        if op is k.SUBPATTERN:
            if av[0] == group:
                return av[-1]
            subs = [av[-1]]
        elif op in (k.MAX_REPEAT, k.MIN_REPEAT):
            subs = [av[2]]
        elif op is k.BRANCH:
            subs = list(av[1])
        for sub in subs:
            got = _group_items(sub, group, k)
            if got is not None:
                return got
    return None


def search_hints(pattern: str, group: int = 0) -> SearchHints:
    """The search hints of one of tamis's own patterns (custom regexes never come here).

    Measured with Python's regex parser, as ``max_width``; nothing is matched with it. A case-insensitive
    pattern gives nothing, a case-insensitive group nothing of its own (their letters would need every
    case). Of two candidate sets (the smallest one every match must go through, and the digits) the one a
    random window is least likely to hold ``count`` times is kept. ``run_alphabet`` is the value's (group
    ``group``'s) alphabet when the value alone holds ``count`` required characters: the leading context of
    a phone number or an IPv6 address lies outside it.
    """
    got = _parsed(pattern)
    if got is None:  # RE2-only syntax (\pL...)
        return NO_HINTS
    parsed, constants = got
    if parsed.state.flags & constants.SRE_FLAG_IGNORECASE:
        return NO_HINTS
    items = list(parsed)
    best: tuple[float, frozenset[str], int] | None = None
    for chars in (_required(items, constants), _DIGITS):
        if not chars:
            continue
        count = _min_count(items, chars, constants)
        if count < 1:
            continue
        odds = (len(chars) / 95) ** count  # 95 printable ASCII characters
        if best is None or odds < best[0]:
            best = (odds, chars, count)
    alphabet = _alphabet(items, constants) or frozenset()
    if best is None:
        return SearchHints(frozenset(), 0, alphabet)
    value = items if group == 0 else _group_items(items, group, constants)
    run_alphabet: frozenset[str] = frozenset()
    if value is not None and _min_count(value, best[1], constants) >= best[2]:
        run_alphabet = _alphabet(value, constants) or frozenset()
    lead = _lead_exclusion(items, group, constants)
    run_lead = lead if run_alphabet and lead is not None and run_alphabet <= lead else frozenset()
    value_lead: frozenset[str] = frozenset()
    ends_with_value = all(op is constants.AT for op, _ in items[2:])  # nothing but \b or $ after it
    if lead and value is not None and value.getwidth()[0] >= 1 and ends_with_value:
        first = _first_chars(value, constants)
        value_lead = lead if first and first <= lead else frozenset()
    word_start: frozenset[str] = frozenset()
    streak = (0, -1)
    if group == 0 and items[0] == (constants.AT, constants.AT_BOUNDARY):
        first = _first_chars(items, constants)
        word_start = first if first and first <= _WORD else frozenset()
        got = _streak(items, best[1], constants)
        if got is not None:
            stop, through = got
            lo, hi = _hull(stop, through) or (0, -1)
            # a match that ends within its leading streak needs \b after it to say the text's streak ends
            bounded = through is None or (
                best[1] <= _WORD and items[-1] == (constants.AT, constants.AT_BOUNDARY)
            )
            streak = (lo, hi if bounded and hi < 4096 else -1)
    return SearchHints(
        best[1], best[2], alphabet, run_alphabet, run_lead, value_lead, word_start, streak[0], streak[1]
    )


_Range = tuple[int, int] | None


def _streak(items: Any, chars: frozenset[str], k: Any) -> tuple[_Range, _Range] | None:
    """The length of a match's leading run of ``chars``, as two ranges (None: no such match): where the
    run ends inside the match (``stop``) and where the whole match is such a run (``through``). None:
    unknown (a construct it does not follow)."""
    stop: _Range = None
    through: _Range = (0, 0)
    for op, av in items:
        got = _streak_item(op, av, chars, k)
        if got is None:
            return None
        istop, ithrough = got
        stop = _hull(stop, _plus(through, istop))  # it stops in this item, all before it went through
        through = _plus(through, ithrough)
        if through is None:
            break
    return stop, through


def _streak_item(op: Any, av: Any, chars: frozenset[str], k: Any) -> tuple[_Range, _Range] | None:
    """``_streak`` of one parsed item."""
    if op is k.AT:
        return None, (0, 0)
    if op in (k.LITERAL, k.IN):
        cls = frozenset(chr(av)) if op is k.LITERAL else _class_chars(av, k)
        if not cls:
            return None
        if cls <= chars:
            return None, (1, 1)
        return ((0, 0), None) if not cls & chars else ((0, 0), (1, 1))
    if op is k.SUBPATTERN:
        return None if av[1] & k.SRE_FLAG_IGNORECASE else _streak(av[-1], chars, k)
    if op is k.BRANCH:
        stop: _Range = None
        through: _Range = None
        for alt in av[1]:
            got = _streak(alt, chars, k)
            if got is None:
                return None
            stop, through = _hull(stop, got[0]), _hull(through, got[1])
        return stop, through
    if op in (k.MAX_REPEAT, k.MIN_REPEAT):
        lo, hi, sub = av[0], min(av[1], 4096), av[2]
        got = _streak(sub, chars, k)
        if got is None:
            return None
        sstop, sthrough = got
        through: _Range = (0, 0) if lo == 0 else None
        if sthrough is not None:
            through = _hull(through, (lo * sthrough[0], hi * sthrough[1]))
        stop = None
        if sstop is not None and hi >= 1:  # the n-th copy stops (any n), the ones before it went through
            stop = sstop if sthrough is None else (sstop[0], (hi - 1) * sthrough[1] + sstop[1])
        return stop, through
    return None


def _plus(a: _Range, b: _Range) -> _Range:
    """Lengths of one part then another (None: either cannot happen)."""
    return None if a is None or b is None else (a[0] + b[0], a[1] + b[1])


def _hull(a: _Range, b: _Range) -> _Range:
    """Either range (None: neither can happen)."""
    if a is None:
        return b
    if b is None:
        return a
    return min(a[0], b[0]), max(a[1], b[1])


def _first_chars(items: Any, k: Any) -> frozenset[str] | None:
    """Every character a non-empty match of ``items`` can start with (None: too many to list)."""
    out: set[str] = set()
    for op, av in items:
        part: frozenset[str] | None
        if op is k.AT:  # consumes nothing: the next item starts the match
            continue
        if op is k.LITERAL:
            part, empty = frozenset(chr(av)), False
        elif op is k.IN:
            part, empty = _class_chars(av, k) or None, False
        elif op is k.SUBPATTERN:
            sub = av[-1]
            part = None if av[1] & k.SRE_FLAG_IGNORECASE else _first_chars(sub, k)
            empty = sub.getwidth()[0] == 0
        elif op in (k.MAX_REPEAT, k.MIN_REPEAT):
            part, empty = _first_chars(av[2], k), av[0] == 0 or av[2].getwidth()[0] == 0
        elif op is k.BRANCH:
            alts = [_first_chars(alt, k) for alt in av[1]]
            part = None if any(a is None for a in alts) else frozenset().union(*alts)  # type: ignore[arg-type]
            empty = any(alt.getwidth()[0] == 0 for alt in av[1])
        else:
            part = None
        if part is None:
            return None
        out |= part
        if not empty:
            break
    return frozenset(out)


def _lead_exclusion(items: Any, group: int, k: Any) -> frozenset[str] | None:
    """For a pattern ``(?:^|[^E])(value)...``: the characters E that may not come just before the value."""
    if group == 0 or len(items) < 2 or items[0][0] is not k.BRANCH or items[1][0] is not k.SUBPATTERN:
        return None
    if items[1][1][0] != group:
        return None
    alts = items[0][1][1]
    if len(alts) != 2 or list(alts[0]) != [(k.AT, k.AT_BEGINNING)] or len(alts[1]) != 1:
        return None
    op, av = alts[1][0]
    if op is not k.IN or not av or av[0] != (k.NEGATE, None):
        return None
    return _class_chars(av[1:], k) or None
