"""A plain reference of the wildcard-complexity measure, for tests only.

The most wildcard-pattern prefixes one value can match at once (the measure event-ruler's
MachineComplexityEvaluator caps, see compiler/event_patterns/wildcard_complexity.py): here by the plain
subset construction over the prefix automaton, with sets of (pattern, length) pairs as states and every
character the patterns name plus one other as the alphabet, walked to the end without a cap or a budget.
Only for the small pattern sets property tests draw.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["ref_complexity"]


def _tokens(text: str) -> tuple[str | None, ...]:
    # `*` is None; `\*` and `\\` are literal characters.
    out: list[str | None] = []
    i = 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
        else:
            out.append(None if text[i] == "*" else text[i])
            i += 1
    return tuple(out)


def ref_complexity(wildcards: Iterable[str]) -> int:
    patterns = [p for p in dict.fromkeys(_tokens(w) for w in wildcards) if p]

    def close(state: set[tuple[int, int]]) -> frozenset[tuple[int, int]]:
        # (k, n): the first n tokens of pattern k match the value read so far; a `*` also matches nothing.
        out = set(state)
        changed = True
        while changed:
            changed = False
            for k, n in list(out):
                if n < len(patterns[k]) and patterns[k][n] is None and (k, n + 1) not in out:
                    out.add((k, n + 1))
                    changed = True
        return frozenset(out)

    def read(state: frozenset[tuple[int, int]], ch: str) -> frozenset[tuple[int, int]]:
        nxt: set[tuple[int, int]] = set()
        for k, n in state:
            if n and patterns[k][n - 1] is None:
                nxt.add((k, n))  # a `*` absorbs the character
            if n < len(patterns[k]) and patterns[k][n] == ch:
                nxt.add((k, n + 1))
        return close(nxt)

    letters = {t for p in patterns for t in p if t is not None}
    other = "\x00"
    while other in letters:
        other = chr(ord(other) + 1)
    letters.add(other)
    start = close({(k, 0) for k in range(len(patterns))})
    # the empty prefix (n == 0) is not a prefix the engine counts
    best = sum(1 for _, n in start if n)
    seen = {start}
    todo = [start]
    while todo:
        state = todo.pop()
        for ch in letters:
            nxt = read(state, ch)
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
                best = max(best, sum(1 for _, n in nxt if n))
    return best
