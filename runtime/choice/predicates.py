"""Predicate builders: the compiled form of a Choice rule, ``(input, variables, context) -> bool``. A
missing ``Variable`` (or ``...Path`` operand) is the run-time error ``States.Runtime`` except under
``IsPresent``."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tamis.runtime.choice.errors import StatesRuntimeError
from tamis.runtime.choice.paths import MISSING, Getter
from tamis.runtime.choice.string_matches import wildcard_matcher, wildcard_pieces

# (input, variables, context) -> bool
Predicate = Callable[[Any, Mapping[str, Any], Any], bool]


def _missing(pointer: str, path: str) -> StatesRuntimeError:
    return StatesRuntimeError(f"Invalid path '{path}': the path does not exist in the input", pointer=pointer)


def compare_literal(
    get: Getter, op: Callable[[Any, Any], bool], literal: Any, path: str, pointer: str
) -> Predicate:
    def test(i: Any, v: Mapping[str, Any], c: Any) -> bool:
        x = get(i, v, c)
        if x is MISSING:
            raise _missing(pointer, path)
        return op(x, literal)

    return test


def compare_path(
    get: Getter, op: Callable[[Any, Any], bool], get_other: Getter, path: str, other: str, pointer: str
) -> Predicate:
    def test(i: Any, v: Mapping[str, Any], c: Any) -> bool:
        x = get(i, v, c)
        if x is MISSING:
            raise _missing(pointer, path)
        y = get_other(i, v, c)
        if y is MISSING:
            raise _missing(pointer, other)
        return op(x, y)

    return test


def string_matches(get: Getter, pattern: str, path: str, pointer: str) -> Predicate:
    pieces = wildcard_pieces(pattern)
    if pieces is None:
        # The service accepts the definition and fails when the rule is evaluated
        # (shared/notes/asl.md §Choice).
        def bad(i: Any, v: Mapping[str, Any], c: Any) -> bool:
            x = get(i, v, c)
            if x is MISSING:
                raise _missing(pointer, path)
            if type(x) is not str:
                return False
            raise StatesRuntimeError(
                f"invalid escape sequence in StringMatches pattern {pattern!r}", pointer=pointer
            )

        return bad
    matcher = wildcard_matcher(pieces)

    def test(i: Any, v: Mapping[str, Any], c: Any) -> bool:
        x = get(i, v, c)
        if x is MISSING:
            raise _missing(pointer, path)
        return type(x) is str and matcher(x)

    return test


def type_test(
    get: Getter, test_fn: Callable[[Any], bool], expected: bool, path: str, pointer: str
) -> Predicate:
    def test(i: Any, v: Mapping[str, Any], c: Any) -> bool:
        x = get(i, v, c)
        if x is MISSING:
            raise _missing(pointer, path)
        return test_fn(x) is expected

    return test


def is_present(get: Getter, expected: bool) -> Predicate:
    return lambda i, v, c: (get(i, v, c) is not MISSING) is expected


def all_of(preds: Sequence[Predicate]) -> Predicate:
    if len(preds) == 1:
        return preds[0]
    if len(preds) == 2:
        a, b = preds
        return lambda i, v, c: a(i, v, c) and b(i, v, c)
    ps = tuple(preds)

    def test(i: Any, v: Mapping[str, Any], c: Any) -> bool:
        for p in ps:  # noqa: SIM110 - a plain loop avoids a generator per call on the hot path
            if not p(i, v, c):
                return False
        return True

    return test


def any_of(preds: Sequence[Predicate]) -> Predicate:
    if len(preds) == 1:
        return preds[0]
    if len(preds) == 2:
        a, b = preds
        return lambda i, v, c: a(i, v, c) or b(i, v, c)
    ps = tuple(preds)

    def test(i: Any, v: Mapping[str, Any], c: Any) -> bool:
        for p in ps:  # noqa: SIM110 - a plain loop avoids a generator per call on the hot path
            if p(i, v, c):
                return True
        return False

    return test


def negate(pred: Predicate) -> Predicate:
    return lambda i, v, c: not pred(i, v, c)
