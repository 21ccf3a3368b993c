"""StringMatches: `*` matches any run of characters, `\\*` a literal star, `\\\\` a literal backslash
(DG state-choice.html). With only `*` as a wildcard, anchoring the first and last literal pieces and
finding the middle ones leftmost-first is an exact matcher: any match can be shifted to the leftmost
occurrence of each middle piece without disturbing the others. No regex engine is involved."""

from __future__ import annotations

from collections.abc import Callable


def wildcard_pieces(pattern: str) -> list[str] | None:
    """The literal pieces between unescaped stars, or None when a backslash escapes nothing valid."""
    pieces: list[str] = []
    current: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            if i + 1 < n and pattern[i + 1] in "*\\":
                current.append(pattern[i + 1])
                i += 2
                continue
            return None
        if ch == "*":
            pieces.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    pieces.append("".join(current))
    return pieces


def wildcard_matcher(pieces: list[str]) -> Callable[[str], bool]:
    if len(pieces) == 1:
        literal = pieces[0]
        return lambda s: s == literal
    head, tail, middle = pieces[0], pieces[-1], [p for p in pieces[1:-1] if p]
    fixed = len(head) + len(tail)
    if not middle:
        return lambda s: len(s) >= fixed and s.startswith(head) and s.endswith(tail)

    def match(s: str) -> bool:
        if len(s) < fixed or not s.startswith(head) or not s.endswith(tail):
            return False
        pos, stop = len(head), len(s) - len(tail)
        for piece in middle:
            found = s.find(piece, pos, stop)
            if found < 0:
                return False
            pos = found + len(piece)
        return True

    return match
