"""Reading events given as JSON text, with the numbers the services see.

orjson decodes almost every event. It refuses numbers beyond the double range and keeps no spelling
of the floats it reads, while the services compare a number no double holds exactly by its spelling:
``exact_loads`` decodes such text keeping exact decimals (``JSONNumber``) instead, and ``floats_exact``
tells, from the text, whether the floats orjson produced are the numbers as written.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

import orjson

from tamis.json_number import JSONNumber
from tamis.runtime.events.native import core as _native
from tamis.runtime.events.numbers import SMALLEST_NORMAL
from tamis.runtime.json_values import (
    EVENT_MAX_DEPTH,
    INT_MAX_DIGITS,
    pointer,
    text_may_be_deeper,
    too_deep,
    without_surrogates,
)


class InvalidEvent(ValueError):
    """The event is not a JSON object (or not JSON at all)."""


def decode_event(event: Any) -> Any:
    """The event as Python values: dicts pass through; JSON text is decoded once.

    Text nested deeper than ``EVENT_MAX_DEPTH`` levels is refused. A ``str`` holding lone surrogates
    (which no UTF-8 text can) is read with each replaced by ``?``, as the services' UTF-8 encoders write
    them."""
    if isinstance(event, dict):
        return event
    if isinstance(event, bytes | bytearray | memoryview | str):
        raw = utf8(event) if isinstance(event, str) else bytes(event)
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            # orjson refuses numbers beyond the double range (the services keep them as literals) and
            # nesting past 1024 levels: the exact reader tells the two apart.
            try:
                value = exact_loads(raw)
            except RecursionError:
                raise InvalidEvent(nesting_message(None)) from None
            except ValueError:
                raise InvalidEvent(f"the event is not valid JSON: {exc}") from None
        except ValueError as exc:
            raise InvalidEvent(f"the event is not valid JSON: {exc}") from None
        check_depth(raw, value)
        return value
    raise InvalidEvent(f"an event must be a JSON object (dict, str or bytes), got {type(event).__name__}")


def utf8(text: str) -> bytes:
    """``text`` as UTF-8, each lone surrogate written as ``?`` (as the services' encoders do)."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return without_surrogates(text).encode("utf-8")


def nesting_message(path: tuple[Any, ...] | None) -> str:
    where = ""
    if path is not None:
        at = pointer(path)
        where = f" at {at if len(at) <= 60 else at[:57] + '...'}"
    return (
        f"the event nests deeper than {EVENT_MAX_DEPTH} levels{where} (the depth EventBridge's PutEvents "
        "documents, applied to every service's input)"
    )


def check_depth(raw: str | bytes, value: Any) -> None:
    """Refuse ``value``, decoded from ``raw``, when it nests deeper than ``EVENT_MAX_DEPTH`` levels. Each
    level takes two brackets, so short texts (nearly every event) are never walked."""
    if len(raw) > 2 * EVENT_MAX_DEPTH and text_may_be_deeper(raw, EVENT_MAX_DEPTH):
        path = too_deep(value, EVENT_MAX_DEPTH)
        if path is not None:
            raise InvalidEvent(nesting_message(path))


def _int_or_literal(text: str) -> int | JSONNumber:
    # "-0" must keep its sign for literal matching, and an integer longer than the interpreter converts
    # (4,300 digits) stays spelled; every other integer spells itself.
    return JSONNumber(text) if text.startswith("-0") or len(text) > INT_MAX_DIGITS else int(text)


def exact_loads(raw: bytes) -> Any:
    """JSON text decoded with every fraction and exponent as an exact, spelled ``JSONNumber``."""
    return json.loads(raw, parse_float=JSONNumber, parse_int=_int_or_literal)


_NUMBER_CHARS = frozenset(b"0123456789.eE+-")
# Keeps the bytes a JSON number can hold and turns every other byte into a space.
_ONLY_NUMBER_CHARS = bytes(c if c in _NUMBER_CHARS else 32 for c in range(256))


def floats_exact(text: bytes, floats: set[float], native: bool = False) -> bool:
    """Whether the numbers in ``text`` that orjson read as ``floats`` are written with the exact values of
    those doubles, so that comparing the doubles is comparing the numbers.

    A decimal of at most 15 significant digits survives the round trip through a double exactly, so only
    tokens of 16 characters or more can differ. The number-like tokens come from one byte translation and
    split (every byte that cannot be part of a number becomes a space); only the long ones are looked at.
    ``native``: the token loop runs in the native core (same steps, one pass over the bytes).
    """
    for f in floats:
        if (f == 0.0 or abs(f) < SMALLEST_NORMAL) and (b"e-" in text or b"E-" in text):
            return False  # zero and subnormals absorb short spellings (1e-400 is 0.0, 50e-325 is 5e-324)
    if native:
        return bool(_native.floats_exact(text, floats))
    for token in text.translate(_ONLY_NUMBER_CHARS).split():
        if len(token) < 16:
            continue
        try:
            f = float(token)
        except ValueError:
            continue  # digits, dots and letters e/E run together inside a string
        if f in floats:
            spelled = token.decode()
            shortest = repr(f)
            # JSONNumber, not Decimal: it also reads exponents beyond Decimal's range (0e9999999999999999999);
            # a spelling that overflows to infinity is never the exact value of its double.
            if spelled != shortest and (not math.isfinite(f) or JSONNumber(spelled) != Decimal(shortest)):
                return False

    return True
