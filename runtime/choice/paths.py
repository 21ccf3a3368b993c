"""Reading values: a reference path, resolved once by the compiler, is a root (the input, the context
object or a variable) and a tuple of steps; a getter reads it, giving ``MISSING`` when it is absent."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

# (input, variables, context) -> value or MISSING
Getter = Callable[[Any, Mapping[str, Any], Any], Any]
Step = str | int


def resolve(value: Any, steps: Sequence[Step]) -> Any:
    """The value at ``steps`` below ``value``, or MISSING. Keys read objects only, indexes arrays only."""
    for step in steps:
        if type(step) is str:
            if type(value) is dict:
                value = value.get(step, MISSING)
                if value is MISSING:
                    return MISSING
            else:
                return MISSING
        elif type(value) is list and 0 <= step < len(value):  # type: ignore[operator]
            value = value[step]  # type: ignore[index]
        else:
            return MISSING
    return value


def input_getter(steps: tuple[Step, ...]) -> Getter:
    if not steps:
        return lambda i, v, c: i
    if len(steps) == 1 and type(steps[0]) is str:
        key = steps[0]
        return lambda i, v, c: i.get(key, MISSING) if type(i) is dict else MISSING
    return lambda i, v, c: resolve(i, steps)


def context_getter(steps: tuple[Step, ...]) -> Getter:
    return lambda i, v, c: MISSING if c is None else resolve(c, steps)


def variable_getter(name: str, steps: tuple[Step, ...]) -> Getter:
    def get(i: Any, v: Mapping[str, Any], c: Any) -> Any:
        value = v.get(name, MISSING)
        return value if value is MISSING else resolve(value, steps)

    return get
