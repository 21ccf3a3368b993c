"""Sound comparisons of compiled patterns: is every event one pattern matches also matched by another, are
two patterns the same, can a pattern match at all.

Every answer is *proved* or withheld: :func:`contains` returns True only when containment follows from the
compiled form, and None ("unknown") for everything it cannot prove, never a guess; the linter warns only on
True. It works on the compiled form (``runtime/events/conditions.py``), where key order, value order,
duplicates and equivalent operator spellings are already gone.

The argument, per sub-rule pair (A's sub-rule a, B's sub-rule b): an event matches a through one event value
(leaf) per condition of a, consistently chosen across arrays of objects. If every condition of b has a
condition of a on the same path whose every value test is inside one test of b's condition, the very same
leaves satisfy b (b's conditions are a subset of a's paths, so the choice stays consistent). A field b does
not name is unconstrained. A pattern is contained when each of its sub-rules is contained in some sub-rule of
the other ($or branches).

Per value test, what is proved (``_test_within``): an exact string inside an equal string, a prefix, a suffix,
an equals-ignore-case or a case-insensitive prefix/suffix (ASCII text only: other letters fold by rules this
module does not assume), a wildcard, an anything-but that excludes it; a prefix inside a shorter prefix (a
suffix inside a shorter suffix); a number inside an equal number or a numeric range; a range inside a wider
range; an address range (CIDR, or an IP-looking exact string) inside a wider one of the same family; null,
true and false inside themselves; anything inside ``exists: true`` and, for what is never a string, inside
any anything-but of strings; an anything-but inside an anything-but of the same kind that excludes fewer
values. ``exists: false`` in A needs it in B's condition too, and then B's sub-rule must name the same
fields as A's (an absence is judged against the array elements the other fields chose).

What it does not prove (answers None): a wildcard inside anything but the same wildcard or ``exists: true``
(language inclusion of wildcards is not decided), a prefix inside a wildcard other than ``p*``, an
equals-ignore-case inside anything but itself, non-ASCII case folding, a union of B's tests covering one
of A's (``[{"prefix": "a"}]`` inside ``[{"prefix": "ab"}, {"prefix": "a"}]`` is proved, but
``{"numeric": [">", 0]}`` inside ``[{"numeric": [">", 0, "<", 5]}, {"numeric": [">=", 5]}]`` is not),
one $or branch covered by several branches of the other, and numbers whose literal is not comparable
(compared only when both patterns spell the same literal).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from tamis.runtime.events import conditions as C
from tamis.runtime.events.conditions import FieldCondition, SubRule, Test

_EXISTS_TRUE = (C.EXISTS, True)
_EXISTS_FALSE = (C.EXISTS, False)
# Kinds of test that only ever accept a string leaf.
_STRING_KINDS = frozenset({C.STR, C.PREFIX, C.SUFFIX, C.PREFIX_IC, C.SUFFIX_IC, C.EQ_IC, C.WILDCARD, C.IP})
# Kinds that never accept a string leaf.
_NON_STRING_KINDS = frozenset({C.NUM, C.NUMLIT, C.RANGE, C.NULL, C.TRUE, C.FALSE})


def normal_form(subrules: Iterable[SubRule]) -> frozenset[frozenset[tuple[object, ...]]]:
    """The pattern as a value that two patterns share exactly when they are written the same way up to key
    order, value order, repeated values and equivalent operator spellings."""
    return frozenset(frozenset(cond.key for cond in sub) for sub in subrules)


def identical(a: Iterable[SubRule], b: Iterable[SubRule]) -> bool:
    return normal_form(a) == normal_form(b)


def contains(outer: list[SubRule], inner: list[SubRule]) -> bool | None:
    """True when every event ``inner`` matches is matched by ``outer`` (proved); None when not proved."""
    if not inner:
        return None  # a pattern that cannot be compiled to sub-rules is nothing to compare
    for a in inner:
        if not any(subrule_within(a, b) for b in outer):
            return None
    return True


def subrule_within(a: SubRule, b: SubRule) -> bool:
    """Every event sub-rule ``a`` matches is matched by sub-rule ``b`` (proved, or False)."""
    by_path: dict[str, list[FieldCondition]] = {}
    for cond in a:
        by_path.setdefault(cond.path, []).append(cond)
    absence = False
    for cond_b in b:
        found = [cond_a for cond_a in by_path.get(cond_b.path, ()) if condition_within(cond_a, cond_b)]
        if not found:
            return False
        absence = absence or all(cond_a.absent_ok for cond_a in found)
    # ``exists: false`` is judged against the array elements the fields before it (in lexical order) chose
    # (tests/event_patterns/test_properties.py): where b may rely on an absence, a field of a that b leaves
    # out would change that choice, so only a sub-rule on the very same fields is proved.
    return not absence or {c.path for c in a} == {c.path for c in b}


def condition_within(a: FieldCondition, b: FieldCondition) -> bool:
    """Whatever satisfies condition ``a`` satisfies ``b`` (same path; proved, or False)."""
    if a.path != b.path:
        return False
    if a.key == b.key:
        return True
    if a.absent_ok and not b.absent_ok:
        return False  # a matches an event without the field; b does not
    b_tests = [t for t in b.tests if t != _EXISTS_FALSE]
    for t in a.tests:
        if t == _EXISTS_FALSE:
            continue
        if not any(_test_within(t, a, u, b) for u in b_tests):
            return False
    return True


def _test_within(t: Test, a: FieldCondition, u: Test, b: FieldCondition) -> bool:
    """Every event leaf test ``t`` (of condition ``a``) accepts is accepted by test ``u`` (of ``b``)."""
    if t == u and _same_number_handling(t, a, b):
        return True
    kind, other = t[0], u[0]
    if other == C.EXISTS:
        return u[1] is True  # exists: true takes any leaf
    if other == C.ANYTHING_BUT:
        return _within_anything_but(t, a, u, b)
    if kind == C.STR:
        return _string_within(t[1], u)
    if kind in (C.PREFIX, C.SUFFIX):
        return _affix_within(kind, t[1], u)
    if kind == C.NUM:
        # NUM only stands in a numeric condition (compiler._finish), so both compare numbers by value.
        if other == C.RANGE:
            return _in_range(t[1], u)
        return other == C.NUM and u[1] == t[1]
    if kind == C.RANGE:
        return other == C.RANGE and _range_within(t, u)
    if kind == C.IP:
        return other == C.IP and _ip_within(t, u)
    return False


def _same_number_handling(t: Test, a: FieldCondition, b: FieldCondition) -> bool:
    """Equal tests accept the same leaves unless they compare numbers and the conditions compare them
    differently (by value in a numeric condition, by spelling otherwise)."""
    if t[0] in (C.NUM, C.NUMLIT, C.RANGE) or (t[0] == C.ANYTHING_BUT and t[1] == C.NUM):
        return a.numeric_mode == b.numeric_mode
    return True


def _within_anything_but(t: Test, a: FieldCondition, u: Test, b: FieldCondition) -> bool:
    inner, excluded = u[1], u[2]
    kind = t[0]
    if inner == C.NUM:
        # Excludes some numbers: a test that never accepts a number is inside it.
        if kind in _STRING_KINDS or kind in (C.NULL, C.TRUE, C.FALSE):
            return True
        if kind == C.NUM:
            return b.numeric_mode and t[1] not in excluded
        if kind == C.RANGE:
            return b.numeric_mode and not any(isinstance(x, float) and _in_range(x, t) for x in excluded)
        if kind == C.ANYTHING_BUT and t[1] == C.NUM:
            return a.numeric_mode == b.numeric_mode and excluded <= t[2]
        return False
    # An anything-but of strings (or of string operators) accepts every leaf that is not a string.
    if kind in _NON_STRING_KINDS:
        return True
    if kind == C.ANYTHING_BUT:
        return t[1] == inner and excluded <= t[2]
    if kind == C.STR:
        s = t[1]
        if inner == C.STR:
            return s not in excluded
        return not any(_string_within(s, (inner, x)) for x in excluded) and _decidable_for(inner, s, excluded)
    if kind == C.PREFIX and inner == C.STR:
        return not any(x.startswith(t[1]) for x in excluded)
    if kind == C.SUFFIX and inner == C.STR:
        return not any(x.endswith(t[1]) for x in excluded)
    if kind == C.PREFIX and inner == C.PREFIX:
        return not any(x.startswith(t[1]) or t[1].startswith(x) for x in excluded)
    if kind == C.SUFFIX and inner == C.SUFFIX:
        return not any(x.endswith(t[1]) or t[1].endswith(x) for x in excluded)
    return False


def _decidable_for(inner: str, s: str, excluded: frozenset[str]) -> bool:
    """Whether "s is not excluded" was decided exactly (case-insensitive tests only on ASCII text)."""
    if inner in (C.EQ_IC, C.PREFIX_IC, C.SUFFIX_IC):
        return s.isascii() and all(x.isascii() for x in excluded)
    return inner in (C.PREFIX, C.SUFFIX, C.WILDCARD)


def _string_within(s: str, u: Test) -> bool:
    """The exact string ``s`` is accepted by test ``u``."""
    kind = u[0]
    if kind not in _STRING_KINDS or kind == C.IP:
        return False
    arg = u[1]
    if kind == C.STR:
        return s == arg
    if kind == C.PREFIX:
        return s.startswith(arg)
    if kind == C.SUFFIX:
        return s.endswith(arg)
    if kind in (C.EQ_IC, C.PREFIX_IC, C.SUFFIX_IC):
        if not (s.isascii() and arg.isascii()):
            return False
        low, pat = s.lower(), arg.lower()
        if kind == C.EQ_IC:
            return low == pat
        return low.startswith(pat) if kind == C.PREFIX_IC else low.endswith(pat)
    if kind == C.WILDCARD:
        return _wildcard_regex(arg).fullmatch(s) is not None
    return False


def _affix_within(kind: str, p: str, u: Test) -> bool:
    """Every string starting (ending) with ``p`` is accepted by ``u``."""
    other = u[0]
    if other not in _STRING_KINDS or other == C.IP:
        return False
    arg = u[1]
    if other == kind:
        return p.startswith(arg) if kind == C.PREFIX else p.endswith(arg)
    if other == C.WILDCARD:
        literal = _affix_of_wildcard(arg, kind)
        if literal is None:
            return False
        return p.startswith(literal) if kind == C.PREFIX else p.endswith(literal)
    if other in (C.PREFIX_IC, C.SUFFIX_IC) and (other == C.PREFIX_IC) == (kind == C.PREFIX):
        if not (p.isascii() and arg.isascii()):
            return False
        return p.lower().startswith(arg.lower()) if kind == C.PREFIX else p.lower().endswith(arg.lower())
    return False


def _affix_of_wildcard(text: str, kind: str) -> str | None:
    """The literal L when the wildcard is ``L*`` (kind PREFIX) or ``*L`` (SUFFIX) with no other star."""
    parts = _wildcard_parts(text)
    if kind == C.PREFIX and len(parts) == 2 and parts[1] == "":
        return parts[0]
    if kind == C.SUFFIX and len(parts) == 2 and parts[0] == "":
        return parts[1]
    return None


def _wildcard_parts(text: str) -> list[str]:
    """The literal runs between unescaped stars (``\\*`` a star, ``\\\\`` a backslash)."""
    parts = [""]
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            parts[-1] += text[i + 1]
            i += 2
            continue
        if c == "*":
            parts.append("")
        else:
            parts[-1] += c
        i += 1
    return parts


@cache
def _wildcard_regex(text: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(p) for p in _wildcard_parts(text)), re.DOTALL)


def _in_range(x: float, u: Test) -> bool:
    _, low, low_inc, high, high_inc = u
    above = x > low or (low_inc and x == low)
    below = x < high or (high_inc and x == high)
    return above and below


def _range_within(t: Test, u: Test) -> bool:
    _, low, low_inc, high, high_inc = t
    _, ulow, ulow_inc, uhigh, uhigh_inc = u
    low_ok = low > ulow or (low == ulow and (ulow_inc or not low_inc))
    high_ok = high < uhigh or (high == uhigh and (uhigh_inc or not high_inc))
    return low_ok and high_ok


def _ip_within(t: Test, u: Test) -> bool:
    _, low, high = t
    _, ulow, uhigh = u
    if not len(low) == len(high) == len(ulow) == len(uhigh):
        return False  # another address family
    return ulow <= low and high <= uhigh
