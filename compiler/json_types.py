"""The JSON type of a parsed value, as diagnostics name it ("string", "an object", ...)."""

from __future__ import annotations

from decimal import Decimal

_ARTICLES = {"array": "an array", "object": "an object", "null": "null"}


def json_type(value: object) -> str:
    """``null``, ``boolean``, ``number``, ``string``, ``array`` or ``object``; another Python type's name."""
    if value is None:
        return "null"
    if isinstance(value, bool):  # before numbers: bool is an int
        return "boolean"
    if isinstance(value, int | float | Decimal):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def kind_of(value: object) -> str:
    """``json_type`` as a sentence names it: "a string", "an object", "null"."""
    name = json_type(value)
    if name in _ARTICLES:
        return _ARTICLES[name]
    return f"a {name}" if name in ("boolean", "number", "string") else name
