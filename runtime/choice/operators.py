"""Comparison operators and type tests. Each comparison is (x, y) -> bool where x is the Variable's value
and y the operand: a literal prepared by ``prepare_literal`` or, for ...Path variants, the other value as
read from the input. A comparison whose operand has the wrong type is false."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from tamis.runtime.choice.timestamps import parse_timestamp


def is_number(x: Any) -> bool:
    # bool is a subclass of int in Python but never a JSON number.
    # exact type first (the common case); Decimal subclasses come from tamis's exact JSON numbers
    t = type(x)
    return t is int or t is float or (t is not bool and isinstance(x, Decimal))


def as_binary64(x: int | float | Decimal) -> float:
    """Numeric comparisons use IEEE-754 binary64 (ASL spec §Choice State), so huge integers round."""
    try:
        return float(x)
    except OverflowError:
        return float("inf") if x > 0 else float("-inf")


def _str_op(cmp: Callable[[str, str], bool]) -> Callable[[Any, Any], bool]:
    return lambda x, y: type(x) is str and type(y) is str and cmp(x, y)


def _num_op(cmp: Callable[[float, float], bool]) -> Callable[[Any, Any], bool]:
    def op(x: Any, y: Any) -> bool:
        return is_number(x) and is_number(y) and cmp(as_binary64(x), as_binary64(y))

    return op


def _ts_op(cmp: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def op(x: Any, y: Any) -> bool:
        tx = parse_timestamp(x)
        if tx is None:
            return False
        ty = y if type(y) is tuple else parse_timestamp(y)
        return ty is not None and cmp(tx, ty)

    return op


def _lt(a: Any, b: Any) -> bool:
    return a < b


def _le(a: Any, b: Any) -> bool:
    return a <= b


def _gt(a: Any, b: Any) -> bool:
    return a > b


def _ge(a: Any, b: Any) -> bool:
    return a >= b


def _eq(a: Any, b: Any) -> bool:
    return a == b


def _bool_eq(x: Any, y: Any) -> bool:
    return type(x) is bool and type(y) is bool and x is y


COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "StringEquals": _str_op(_eq),
    "StringLessThan": _str_op(_lt),
    "StringGreaterThan": _str_op(_gt),
    "StringLessThanEquals": _str_op(_le),
    "StringGreaterThanEquals": _str_op(_ge),
    "NumericEquals": _num_op(_eq),
    "NumericLessThan": _num_op(_lt),
    "NumericGreaterThan": _num_op(_gt),
    "NumericLessThanEquals": _num_op(_le),
    "NumericGreaterThanEquals": _num_op(_ge),
    "BooleanEquals": _bool_eq,
    "TimestampEquals": _ts_op(_eq),
    "TimestampLessThan": _ts_op(_lt),
    "TimestampGreaterThan": _ts_op(_gt),
    "TimestampLessThanEquals": _ts_op(_le),
    "TimestampGreaterThanEquals": _ts_op(_ge),
}

TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "IsNull": lambda x: x is None,
    "IsNumeric": is_number,
    "IsString": lambda x: type(x) is str,
    "IsBoolean": lambda x: type(x) is bool,
    "IsTimestamp": lambda x: parse_timestamp(x) is not None,
}


def prepare_literal(operator: str, value: Any) -> Any:
    """The literal operand in the form its comparison reads fastest (numbers as binary64, parsed times)."""
    if operator.startswith("Numeric"):
        return as_binary64(value)
    if operator.startswith("Timestamp"):
        return parse_timestamp(value)
    return value
