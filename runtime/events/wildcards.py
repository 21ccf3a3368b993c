"""Wildcard values (`*` for any run of characters, `\\*` and `\\\\` literal): their tokens and RE2 source.

The matcher compiles them into RE2 sets; the compiler's complexity check walks their tokens.
"""

from __future__ import annotations

import re2


def wildcard_tokens(text: str) -> tuple[str | None, ...]:
    """A wildcard as its characters, with None for each `*` (`\\*` and `\\\\` are literal characters)."""
    out: list[str | None] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        out.append(None if ch == "*" else ch)
        i += 1
    return tuple(out)


def wildcard_regex(text: str) -> str:
    """RE2 source of a wildcard: `*` is any run of characters; `\\*` and `\\\\` are literals."""
    return ".*".join(re2.escape(run) for run in wildcard_segments(text))


def wildcard_segments(text: str) -> tuple[str, ...]:
    """The literal runs between a wildcard's `*`s: ``a*b\\*c*`` is ("a", "b*c", ""); no `*`, one run."""
    if "\\" not in text:
        return tuple(text.split("*"))
    out, literal = [], []
    for token in wildcard_tokens(text):
        if token is None:
            out.append("".join(literal))
            literal = []
        else:
            literal.append(token)
    out.append("".join(literal))
    return tuple(out)


def segments_match(segments: tuple[str, ...], s: str) -> bool:
    """Whether ``s`` matches the wildcard whose literal runs are ``segments``.

    With `*` as the only operator, taking each inner run at its leftmost place after the previous one is
    never wrong: a later place leaves less room to what follows. So no backtracking is needed.
    """
    head, tail = segments[0], segments[-1]
    if len(segments) == 1:
        return s == head
    end = len(s) - len(tail)
    if end < len(head) or not s.startswith(head) or not s.endswith(tail):
        return False
    at = len(head)
    for inner in segments[1:-1]:
        found = s.find(inner, at, end)
        if found < 0:
            return False
        at = found + len(inner)
    return True
