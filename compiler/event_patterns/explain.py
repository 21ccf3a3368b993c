"""Why a pattern did (not) match an event: a plain, slow evaluator of compiled sub-rules that says, per
field condition, what it asked, which event values it saw and whether it held.

It reads the sub-rules the compiler produced (runtime/events/conditions.py) and evaluates them one test at
a time, with the runtime's own number, address, ignore-case and wildcard semantics, so that it decides
as the matcher does (a property test holds ``explain(e).matched == matches(e)`` on both engines) without
sharing the matcher's indexes. Not a hot path: it is for a person asking "why not?".

Arrays of objects: a sub-rule matches only when one choice of array elements holds all its conditions
(the services never combine values of different elements). Conditions are tried in the lexical order of
their paths, with backtracking, and ``exists: false`` is decided against the elements chosen before it,
as the matcher's consistency check does (runtime/events/array_consistency.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson
import re2

from tamis.compiler.suggestions import closest
from tamis.json_number import JSONNumber
from tamis.runtime.events import conditions as C
from tamis.runtime.events.conditions import FieldCondition, SubRule, Test
from tamis.runtime.events.ignore_case import ignore_case_regex
from tamis.runtime.events.ipaddr import ip_hex
from tamis.runtime.events.numbers import comparable, literal_key
from tamis.runtime.events.service_inputs import JSON_MARK
from tamis.runtime.events.wildcards import wildcard_regex

__all__ = ["BranchExplanation", "ConditionExplanation", "Explanation", "ValueSeen", "explain_subrules"]

# The hidden conditions Lambda adds for fields inside a record's body or data (dialects.py), by path.
_HIDDEN = {mark: f"the record's {name} is JSON" for name, mark in JSON_MARK.items()}


# -- results --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ValueSeen:
    """One value of the event at a condition's path: where it sits and whether it satisfied the condition."""

    where: str  # the path with array positions: detail.items[1].id
    value: Any
    held: bool

    def to_dict(self) -> dict[str, Any]:
        return {"where": self.where, "value": _plain(self.value), "held": self.held}


@dataclass(frozen=True)
class ConditionExplanation:
    """One field condition of a sub-rule: the OR of its tests on one path."""

    path: str
    operator: str  # the tests as the pattern reads: 'equals "x" | prefix "y"'
    values: tuple[ValueSeen, ...]
    held: bool
    reason: str
    hints: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "operator": self.operator,
            "values": [v.to_dict() for v in self.values],
            "held": self.held,
            "reason": self.reason,
            "hints": list(self.hints),
        }


@dataclass(frozen=True)
class BranchExplanation:
    """One sub-rule (an `$or` branch, or the whole pattern when it has none): the AND of its conditions.
    ``consistency`` says, when every condition held on its own but no single element of an array of
    objects held them together, which element broke it."""

    index: int
    conditions: tuple[ConditionExplanation, ...]
    matched: bool
    consistency: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "branch": self.index + 1,
            "matched": self.matched,
            "conditions": [c.to_dict() for c in self.conditions],
            "consistency": self.consistency,
        }


@dataclass(frozen=True)
class Explanation:
    """Why a pattern matched an event or not. ``str()`` is a readable tree; ``text(ascii=True)`` uses
    ASCII markers; ``to_dict()`` is plain JSON data."""

    matched: bool
    dialect: str
    branches: tuple[BranchExplanation, ...]
    rule: str | None = None

    def __bool__(self) -> bool:
        return self.matched

    def __str__(self) -> str:
        return self.text()

    def text(self, *, ascii: bool = False) -> str:
        yes, no = ("[+]", "[-]") if ascii else ("\u2713", "\u2717")
        name = f"rule {self.rule!r}" if self.rule is not None else "pattern"
        lines = [
            f"{yes if self.matched else no} {name} {'matches' if self.matched else 'does not match'} "
            f"({self.dialect})"
        ]
        several = len(self.branches) > 1
        for branch in self.branches:
            indent = "  "
            if several:
                mark = yes if branch.matched else no
                lines.append(f"  {mark} $or branch {branch.index + 1} of {len(self.branches)}")
                indent = "    "
            if not branch.conditions:
                lines.append(f"{indent}{yes} (no conditions: every event matches)")
            for cond in branch.conditions:
                lines.append(f"{indent}{yes if cond.held else no} {cond.path}: {cond.operator}")
                lines.append(f"{indent}    seen: {_seen_text(cond.values)}; {cond.reason}")
                lines.extend(f"{indent}    hint: {hint}" for hint in cond.hints)
            if branch.consistency:
                lines.append(f"{indent}{no} {branch.consistency}")
        text = "\n".join(lines) + "\n"
        if ascii:
            text = text.encode("ascii", "backslashreplace").decode("ascii")
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "matched": self.matched,
            "rule": self.rule,
            "dialect": self.dialect,
            "branches": [b.to_dict() for b in self.branches],
        }


def _plain(value: Any) -> Any:
    """An event value as JSON data (exact numbers keep their spelling as a number where JSON can)."""
    if isinstance(value, Decimal):
        f = comparable(value)
        return f if f is not None else str(value)
    return value


def _show(value: Any) -> str:
    if isinstance(value, JSONNumber):
        return value.text
    if isinstance(value, Decimal):
        return str(value)
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return repr(value)


def _seen_text(values: tuple[ValueSeen, ...]) -> str:
    if not values:
        return "no value (the field is absent)"
    shown = [f"{v.where}={_show(v.value)}" for v in values[:6]]
    if len(values) > 6:
        shown.append(f"... {len(values) - 6} more")
    return ", ".join(shown)


# -- the event's values ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Leaf:
    where: str
    value: Any
    trail: tuple[tuple[int, int], ...]  # (array id, index) of every enclosing array


def _leaves(event: dict[str, Any]) -> dict[str, list[_Leaf]]:
    """Every scalar of the event by its dotted path (a key spelled ``"a.b"`` is the path a.b, as the
    services read it), with its positions in enclosing arrays. Iterative: events may nest deeply."""
    out: dict[str, list[_Leaf]] = {}
    arrays = 0
    # The root has no path (None): a top-level key "" is the path "", and its member "x" the path ".x".
    stack: list[tuple[Any, str | None, str, tuple[tuple[int, int], ...]]] = [(event, None, "", ())]
    while stack:
        node, path, where, trail = stack.pop()
        if isinstance(node, dict):
            for key, child in reversed(list(node.items())):
                inner = key if path is None else f"{path}.{key}"
                stack.append((child, inner, where + key if path is None else f"{where}.{key}", trail))
        elif isinstance(node, list):
            array_id = arrays
            arrays += 1
            for i in reversed(range(len(node))):
                stack.append((node[i], path, f"{where}[{i}]", (*trail, (array_id, i))))
        elif path is not None:
            out.setdefault(path, []).append(_Leaf(where, node, trail))
    return out


# -- one value against one condition --------------------------------------------------------------------
def _utf8_safe(s: str) -> str:
    # Lone surrogates have no UTF-8 form; the services receive each as "?".
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return s.encode("utf-8", "replace").decode("utf-8")


_OPTIONS = re2.Options()
_OPTIONS.dot_nl = True


def _regex(source: str) -> Any:
    return re2.compile(source, _OPTIONS)


def _string_test(kind: str, arg: str, s: str) -> bool:
    if kind == C.STR:
        return s == arg
    if kind == C.PREFIX:
        return s.startswith(arg)
    if kind == C.SUFFIX:
        return s.endswith(arg)
    safe = _utf8_safe(s)
    if kind == C.EQ_IC:
        return _regex(ignore_case_regex(arg)).fullmatch(safe) is not None
    if kind == C.PREFIX_IC:
        return _regex(ignore_case_regex(arg, "prefix")).search(safe) is not None
    if kind == C.SUFFIX_IC:
        return _regex(ignore_case_regex(arg, "suffix")).search(safe) is not None
    if kind == C.WILDCARD:
        return _regex(wildcard_regex(arg)).fullmatch(safe) is not None
    raise AssertionError(kind)  # pragma: no cover - the compiler emits only the kinds above


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float | Decimal) and not isinstance(v, bool)


def _test_holds(test: Test, v: Any, ip_mode: bool) -> bool:
    """Whether the leaf value ``v`` satisfies one test (absence is decided by the caller)."""
    kind = test[0]
    if kind == C.EXISTS:
        return bool(test[1])  # a present value satisfies exists: true, never exists: false
    if not (v is None or isinstance(v, str | bool | int | float | Decimal)):
        return False  # not a JSON value (a caller's own object in a dict event): no value test holds
    if kind == C.ANYTHING_BUT:
        inner, excluded = test[1], test[2]
        if isinstance(v, str):
            return inner == C.NUM or not any(_string_test(inner, e, v) for e in excluded)
        if _is_number(v) and inner == C.NUM:
            f = comparable(v)
            return f is None or f not in excluded
        return True
    if isinstance(v, bool):
        return kind == (C.TRUE if v else C.FALSE)
    if v is None:
        return kind == C.NULL
    if isinstance(v, str):
        if kind == C.IP:
            address = ip_hex(v) if ip_mode else None
            if address is None:
                return False
            low, high = test[1], test[2]
            if len(low) == 32 and len(address) != 32:
                return False
            return low <= address[: len(low)] <= high
        if kind in (C.STR, C.PREFIX, C.SUFFIX, C.EQ_IC, C.PREFIX_IC, C.SUFFIX_IC, C.WILDCARD):
            return _string_test(kind, test[1], v)
        return False
    if _is_number(v):
        f = comparable(v)
        if f is None:
            return kind == C.NUMLIT and test[1] == literal_key(v)
        if kind == C.NUM:
            return bool(f == test[1])
        if kind == C.RANGE:
            _, low, low_inc, high, high_inc = test
            return (low < f or (low_inc and low == f)) and (f < high or (high_inc and f == high))
    return False


def _holds(cond: FieldCondition, v: Any) -> bool:
    return any(_test_holds(t, v, cond.ip_mode) for t in cond.tests)


# -- how a condition reads -------------------------------------------------------------------------------
def _number_text(f: float) -> str:
    return str(int(f)) if f.is_integer() and abs(f) < 1e16 else repr(f)


def _test_text(test: Test) -> str:
    kind = test[0]
    if kind == C.STR:
        return f"equals {_show(test[1])}"
    if kind == C.NUM:
        return f"equals {_number_text(test[1])}"
    if kind == C.NUMLIT:
        return f"equals {test[1]} (spelled exactly)"
    if kind in (C.NULL, C.TRUE, C.FALSE):
        return f"equals {kind}"
    if kind == C.IP:
        return f"cidr {test[1]}-{test[2]}" if test[1] != test[2] else f"ip {test[1]}"
    if kind == C.RANGE:
        _, low, low_inc, high, high_inc = test
        parts = []
        if not math.isinf(low):
            parts.append(f"{'>=' if low_inc else '>'} {_number_text(low)}")
        if not math.isinf(high):
            parts.append(f"{'<=' if high_inc else '<'} {_number_text(high)}")
        return "numeric " + (", ".join(parts) or "any number")
    if kind == C.EXISTS:
        return f"exists {'true' if test[1] else 'false'}"
    if kind == C.ANYTHING_BUT:
        inner, values = test[1], test[2]
        shown = ", ".join(sorted(_number_text(v) if inner == C.NUM else _show(v) for v in values))
        name = {
            C.STR: "",
            C.NUM: "",
            C.PREFIX: "prefix ",
            C.SUFFIX: "suffix ",
            C.EQ_IC: "equals-ignore-case ",
            C.WILDCARD: "wildcard ",
        }.get(inner, inner + " ")
        return f"anything-but {name}[{shown}]"
    names = {
        C.PREFIX: "prefix",
        C.SUFFIX: "suffix",
        C.EQ_IC: "equals-ignore-case",
        C.PREFIX_IC: "prefix equals-ignore-case",
        C.SUFFIX_IC: "suffix equals-ignore-case",
        C.WILDCARD: "wildcard",
    }
    return f"{names.get(kind, kind)} {_show(test[1])}"


def _operator(cond: FieldCondition) -> str:
    if cond.path in _HIDDEN:
        return _HIDDEN[cond.path]
    return " | ".join(sorted(_test_text(t) for t in cond.tests))


# -- hints for near misses -------------------------------------------------------------------------------
def _hints(
    cond: FieldCondition, values: list[_Leaf], event_paths: list[str], attributes: bool = False
) -> list[str]:
    """Near misses of a condition that did not hold. ``attributes``: the event is SNS message attributes,
    where a number is a matter of the attribute's type."""
    out: list[str] = []
    if not values:
        if (C.EXISTS, True) in cond.tests or any(t[0] != C.EXISTS for t in cond.tests):
            near = closest(cond.path, event_paths)
            if near is None:  # a misspelt last key under the right parent
                last = cond.path.rsplit(".", 1)[-1]
                parent = cond.path[: len(cond.path) - len(last)]
                siblings = {p[len(parent) :]: p for p in event_paths if p.startswith(parent)}
                hit = closest(last, siblings)
                near = siblings[hit] if hit is not None else None
            if near is not None:
                out.append(f'the event has "{near}": did you mean that field?')
        if (C.NULL,) in cond.tests:
            out.append('[null] matches a present null only; {"exists": false} matches an absent field')
        return out
    for leaf in values:
        v = leaf.value
        for test in cond.tests:
            kind = test[0]
            if kind == C.STR and isinstance(v, str) and v != test[1] and _string_test(C.EQ_IC, test[1], v):
                out.append(f'case differs: {{"equals-ignore-case": {_show(test[1])}}} would match {_show(v)}')
            elif kind in (C.PREFIX, C.SUFFIX) and isinstance(v, str) and not _string_test(kind, test[1], v):
                ic = C.PREFIX_IC if kind == C.PREFIX else C.SUFFIX_IC
                if _string_test(ic, test[1], v):
                    op = "prefix" if kind == C.PREFIX else "suffix"
                    out.append(
                        f'case differs: {{"{op}": {{"equals-ignore-case": {_show(test[1])}}}}} would match'
                    )
            star = kind in (C.STR, C.PREFIX, C.SUFFIX) and isinstance(v, str) and "*" in test[1]
            if star and _string_test(C.WILDCARD, test[1], v):
                out.append(
                    f"{_show(test[1])} holds '*' as a plain character; "
                    f'{{"wildcard": {_show(test[1])}}} would match {_show(v)}'
                )
            if kind == C.STR and _is_number(v) and _number_like(test[1], v):
                out.append(
                    f"the event has the number {_show(v)} where the pattern has the string "
                    f"{_show(test[1])}; "
                    + (
                        'send the attribute with DataType "String"'
                        if attributes
                        else "write it as a number in the pattern"
                    )
                )
            number = _numeric_string(v) if kind in (C.NUM, C.RANGE) and isinstance(v, str) else None
            if number is not None and _test_holds(test, number, cond.ip_mode):
                out.append(
                    f"the event has the string {_show(v)} where the pattern compares numbers; "
                    + (
                        'send the attribute with DataType "Number"'
                        if attributes
                        else "strings never meet numeric tests"
                    )
                )
            if kind == C.EXISTS and not test[1] and v is None:
                out.append("the field is present with the value null: null counts as present for exists")
    return list(dict.fromkeys(out))


def _numeric_string(s: str) -> Any:
    try:
        value = Decimal(s.strip())
    except ArithmeticError:
        return None
    return value if value.is_finite() else None


def _number_like(s: str, v: Any) -> bool:
    value = _numeric_string(s)
    return value is not None and comparable(value) is not None and comparable(value) == comparable(v)


# -- evaluation ------------------------------------------------------------------------------------------
def _merge(chosen: dict[int, int], trail: tuple[tuple[int, int], ...]) -> dict[int, int] | None:
    merged = dict(chosen)
    for array_id, index in trail:
        if merged.setdefault(array_id, index) != index:
            return None
    return merged


class _Search:
    """The consistent choice of array elements for one sub-rule, found by backtracking; remembers the
    furthest it got, to say which element broke consistency when none exists."""

    def __init__(self, conds: list[FieldCondition], leaves: dict[str, list[_Leaf]]) -> None:
        self.conds = conds
        self.leaves = leaves
        self.best: tuple[int, list[_Leaf | None]] = (-1, [])

    def run(self, i: int, chosen: dict[int, int], picked: list[_Leaf | None]) -> list[_Leaf | None] | None:
        if i > self.best[0]:
            self.best = (i, list(picked))
        if i == len(self.conds):
            return picked
        cond = self.conds[i]
        candidates = [
            leaf for leaf in self.leaves.get(cond.path, ()) if _merge(chosen, leaf.trail) is not None
        ]
        if cond.absent_ok and not candidates:
            found = self.run(i + 1, chosen, [*picked, None])
            if found is not None:
                return found
        for leaf in candidates:
            if _holds(cond, leaf.value):
                merged = _merge(chosen, leaf.trail)
                assert merged is not None
                found = self.run(i + 1, merged, [*picked, leaf])
                if found is not None:
                    return found
        return None


def _explain_subrule(
    index: int, sub: SubRule, leaves: dict[str, list[_Leaf]], event_paths: list[str], attributes: bool
) -> BranchExplanation:
    conds = sorted(sub, key=lambda c: c.path)
    search = _Search(conds, leaves)
    picked = search.run(0, {}, [])
    out = []
    for i, cond in enumerate(conds):
        values = leaves.get(cond.path, [])
        seen = tuple(ValueSeen(leaf.where, leaf.value, _holds(cond, leaf.value)) for leaf in values)
        if picked is not None:
            held = True
            choice = picked[i]
            if choice is None:
                reason = "absent, as required" if not values else "absent from the array elements chosen"
            else:
                reason = f"{choice.where} holds"
        else:
            held_values = [v for v in seen if v.held]
            if held_values:
                held, reason = True, f"{held_values[0].where} holds"
            elif not values:
                held = cond.absent_ok
                reason = "absent, as required" if held else "the field is absent"
            elif cond.absent_ok and not [t for t in cond.tests if t != (C.EXISTS, False)]:
                held, reason = False, "the field is present"
            else:
                held, reason = False, "no value satisfies it"
        hints = () if held else tuple(_hints(cond, values, event_paths, attributes))
        out.append(ConditionExplanation(cond.path, _operator(cond), seen, held, reason, hints))
    consistency = None
    if picked is None and all(c.held for c in out):
        consistency = _consistency(search)
    return BranchExplanation(index, tuple(out), picked is not None, consistency)


def _consistency(search: _Search) -> str:
    """Every condition held somewhere but not in one choice of array elements: name where it broke."""
    depth, picked = search.best
    cond = search.conds[depth]
    earlier = [leaf.where for leaf in picked if leaf is not None]
    held_at = [leaf.where for leaf in search.leaves.get(cond.path, ()) if _holds(cond, leaf.value)]
    if not held_at:  # only an `exists: false` is left: its field sits in the chosen element
        where = ", ".join(leaf.where for leaf in search.leaves.get(cond.path, ()))
        return (
            f"array elements: {cond.path} must be absent, but it is present at {where} in the element "
            f"chosen for {', '.join(earlier)}"
        )
    return (
        f"array elements: {cond.path} holds only at {', '.join(held_at[:4])}, not in the same array "
        f"element as {', '.join(earlier)}: a match must take all its fields from one element"
    )


def explain_subrules(
    subrules: list[SubRule],
    event: dict[str, Any],
    dialect: str,
    name: str | None = None,
    *,
    attributes: bool = False,
) -> Explanation:
    """Explain ``event`` (already shaped as the dialect's event, numbers exact) against ``subrules``.
    ``attributes``: the event is SNS message attributes (hints then speak of attribute types)."""
    leaves = _leaves(event)
    paths = sorted(leaves)
    branches = tuple(_explain_subrule(i, sub, leaves, paths, attributes) for i, sub in enumerate(subrules))
    matched = any(b.matched for b in branches)
    return Explanation(matched, dialect, branches, name)
