"""Number semantics of the event-pattern language.

A JSON number is *comparable* when its exact decimal value equals the value Java's
``Double.toString`` prints for the nearest double (the rule event-ruler applies through
``BigDecimal.valueOf(double)``). Comparable numbers match numerically (``5`` == ``5.0`` == ``50e-1``);
any other number (``12345678901234567890``, ``0.1000000000000000055511151231257827``, ``5e-324``)
only matches a literal with the same spelling. Both sides of a comparison use this one function.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from typing import Any

from tamis.json_number import JSONNumber

_TWO_DIGITS = Context(prec=2, rounding=ROUND_HALF_EVEN)
_EXACT_INT_LIMIT = 2**53
SMALLEST_NORMAL = 2.2250738585072014e-308


def java_double_decimal(f: float) -> Decimal:
    """The decimal value of Java's ``Double.toString(f)`` (JDK 19+: shortest, but at least 2 digits).

    Python's ``repr`` is the shortest round-trip form. Java picks, when that form has one significant
    digit, the closest decimal of one or two digits instead, which only differs for subnormals
    (``Double.MIN_VALUE`` prints as ``4.9E-324``, not ``5e-324``).
    """
    shortest = Decimal(repr(f))
    if len(shortest.as_tuple().digits) == 1:
        return _TWO_DIGITS.plus(Decimal(f))
    return shortest


def comparable_from_decimal(value: Decimal) -> float | None:
    """The double a number literal compares as, or None when it is not exactly representable."""
    try:
        f = float(value)
    except (OverflowError, InvalidOperation, ValueError):
        return None
    if not math.isfinite(f):
        return None
    if f == 0.0:
        return 0.0  # -0 and 0 are one value
    return f if java_double_decimal(f) == value else None


def comparable_from_int(value: int) -> float | None:
    if -_EXACT_INT_LIMIT <= value <= _EXACT_INT_LIMIT:
        return float(value)
    return comparable_from_decimal(Decimal(value))


def comparable(value: object) -> float | None:
    """Comparable double of a JSON number given as int, float or Decimal (bools are not numbers)."""
    t = type(value)
    if t is int:
        return comparable_from_int(value)  # type: ignore[arg-type]
    if t is float:
        # A Python float has no spelling of its own: it is taken to be written in its shortest form.
        f: float = value  # type: ignore[assignment]
        if not math.isfinite(f):
            return None
        return 0.0 if f == 0.0 else comparable_from_decimal(Decimal(repr(f)))
    if isinstance(value, Decimal):
        return comparable_from_decimal(value)
    return None


def comparable_fast(v: Any, t: type) -> float | None:
    """``comparable(v)`` for the matcher's hot path, ``t`` being ``type(v)``: the common doubles and
    integers are decided without building a Decimal."""
    if t is float:
        # A finite double written in its shortest form is comparable; only subnormals need the full check.
        if v != v or v in (math.inf, -math.inf):
            return None
        if v == 0.0:
            return 0.0
        return v if abs(v) >= SMALLEST_NORMAL else comparable(v)
    if t is int and -9007199254740992 <= v <= 9007199254740992:
        return float(v)
    return comparable(v)


def literal_key(value: object) -> str:
    """The literal spelling of a number, for matching numbers no double can hold exactly."""
    if isinstance(value, JSONNumber):
        return value.text
    if type(value) is float:
        return repr(value)
    try:
        return str(value)
    except ValueError:
        # More digits than Python converts to text: no rule spells such a number (the compiler refuses
        # one longer than a pattern can be), so a key no spelling equals.
        return f"<an integer of {value.bit_length()} bits>"  # type: ignore[attr-defined]
