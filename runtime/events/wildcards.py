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
    out, literal = [], []
    for token in wildcard_tokens(text):
        if token is None:
            out.append(re2.escape("".join(literal)))
            out.append(".*")
            literal = []
        else:
            literal.append(token)
    out.append(re2.escape("".join(literal)))
    return "".join(out)
