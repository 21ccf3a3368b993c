"""A plain reference interpreter of Choice states, for checking tamis's compiled decisions.

It walks the raw rule dicts on every call, re-reads every path, converts StringMatches wildcards to RE2
regular expressions and parses timestamps with ``datetime``: deliberately a different route from the
compiled code (pre-split accessors, hand-written timestamp parsing, string-operation wildcard matching)
to the same documented semantics (DG state-choice.html; ASL spec §Choice State, §Timestamps):

- a comparison whose operand has the wrong type is false;
- a missing ``Variable`` or ``...Path`` operand is ``States.Runtime``, except under ``IsPresent``;
- numbers compare as IEEE-754 binary64; no rule and no ``Default`` is ``States.NoChoiceMatched``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import re2

_TS = re2.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))")


class ReferenceFailure(Exception):
    """The run-time error the service would raise, by name."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


_ABSENT = object()


def read_path(path: str, inp: Any, variables: dict[str, Any], context: Any) -> Any:
    """Value at a reference path (dotted names, ['quoted'] names, [index]) or _ABSENT."""
    if path.startswith("$$"):
        cur, rest = context, path[2:]
        if cur is None:
            return _ABSENT
    elif len(path) > 1 and (path[1].isalpha() or path[1] == "_"):
        end = 1
        while end < len(path) and (path[end].isalnum() or path[end] == "_"):
            end += 1
        if path[1:end] not in variables:
            return _ABSENT
        cur, rest = variables[path[1:end]], path[end:]
    else:
        cur, rest = inp, path[1:]
    for kind, token in _tokens(rest):
        if kind == "key":
            if not isinstance(cur, dict) or token not in cur:
                return _ABSENT
            cur = cur[token]
        else:
            if not isinstance(cur, list) or int(token) >= len(cur):
                return _ABSENT
            cur = cur[int(token)]
    return cur


def _tokens(rest: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(rest):
        if rest[i] == ".":
            j = i + 1
            name = ""
            while j < len(rest) and rest[j] not in ".[":
                if rest[j] == "\\":
                    j += 1
                name += rest[j]
                j += 1
            out.append(("key", name))
            i = j
        elif rest.startswith("['", i):
            j = rest.index("']", i)
            out.append(("key", rest[i + 2 : j]))
            i = j + 2
        else:
            j = rest.index("]", i)
            out.append(("index", rest[i + 1 : j]))
            i = j + 1
    return out


_EPOCH2000 = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)


def timestamp_key(s: Any) -> tuple[int, Decimal] | None:
    """An ordering key of an RFC 3339 timestamp (uppercase T and Z), or None when it is not one."""
    if not isinstance(s, str):
        return None
    m = _TS.fullmatch(s)
    if m is None:
        return None
    y, mo, d, h, mi, sec = (int(m.group(k)) for k in range(1, 7))
    if m.group(8) == "Z":
        offset = dt.timedelta(0)
    else:
        oh, om = int(m.group(10)), int(m.group(11))
        if oh > 23 or om > 59:
            return None
        offset = dt.timedelta(hours=oh, minutes=om) * (1 if m.group(9) == "+" else -1)
    # The Gregorian calendar repeats every 400 years (146,097 days): move the year into datetime's range
    # (which has no year 0 and ends at 9999) and add the whole cycles back as seconds.
    cycles, year_in_cycle = divmod(y, 400)
    try:
        local = dt.datetime(2000 + year_in_cycle, mo, d, h, mi, sec, tzinfo=dt.timezone(offset))
    except ValueError:
        return None
    seconds = (local - _EPOCH2000) // dt.timedelta(seconds=1) + cycles * 146097 * 86400
    frac = Decimal("0." + m.group(7)) if m.group(7) else Decimal(0)
    return seconds, frac


def _number(x: Any) -> bool:
    return isinstance(x, (int, float, Decimal)) and not isinstance(x, bool)


def _f(x: Any) -> float:
    try:
        return float(x)
    except OverflowError:
        return float("inf") if x > 0 else float("-inf")


def _order(op: str, a: Any, b: Any) -> bool:
    if op.endswith("LessThanEquals"):
        return a <= b
    if op.endswith("GreaterThanEquals"):
        return a >= b
    if op.endswith("LessThan"):
        return a < b
    if op.endswith("GreaterThan"):
        return a > b
    return a == b


def compare(op: str, x: Any, y: Any) -> bool:
    """``x`` is the Variable's value, ``y`` the literal or the other path's value."""
    if op.startswith("String"):
        return isinstance(x, str) and isinstance(y, str) and _order(op, x, y)
    if op.startswith("Numeric"):
        return _number(x) and _number(y) and _order(op, _f(x), _f(y))
    if op == "BooleanEquals":
        return isinstance(x, bool) and isinstance(y, bool) and x == y
    kx, ky = timestamp_key(x), timestamp_key(y)
    return kx is not None and ky is not None and _order(op, kx, ky)


def wildcard_regex(pattern: str) -> str | None:
    out = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            if i + 1 >= len(pattern) or pattern[i + 1] not in "*\\":
                return None
            out.append(re2.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "*" else re2.escape(ch))
        i += 1
    return "(?s)" + "".join(out)


def rule_matches(rule: dict[str, Any], inp: Any, variables: dict[str, Any], context: Any) -> bool:
    if "And" in rule:
        return all(rule_matches(r, inp, variables, context) for r in rule["And"])
    if "Or" in rule:
        return any(rule_matches(r, inp, variables, context) for r in rule["Or"])
    if "Not" in rule:
        return not rule_matches(rule["Not"], inp, variables, context)
    op = next(k for k in rule if k not in ("Variable", "Next", "Comment", "Assign"))
    x = read_path(rule["Variable"], inp, variables, context)
    if op == "IsPresent":
        return (x is not _ABSENT) == rule[op]
    if x is _ABSENT:
        raise ReferenceFailure("States.Runtime")
    if op.startswith("Is"):
        checks = {
            "IsNull": x is None,
            "IsNumeric": _number(x),
            "IsString": isinstance(x, str),
            "IsBoolean": isinstance(x, bool),
            "IsTimestamp": timestamp_key(x) is not None,
        }
        return checks[op] == rule[op]
    if op == "StringMatches":
        if not isinstance(x, str):
            return False
        regex = wildcard_regex(rule[op])
        if regex is None:
            raise ReferenceFailure("States.Runtime")
        return re2.fullmatch(regex, x) is not None
    if op.endswith("Path"):
        y = read_path(rule[op], inp, variables, context)
        if y is _ABSENT:
            raise ReferenceFailure("States.Runtime")
        return compare(op[:-4], x, y)
    return compare(op, x, rule[op])


def decide(
    state: dict[str, Any], inp: Any, variables: dict[str, Any] | None = None, context: Any = None
) -> str:
    """Next state name of a JSONPath Choice state, or ReferenceFailure."""
    for rule in state["Choices"]:
        if rule_matches(rule, inp, variables or {}, context):
            return rule["Next"]
    if "Default" in state:
        return state["Default"]
    raise ReferenceFailure("States.NoChoiceMatched")
