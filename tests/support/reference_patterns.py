"""A plain reference interpreter of EventBridge event-pattern semantics, for tests only.

It walks the pattern and the event directly (no indexing, no automaton) so that it can be read line by
line against ../shared/notes/event_patterns.md, which records the semantics of event-ruler 2.x (the
open-source engine behind EventBridge) with probes. Property tests check tamis' compiled automaton
against it; the conformance test checks it against the corpus labels.

It assumes a *valid* pattern: validity is tested against the corpus, not here.
"""

from __future__ import annotations

import ipaddress
import json
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext
from functools import cached_property
from typing import Any

import re2

__all__ = ["Num", "java_double_string_value", "ref_matches", "ref_matches_text"]


# ---------------------------------------------------------------------------------------------------------
# Numbers (notes 1.2 "exact number", 2.1 "ComparableNumber")


def java_double_string_value(x: float) -> Decimal:
    """The decimal value of Java's ``Double.toString(x)`` (JDK 19+ specification).

    Java picks the shortest decimal that rounds to ``x``, except that when the shortest has one digit it
    picks, among the one- and two-digit decimals that round to ``x``, the one closest to ``x``
    (so ``Double.MIN_VALUE`` prints as ``4.9E-324``, not ``5E-324``).
    """
    shortest = Decimal(repr(x))
    if x == 0 or len(shortest.normalize().as_tuple().digits) != 1:
        return shortest
    exact = Decimal(x)
    with localcontext() as ctx:
        ctx.prec = 1000
        two = exact.quantize(Decimal(1).scaleb(exact.adjusted() - 1), rounding=ROUND_HALF_EVEN)
        if float(two) == x and abs(two - exact) < abs(shortest - exact):
            return two
    return shortest


@dataclass(frozen=True)
class Num:
    """A JSON number as written (``text``); comparisons follow event-ruler's ComparableNumber."""

    text: str

    @cached_property
    def value(self) -> Decimal:
        return Decimal(self.text)

    @cached_property
    def comparable(self) -> bool:
        """True iff the literal is exactly the value Java prints for its nearest double."""
        try:
            as_float = float(self.value)
        except (OverflowError, InvalidOperation):
            return False
        if not math.isfinite(as_float):
            return False
        return self.value == java_double_string_value(as_float)


def _num_from_python(value: int | float | Decimal) -> Num:
    if isinstance(value, float):
        return Num(repr(value))
    return Num(str(value))


# ---------------------------------------------------------------------------------------------------------
# IP addresses (event-ruler CIDR.java: a regex gate, then java.net.InetAddress parsing)

_IPV4 = re2.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
_IPV6 = re2.compile(r"[0-9a-fA-F:]*:[0-9a-fA-F:]*")


def ip_hex(text: str) -> str | None:
    """Upper-case hex of the address (8 digits IPv4, 32 IPv6), or None when ``text`` is not an IP."""
    if _IPV4.fullmatch(text):
        parts = [int(p) for p in text.split(".")]  # leading zeros are decimal, as in Java
        if any(p > 255 for p in parts):
            return None
        return "".join(f"{p:02X}" for p in parts)
    if _IPV6.fullmatch(text):
        try:
            addr = ipaddress.IPv6Address(text)
        except ValueError:
            return None
        if addr.ipv4_mapped is not None:  # Java turns ::ffff:a.b.c.d into a 4-byte address
            return f"{int(addr.ipv4_mapped):08X}"
        return f"{int(addr):032X}"
    return None


def _cidr_range(text: str) -> tuple[str, str]:
    """Bottom and top hex of a CIDR block (host bits of the written address are ignored)."""
    address, bits_text = text.split("/")
    hexed = ip_hex(address)
    assert hexed is not None, text
    host_mask = (1 << (len(hexed) * 4 - int(bits_text))) - 1
    base = int(hexed, 16)
    return f"{base & ~host_mask:0{len(hexed)}X}", f"{base | host_mask:0{len(hexed)}X}"


def _in_ip_range(value_hex: str, low: str, high: str) -> bool:
    # The range automaton reports a match after walking as many digits as the bounds have, so an IPv6
    # value is compared on its first 8 digits against an IPv4 range (notes: "::1" is in 0.0.0.0/0).
    if len(value_hex) < len(low):
        return False
    head = value_hex[: len(low)]
    return low <= head <= high


# ---------------------------------------------------------------------------------------------------------
# Strings


def _case_alternatives(text: str) -> list[list[str]]:
    """Per UTF-16 unit, the set {toLowerCase(ROOT), toUpperCase(ROOT)} (notes 1.2, equals-ignore-case)."""
    out: list[list[str]] = []
    for ch in text:
        if ord(ch) > 0xFFFF:
            # Each lone surrogate maps to itself and encodes to UTF-8 as "?".
            out.extend([["?"], ["?"]])
        else:
            out.append(sorted({ch.lower(), ch.upper()}))
    return out


def _case_regex(text: str) -> str:
    return "".join("(?:" + "|".join(re2.escape(a) for a in alts) + ")" for alts in _case_alternatives(text))


def _wildcard_regex(text: str) -> str:
    parts: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":  # valid patterns only escape "*" and "\"
            parts.append(re2.escape(text[i + 1]))
            i += 2
            continue
        parts.append(".*" if ch == "*" else re2.escape(ch))
        i += 1
    return "".join(parts)


def _full(regex: str, value: str) -> bool:
    return re2.fullmatch("(?s)" + regex, value) is not None


def _string_matcher(op: str, arg: Any) -> tuple[str, Any]:
    """Normalise prefix/suffix/equals-ignore-case/wildcard (used alone or inside anything-but)."""
    if isinstance(arg, dict):  # {"prefix": {"equals-ignore-case": "x"}}
        return op + "-ic", arg["equals-ignore-case"]
    return op, arg


def _string_test(kind: str, arg: str, value: str) -> bool:
    if kind == "prefix":
        return value.startswith(arg)
    if kind == "suffix":
        return value.endswith(arg)
    if kind == "prefix-ic":
        return _full(_case_regex(arg) + ".*", value)
    if kind == "suffix-ic":
        return _full(".*" + _case_regex(arg), value)
    if kind == "equals-ignore-case":
        return _full(_case_regex(arg), value)
    if kind == "wildcard":
        return _full(_wildcard_regex(arg), value)
    raise AssertionError(kind)


# ---------------------------------------------------------------------------------------------------------
# Pattern: conditions per field


@dataclass
class _Field:
    """The value list of one field path inside one $or-expanded sub-rule."""

    path: str
    matchers: list[tuple[Any, ...]] = field(default_factory=list)

    @property
    def absent_ok(self) -> bool:
        return ("exists", False) in self.matchers

    @cached_property
    def has_numeric(self) -> bool:
        # Comparable exact numbers, numeric ranges and numeric anything-but put numbers in the field's
        # byte machine; then comparable event numbers are matched numerically only.
        for m in self.matchers:
            if m[0] in ("numeric", "anything-but-number"):
                return True
            if m[0] == "number" and m[1].comparable:
                return True
        return False

    @cached_property
    def has_ip(self) -> bool:
        return any(m[0] == "ip-range" for m in self.matchers)


def _matcher(item: Any) -> tuple[Any, ...]:
    if item is None:
        return ("null",)
    if item is True or item is False:
        return ("bool", item)
    if isinstance(item, Num):
        return ("number", item)
    if isinstance(item, str):
        hexed = ip_hex(item)
        if hexed is not None:  # IP-looking rule strings become single-address ranges
            return ("ip-range", hexed, hexed)
        return ("string", item)
    assert isinstance(item, dict) and len(item) == 1, item
    ((op, arg),) = item.items()
    if op == "exactly":
        return ("string", arg)
    if op in ("prefix", "suffix"):
        return ("string-op", *_string_matcher(op, arg))
    if op in ("equals-ignore-case", "wildcard"):
        return ("string-op", op, arg)
    if op == "exists":
        return ("exists", arg)
    if op == "cidr":
        return ("ip-range", *_cidr_range(arg))
    if op == "numeric":
        return ("numeric", [(arg[i], arg[i + 1].value) for i in range(0, len(arg), 2)])
    if op == "anything-but":
        if isinstance(arg, dict):
            ((inner, inner_arg),) = arg.items()
            values = inner_arg if isinstance(inner_arg, list) else [inner_arg]
            return ("anything-but-op", inner, values)
        values = arg if isinstance(arg, list) else [arg]
        if all(isinstance(v, Num) for v in values):
            return ("anything-but-number", values)
        return ("anything-but-string", values)
    raise AssertionError(f"unknown operator {op}")


def _sub_rules(obj: dict[str, Any], prefix: str) -> list[list[_Field]]:
    """Expand ``$or`` into a list of conjunctions (cross product with the surrounding fields)."""
    rules: list[list[_Field]] = [[]]
    for key, value in obj.items():
        if key == "$or" and isinstance(value, list):
            options = [sub for branch in value for sub in _sub_rules(branch, prefix)]
        elif isinstance(value, dict):  # nested object (also an object-valued "$or": a plain field)
            options = _sub_rules(value, prefix + key + ".")
        else:
            options = [[_Field(prefix + key, [_matcher(v) for v in value])]]
        rules = [_override(r, o) for r in rules for o in options]
    return rules


def _override(earlier: list[_Field], later: list[_Field]) -> list[_Field]:
    """A field path given again (e.g. inside an $or branch) replaces the earlier one (JsonRuleCompilerTest
    #testWithRuleOverride in the corpus: er-0547/er-0548)."""
    paths = {f.path for f in later}
    return [f for f in earlier if f.path not in paths] + later


# ---------------------------------------------------------------------------------------------------------
# Event: leaves with their array membership


@dataclass(frozen=True)
class _Leaf:
    kind: str  # "string" | "number" | "null" | "bool"
    value: Any
    membership: tuple[tuple[int, int], ...]  # (array id, element index) for every enclosing array


class _Pairs(list):  # type: ignore[type-arg]
    """A JSON object kept as its member list, so duplicate keys all stay visible."""


def _flatten(
    node: Any,
    path: str,
    membership: tuple[tuple[int, int], ...],
    out: dict[str, list[_Leaf]],
    arrays: list[int],
) -> None:
    """Collect (path -> leaves); ``arrays`` counts the arrays seen so far, to give each one an id."""
    if isinstance(node, _Pairs | dict):
        items = node if isinstance(node, _Pairs) else list(node.items())
        for key, child in items:
            _flatten(child, f"{path}.{key}" if path else key, membership, out, arrays)
        return
    if isinstance(node, list):
        array_id = len(arrays)
        arrays.append(array_id)
        for index, child in enumerate(node):
            _flatten(child, path, (*membership, (array_id, index)), out, arrays)
        return
    if node is None:
        leaf = _Leaf("null", None, membership)
    elif node is True or node is False:
        leaf = _Leaf("bool", node, membership)
    elif isinstance(node, Num):
        leaf = _Leaf("number", node, membership)
    elif isinstance(node, int | float | Decimal):
        leaf = _Leaf("number", _num_from_python(node), membership)
    elif isinstance(node, str):
        leaf = _Leaf("string", node, membership)
    else:
        raise TypeError(f"not a JSON value: {node!r}")
    out.setdefault(path, []).append(leaf)


def _consistent(a: tuple[tuple[int, int], ...], b: tuple[tuple[int, int], ...]) -> bool:
    """No two fields from different elements of the same array."""
    positions = dict(a)
    return all(positions.get(array_id, index) == index for array_id, index in b)


# ---------------------------------------------------------------------------------------------------------
# Matching


def _number_equal(rule: Num, event: Num, numeric_mode: bool) -> bool:
    if numeric_mode:
        return rule.comparable and rule.value == event.value
    return rule.text == event.text


def _value_matches(leaf: _Leaf, fld: _Field) -> bool:
    """Does one event leaf satisfy any matcher of the field's value list?"""
    numeric_mode = leaf.kind == "number" and fld.has_numeric and leaf.value.comparable
    ip_value = None
    if leaf.kind == "string" and fld.has_ip:
        # An IP-looking string is walked as its hex address for the ranges, and as written for every other
        # matcher (event-ruler pull request 131); numbers never meet the ranges.
        ip_value = ip_hex(leaf.value)
    for m in fld.matchers:
        kind = m[0]
        if kind == "exists":
            if m[1]:
                return True
            continue
        if kind == "anything-but-string":
            if not (leaf.kind == "string" and leaf.value in m[1]):
                return True
            continue
        if kind == "anything-but-number":
            if not (leaf.kind == "number" and any(_number_equal(v, leaf.value, numeric_mode) for v in m[1])):
                return True
            continue
        if kind == "anything-but-op":
            _, inner, values = m
            if leaf.kind != "string":
                return True
            tests = [_string_test(*_string_matcher(inner, v), leaf.value) for v in values]
            if not any(tests):
                return True
            continue
        if kind == "ip-range":
            if ip_value is not None and _in_ip_range(ip_value, m[1], m[2]):
                return True
            continue
        if kind == "null":
            if leaf.kind == "null":
                return True
        elif kind == "bool":
            if leaf.kind == "bool" and leaf.value is m[1]:
                return True
        elif kind == "string":
            if leaf.kind == "string" and leaf.value == m[1]:
                return True
        elif kind == "string-op":
            if leaf.kind == "string" and _string_test(m[1], m[2], leaf.value):
                return True
        elif kind == "number":
            if leaf.kind == "number" and _number_equal(m[1], leaf.value, numeric_mode):
                return True
        elif kind == "numeric":
            if numeric_mode and all(_compare(op, leaf.value.value, bound) for op, bound in m[1]):
                return True
        else:
            raise AssertionError(kind)
    return False


def _compare(op: str, value: Decimal, bound: Decimal) -> bool:
    return {
        "=": value == bound,
        "<": value < bound,
        "<=": value <= bound,
        ">": value > bound,
        ">=": value >= bound,
    }[op]


def _walk(fields: list[_Field], i: int, leaves: dict[str, list[_Leaf]], constraints: tuple) -> bool:
    """Fields in lexical order (the order of event-ruler's name-state walk); backtrack over leaves.

    exists:false is checked against the array elements chosen by the fields before it, as the walk does.
    """
    if i == len(fields):
        return True
    fld = fields[i]
    candidates = [leaf for leaf in leaves.get(fld.path, []) if _consistent(constraints, leaf.membership)]
    if fld.absent_ok and not candidates and _walk(fields, i + 1, leaves, constraints):
        return True
    for leaf in candidates:
        if _value_matches(leaf, fld):
            merged = tuple(sorted(set(constraints) | set(leaf.membership)))
            if _walk(fields, i + 1, leaves, merged):
                return True
    return False


def _pattern_value(value: Any) -> Any:
    """Python pattern values -> the interpreter's: numbers become Num (exact literal text)."""
    if isinstance(value, dict):
        return {k: _pattern_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_pattern_value(v) for v in value]
    if value is None or value is True or value is False or isinstance(value, str | Num):
        return value
    if isinstance(value, int | float | Decimal):
        return _num_from_python(value)
    raise TypeError(f"not a JSON value: {value!r}")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"not JSON: {name}")


def parse_event_text(text: str | bytes) -> Any:
    """JSON text -> values with exact number literals and every duplicate key kept."""
    return json.loads(
        text, object_pairs_hook=_Pairs, parse_int=Num, parse_float=Num, parse_constant=_reject_constant
    )


def parse_pattern_text(text: str | bytes) -> Any:
    """JSON text -> pattern values with exact number literals; a repeated key keeps its last value."""
    return json.loads(text, parse_int=Num, parse_float=Num, parse_constant=_reject_constant)


def ref_matches(pattern: dict[str, Any] | str | bytes, event: Any, *, absence_last: bool = False) -> bool:
    """Does ``event`` match ``pattern`` under EventBridge (event-ruler 2.x) semantics?

    ``pattern`` and ``event`` are Python values (numbers as int/float/Decimal/Num) or JSON text; text keeps
    exact number literals and duplicate event keys.

    ``exists: false`` is checked, as event-ruler's walk does, when its field comes up in lexical order,
    against the array elements chosen by the fields before it. ``absence_last=True`` takes the fields whose
    value list accepts absence after every other field instead (against all chosen elements): the two differ
    only for an ``exists: false`` inside an array of objects whose element is pinned by a lexically later
    field (not covered by the corpus).
    """
    if isinstance(pattern, str | bytes):
        pattern = parse_pattern_text(pattern)
    if isinstance(event, str | bytes):
        event = parse_event_text(event)
    leaves: dict[str, list[_Leaf]] = {}
    _flatten(event, "", (), leaves, [])
    for rule in _sub_rules(_pattern_value(pattern), ""):
        order = sorted(rule, key=lambda f: f.path)
        if absence_last:  # fields that accept absence go after all others
            order = [f for f in order if not f.absent_ok] + [f for f in order if f.absent_ok]
        if _walk(order, 0, leaves, ()):
            return True
    return False


def ref_matches_text(pattern_text: str, event_text: str) -> bool:
    return ref_matches(pattern_text, event_text)
