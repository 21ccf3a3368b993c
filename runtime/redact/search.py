"""RE2 searches as the scanner's loops make them: byte spans of every match, left to right.

The compiled RE2 object's own search is called directly where the binding exposes it (``_regexp``): the
generic ``finditer`` wrapper builds a match object per hit, which costs more than the search itself.
"""

from __future__ import annotations

from collections.abc import Callable

import re2


def re2_options(max_mem: int, *, longest: bool = False) -> re2.Options:
    opts = re2.Options()
    opts.max_mem = max_mem
    opts.log_errors = False
    opts.longest_match = longest
    return opts


UNANCHORED = getattr(getattr(re2, "_Anchor", None), "UNANCHORED", None)
ANCHOR_START = getattr(getattr(re2, "_Anchor", None), "ANCHOR_START", None)


def finditer_spans(
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
    if low is None or UNANCHORED is None:
        return [m.span(group) for m in regex.finditer(data, pos, end)]
    out = []
    while pos <= end:
        spans = low.Match(UNANCHORED, data, pos, end)
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


def bound_match(regex: re2._Regexp) -> Callable[..., list[tuple[int, int]]] | None:
    low = getattr(regex, "_regexp", None)
    return None if low is None or UNANCHORED is None else low.Match


def spans_into(
    match: Callable[..., list[tuple[int, int]]],
    data: bytes,
    group: int,
    pos: int,
    end: int,
    out: list[tuple[int, int]],
) -> None:
    """``finditer_spans`` without ``share_last``, appending to ``out`` (the scanner's inner loop)."""
    anchor = UNANCHORED
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
