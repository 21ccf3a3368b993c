"""How complex a field's wildcard patterns are, in the sense EventBridge rejects rules for.

EventBridge refuses a rule whose wildcards are "too complex" (InvalidEventPatternException; "Wildcards and
event pattern complexity" in the EventBridge user guide, which gives no number). The measure is the one of
event-ruler, the open engine of the language (its `MachineComplexityEvaluator`, which "returns the maximum
possible number of wildcard rule prefixes that could match a theoretical input value" and caps the walk at
its threshold): the largest number of wildcard-pattern prefixes that one input value can match at the same
time, for the patterns that share a matching machine. Its tests show `*a*a*a*` at 7 ("aaa" is matched by
`*`, `*a`, `*a*`, `*a*a`, `*a*a*`, `*a*a*a` and `*a*a*a*`), and they run every corpus entry under a
"production-style cap of 11"; an open emulator of the service states the same admission rule, more than 10
rejected (see docs/event_patterns.md, "Choices where the sources are silent or disagree").

Computed here on the prefixes themselves, in steps so that a rule costs tens of microseconds:
- ``upper_bound`` reads the patterns. Every prefix ending in `*` may be matched at once; the prefixes
  ending in a literal character all end in the value's last character. Per pattern, those inside its head
  (before the first `*`) need the value to be exactly that prefix, and those of one later literal run
  must be suffixes of one another (borders, from the KMP failure function): a count per last character.
  Where that count is over the limit, all the required endings are suffixes of the longest one, which is
  one of them: a count per longest ending. Nearly every real rule is settled by these counts alone.
- ``complexity`` walks the subset construction over the prefix automaton (prefixes as bits of one integer,
  largest sets first), trying at each state only the characters some prefix expects next plus one
  "other": a character no prefix expects leads to a subset of what any expected one leads to, and the
  walk is monotone, so it can change no maximum. The walk stops at the cap and past ``MAX_STATES``
  explored states.
``exceeds`` combines them and remembers its answers, so a rule set that repeats wildcards pays once.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from functools import lru_cache

from tamis.runtime.events.wildcards import wildcard_segments
from tamis.runtime.events.wildcards import wildcard_tokens as tokens

STAR = None  # the token of an unescaped `*`
Token = str | None

# The walk explores at most this many distinct prefix sets; beyond, the patterns are reported at the cap.
MAX_STATES = 20_000


def _positions(wildcards: Iterable[str]) -> tuple[list[Token], int, int]:
    """The distinct patterns' tokens laid end to end, with the bits of their first tokens and of STARs."""
    step: list[Token] = []
    starts = stars = 0
    for chain in dict.fromkeys(tokens(w) for w in wildcards):
        if not chain:
            continue
        starts |= 1 << len(step)
        for token in chain:
            if token is STAR:
                stars |= 1 << len(step)
            step.append(token)
    return step, starts, stars


def complexity(wildcards: Iterable[str], cap: int) -> int:
    """The most wildcard-pattern prefixes one value can match at once, or ``cap`` if it is at least that.

    Prefixes are counted per pattern, as the engine keeps each pattern's states apart (`*abc` and `*abcde`
    together count 4 on "abc": `*` and `*abc` twice); a pattern listed twice counts once.
    """
    step, starts, stars = _positions(wildcards)
    if not step:
        return 0
    every = (1 << len(step)) - 1
    inner = every & ~starts  # bits a prefix can grow into from the bit below it, in the same pattern
    follow = stars & inner
    literals = every & ~stars
    by_letter: dict[str, int] = {}
    for i, token in enumerate(step):
        if token is not STAR:
            by_letter[token] = by_letter.get(token, 0) | (1 << i)
    same_letter = [0 if token is STAR else by_letter[token] for token in step]

    def closure(bits: int) -> int:
        # A STAR also matches nothing: once the prefix before it is matched, so is the prefix ending in it.
        while True:
            grown = bits | ((bits << 1) & follow)
            if grown == bits:
                return bits
            bits = grown

    first = closure(starts & stars)  # the empty value matches the prefixes made of STARs only
    best = first.bit_count()
    seen = {first}
    # Largest prefix sets first: a rule over the limit shows it after a few steps, not after every smaller
    # set is explored. Only the empty value is "at the start", where every pattern may begin.
    todo: list[tuple[int, int, int]] = [(-best, 0, first)]
    while todo:
        if best >= cap or len(seen) > MAX_STATES:
            return cap
        _, order, state = heapq.heappop(todo)
        heads = (state << 1) & inner
        if order == 0:
            heads |= starts
        kept = state & stars  # a STAR absorbs any character
        reached: list[int] = []
        expected = heads & literals
        while expected:
            letter = same_letter[(expected & -expected).bit_length() - 1]
            expected &= ~letter
            reached.append((heads & letter) | kept)
        if not reached:  # only "other" characters: the STARs alone
            reached.append(kept)
        for bits in reached:
            if not bits:
                continue
            bits = closure(bits)
            if bits in seen:
                continue
            seen.add(bits)
            size = bits.bit_count()
            best = max(best, size)
            heapq.heappush(todo, (-size, len(seen), bits))
    return min(best, cap)


def _border_depths(run: str) -> list[int]:
    """For each end ``t`` of ``run``, how many of its prefixes ``run[:u+1]`` (u <= t) are suffixes of
    ``run[:t+1]``: the length of its chain of borders, plus itself (KMP failure function)."""
    fail = [0] * len(run)
    depth = [1] * len(run)
    k = 0
    for t in range(1, len(run)):
        while k and run[t] != run[k]:
            k = fail[k - 1]
        if run[t] == run[k]:
            k += 1
        fail[t] = k
        depth[t] = 1 + (depth[k - 1] if k else 0)
    return depth


@lru_cache(maxsize=1 << 16)
def _pattern_bound(text: str) -> tuple[int, tuple[tuple[str, int], ...]]:
    """One pattern's STARs, and per last character the most of its literal-ending prefixes matched at once."""
    head, *later = wildcard_segments(text)
    per_letter: dict[str, int] = {}
    for run in later:
        if run[:1] not in run[1:]:  # no prefix of the run recurs inside it: no borders, one per letter
            for letter in set(run):
                per_letter[letter] = per_letter.get(letter, 0) + 1
            continue
        run_best: dict[str, int] = {}
        for letter, depth in zip(run, _border_depths(run), strict=True):
            if depth > run_best.get(letter, 0):
                run_best[letter] = depth
        for letter, depth in run_best.items():
            per_letter[letter] = per_letter.get(letter, 0) + depth
    # A prefix inside the head needs the value to be exactly it: one at a time, and none of a later run
    # (those need the whole head and one more character at least).
    for letter in set(head):
        per_letter.setdefault(letter, 1)
    return len(later), tuple(per_letter.items())


def upper_bound(wildcards: Iterable[str]) -> int:
    """A bound on ``complexity`` read off the patterns (see the module docstring): per last character of
    the value, the lesser of a count per character and a count per longest required ending."""
    texts = list(dict.fromkeys(wildcards))
    stars, by_last = _letter_bound(texts)
    tighter = _by_ending(texts, set(by_last))
    return stars + max((min(n, tighter.get(c, 0)) for c, n in by_last.items()), default=0)


def _letter_bound(texts: list[str]) -> tuple[int, dict[str, int]]:
    """The patterns' STARs, and per last character of the value the most literal-ending prefixes."""
    stars = 0
    by_last: dict[str, int] = {}
    for text in texts:
        count, per_letter = _pattern_bound(text)
        stars += count
        for letter, most in per_letter:
            by_last[letter] = by_last.get(letter, 0) + most
    return stars, by_last


def _by_ending(texts: list[str], letters: set[str]) -> dict[str, int]:
    """Per last character in ``letters``, the most literal-ending prefixes matched at once, over the
    value's possible endings.

    A prefix ending inside a pattern's head needs the value to be that head prefix; one ending in a later
    literal run needs the value to end with that run's beginning. All of these are suffixes of the longest,
    which is one of them and ends in the same character: try each, summing per pattern (head or later
    runs, never both).
    """
    # per last character: required ending -> (patterns whose head it is, later-run count per pattern)
    by_last: dict[str, dict[str, tuple[set[int], dict[int, int]]]] = {}
    for p, text in enumerate(texts):
        head, *later = wildcard_segments(text)
        for t in range(1, len(head) + 1):
            if head[t - 1] in letters:
                by_last.setdefault(head[t - 1], {}).setdefault(head[:t], (set(), {}))[0].add(p)
        for run in later:
            for t in range(1, len(run) + 1):
                if run[t - 1] in letters:
                    counts = by_last.setdefault(run[t - 1], {}).setdefault(run[:t], (set(), {}))[1]
                    counts[p] = counts.get(p, 0) + 1
    out: dict[str, int] = {}
    for letter, group in by_last.items():
        laters = [(text, counts) for text, (_, counts) in group.items() if counts]
        best = 0
        for ending, (heads, _) in group.items():
            later_at: dict[int, int] = {}
            for text, counts in laters:
                if ending.endswith(text):
                    for p, n in counts.items():
                        later_at[p] = later_at.get(p, 0) + n
            best = max(best, sum(later_at.values()) + sum(1 for p in heads if p not in later_at))
        out[letter] = best
    return out


@lru_cache(maxsize=1 << 14)
def _exceeds(wildcards: frozenset[str], limit: int) -> bool:
    # Cheapest first: most rules are settled by the per-letter count; the per-ending count is only taken
    # for the characters the per-letter one leaves over the limit; the walk only for what is still over.
    texts = list(wildcards)
    stars, by_last = _letter_bound(texts)
    over = {c for c, n in by_last.items() if stars + n > limit}
    if not over or all(stars + n <= limit for n in _by_ending(texts, over).values()):
        return False
    return complexity(wildcards, limit + 1) > limit


def exceeds(wildcards: Iterable[str], limit: int) -> bool:
    """Whether one value can match more than ``limit`` of the patterns' prefixes at once."""
    return _exceeds(frozenset(wildcards), limit)
