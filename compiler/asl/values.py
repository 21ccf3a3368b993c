"""Kinds of JSON value the field rules ask about: deploy-time placeholders, integers and numbers,
``{% %}`` JSONata strings and RFC 3339 timestamps. Pure predicates, no findings."""

from __future__ import annotations

from functools import lru_cache

import re2

_RFC3339 = re2.compile(
    r"^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$"
)


def is_placeholder(value: object) -> bool:
    """A value supplied at deploy time: a string that is entirely a template placeholder (``${Name}``)
    or a CloudFormation intrinsic (``{"Ref": ...}``, ``{"Fn::GetAtt": ...}``). Its type is unknown."""
    if isinstance(value, str):
        return (
            value.startswith("${") and value.endswith("}") and value.count("}") == 1 and value.count("{") == 1
        )
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        return isinstance(key, str) and (key == "Ref" or key.startswith("Fn::"))
    return False


def is_int(v: object) -> bool:
    return type(v) is int


def is_num(v: object) -> bool:
    return (type(v) is int or type(v) is float) or (type(v).__name__ == "Decimal")


def delimited(text: str) -> bool:
    """The whole string is one JSONata expression, ``{% ... %}``."""
    return text.startswith("{%") and text.endswith("%}") and len(text) >= 4


@lru_cache(maxsize=8192)
def is_rfc3339(text: str) -> bool:
    """SPEC21 Timestamps: RFC 3339 with uppercase T and Z (or an offset); AWS also checks the ranges."""
    m = _RFC3339.match(text)
    if m is None:
        return False
    year, month, day, hour, minute, second = (int(m.group(i)) for i in range(1, 7))
    if not (1 <= month <= 12 and 0 <= hour <= 23 and 0 <= minute <= 59 and 0 <= second <= 60):
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]
    if not 1 <= day <= days:
        return False
    off = m.group(8)
    return off == "Z" or (int(off[1:3]) <= 23 and int(off[4:6]) <= 59)
