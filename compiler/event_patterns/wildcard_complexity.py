"""How complex a field's wildcard patterns are, in the sense EventBridge rejects rules for.

EventBridge refuses a rule whose wildcards are "too complex" (InvalidEventPatternException; "Wildcards and
event pattern complexity" in the EventBridge user guide, which gives no number). The measure is the one of
event-ruler, the open engine of the language (its `MachineComplexityEvaluator`): the largest number of
wildcard-pattern prefixes that one input value can match at the same time, for the patterns that share a
matching machine. Its tests show `*a*a*a*` at 7 ("aaa" is matched by `*`, `*a`, `*a*`, `*a*a`, `*a*a*`,
`*a*a*a` and `*a*a*a*`), and they run every corpus entry under a "production-style cap of 11"; an open
emulator of the service states the same admission rule, more than 10 rejected (see README, "Choices where
the sources are silent or disagree").

Computed here on the prefixes themselves: the set of prefixes a value matches after each character is a
state of the subset construction over the prefix automaton; a breadth-first walk over those states, with
the patterns' literal characters plus one "other" character as the alphabet, finds the largest. The walk
stops as soon as a state reaches the cap, so its cost stays bounded.
"""

from __future__ import annotations

from collections.abc import Iterable

from tamis.runtime.events.wildcards import wildcard_tokens as tokens

STAR = None  # the token of an unescaped `*`
Token = str | None

# The walk explores at most this many distinct prefix sets; beyond, the patterns are reported at the cap.
MAX_STATES = 20_000


def complexity(wildcards: Iterable[str], cap: int) -> int:
    """The most wildcard-pattern prefixes one value can match at once, or ``cap`` if it is at least that.

    Prefixes are counted per pattern, as the engine keeps each pattern's states apart (`*abc` and `*abcde`
    together count 4 on "abc": `*` and `*abc` twice); a pattern listed twice counts once.
    """
    patterns = [tokens(w) for w in dict.fromkeys(wildcards)]
    # One chain of states per distinct pattern: state k of a chain is the pattern's prefix of k tokens.
    step: list[Token] = []  # the token that leads into each state
    nxt: list[int] = []  # the state one token further along the same chain, or -1
    starts: list[int] = []
    for chain in patterns:
        if not chain:
            continue
        starts.append(len(step))
        for i, token in enumerate(chain):
            step.append(token)
            nxt.append(len(step) if i + 1 < len(chain) else -1)
    if not step:
        return 0

    def closure(states: Iterable[int]) -> frozenset[int]:
        # A STAR also matches nothing: once the prefix before it is matched, so is the prefix ending in it.
        out = set(states)
        stack = list(out)
        while stack:
            following = nxt[stack.pop()]
            if following >= 0 and step[following] is STAR and following not in out:
                out.add(following)
                stack.append(following)
        return frozenset(out)

    def advance(states: frozenset[int], letter: str, at_start: bool) -> frozenset[int]:
        heads = [nxt[s] for s in states if nxt[s] >= 0]
        if at_start:  # before the first character every chain is at its beginning
            heads.extend(starts)
        moved = [head for head in heads if step[head] == letter]
        moved.extend(s for s in states if step[s] is STAR)  # a STAR absorbs the letter
        return closure(moved)

    alphabet = sorted({t for t in step if t is not STAR})
    other = "\x00"
    while other in alphabet:  # one character no pattern names stands for all the others
        other = chr(ord(other) + 1)
    letters = [*alphabet, other]

    # The empty value matches the prefixes made of STARs only.
    first = closure(s for s in starts if step[s] is STAR)
    best = len(first)
    seen: set[frozenset[int]] = set()
    frontier = [first]
    at_start = True
    while frontier:
        if best >= cap or len(seen) > MAX_STATES:
            return cap
        following: list[frozenset[int]] = []
        for state in frontier:
            for letter in letters:
                reached = advance(state, letter, at_start)
                if not reached or reached in seen:
                    continue
                seen.add(reached)
                following.append(reached)
                best = max(best, len(reached))
        frontier = following
        at_start = False
    return min(best, cap)


def upper_bound(wildcards: Iterable[str]) -> int:
    """A cheap bound on ``complexity``: every prefix ending in a STAR, plus those ending in one same literal
    character (a value's last) can match at once, no more. Most rules are far below the limit by it, and
    skip the walk."""
    stars = 0
    by_last: dict[str, int] = {}
    for chain in (tokens(w) for w in dict.fromkeys(wildcards)):
        for token in chain:
            if token is STAR:
                stars += 1
            else:
                by_last[token] = by_last.get(token, 0) + 1
    return stars + max(by_last.values(), default=0)
