"""What a JSON value handed to tamis must be, checked without recursion so that a hostile input costs no
stack: nested at most so deep, with string keys, and strings that are Unicode text.

Every reader of JSON in tamis bounds nesting at its boundary; the limits belong to each language
(``EVENT_MAX_DEPTH`` below for events; grammar/located_json.py's ``MAX_NESTING`` for patterns, policies
and definitions). The walks are iterative: their own depth does not grow with the input's.
"""

from __future__ import annotations

import sys
from typing import Any

JSONPath = tuple[str | int, ...]

#: Events: EventBridge's PutEvents "will only process nested JSON up to 1000 levels deep" (API reference,
#: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html). SNS and Lambda document
#: no depth; tamis holds their events, message bodies and record payloads to the same number.
EVENT_MAX_DEPTH = 1000

#: The most digits an ``int`` may have and still be written as text (the interpreter's own limit).
INT_MAX_DIGITS = sys.get_int_max_str_digits() or 4300
# An int of fewer bits than this has fewer digits than INT_MAX_DIGITS (log2(10) < 3.33).
_INT_SAFE_BITS = int(INT_MAX_DIGITS * 3.32)


def too_deep(value: Any, limit: int) -> JSONPath | None:
    """The path of the first object or array nested deeper than ``limit`` levels (the outermost one is
    level 1), or None."""
    if not isinstance(value, dict | list):
        return None
    # (container, its level, parent entry, key in parent): the path is rebuilt only for the answer.
    stack: list[tuple[Any, int, Any, Any]] = [(value, 1, None, None)]
    while stack:
        entry = stack.pop()
        node, level = entry[0], entry[1]
        if level > limit:
            return _path(entry)
        for key, child in node.items() if isinstance(node, dict) else enumerate(node):
            if isinstance(child, dict | list):
                stack.append((child, level + 1, entry, key))
    return None


def first_problem(value: Any, limit: int) -> tuple[JSONPath, bool, str, str] | None:
    """The first thing in ``value`` that JSON text cannot hold, as (path, at the key?, message, rule):
    nesting deeper than ``limit``, a key that is not a string, a string with a lone surrogate (not Unicode
    text, so not UTF-8), an integer too long to write out. None when the value is sound."""
    stack: list[tuple[Any, int, Any, Any]] = [(value, 1, None, None)]
    while stack:
        entry = stack.pop()
        node, level = entry[0], entry[1]
        if isinstance(node, str):
            if not node.isascii() and lone_surrogate(node) is not None:
                return _path(entry), False, surrogate_message(node), "unicode"
            continue
        if isinstance(node, int) and not isinstance(node, bool) and node.bit_length() > _INT_SAFE_BITS:
            return _path(entry), False, f"a number of more than {INT_MAX_DIGITS} digits", "number-size"
        if isinstance(node, dict):
            if level > limit:
                return _path(entry), False, f"JSON nesting deeper than {limit} levels", "json-nesting"
            for key, child in node.items():
                if not isinstance(key, str):
                    return (
                        (*_path(entry), key),
                        True,
                        f"object keys must be strings, got {type(key).__name__} {key!r:.40}",
                        "key-type",
                    )
                if not key.isascii() and lone_surrogate(key) is not None:
                    return (*_path(entry), key), True, surrogate_message(key), "unicode"
                stack.append((child, level + 1, entry, key))
        elif isinstance(node, list | tuple):
            if level > limit:
                return _path(entry), False, f"JSON nesting deeper than {limit} levels", "json-nesting"
            stack.extend((child, level + 1, entry, i) for i, child in enumerate(node))
    return None


def _path(entry: tuple[Any, int, Any, Any]) -> JSONPath:
    keys: list[Any] = []
    while entry[2] is not None:
        keys.append(entry[3])
        entry = entry[2]
    return tuple(reversed(keys))


def lone_surrogate(text: str) -> int | None:
    """The index of the first lone surrogate in ``text`` (a code point UTF-8 cannot encode), or None."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return exc.start
    return None


def surrogate_message(text: str) -> str:
    at = lone_surrogate(text) or 0
    return f"lone surrogate U+{ord(text[at]):04X} at character {at + 1}: the text is not Unicode (nor UTF-8)"


def text_may_be_deeper(text: str | bytes, limit: int) -> bool:
    """Whether JSON ``text`` holds enough brackets to nest deeper than ``limit``: a count at C speed that
    spares nearly every document the walk of ``too_deep``."""
    if isinstance(text, str):
        return text.count("{") + text.count("[") > limit
    return text.count(b"{") + text.count(b"[") > limit


def without_surrogates(text: str) -> str:
    """``text`` with each lone surrogate replaced by ``?``, as the services' UTF-8 encoders write it (Java's
    ``String.getBytes(UTF_8)``); a high and low surrogate side by side are the one character they spell."""
    paired = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return paired.encode("utf-8", "replace").decode("utf-8")


def pointer(path: JSONPath) -> str:
    """RFC 6901 pointer of ``path``; a lone surrogate in a key is written as its escape, so that the
    pointer (and any message holding it) can be printed."""
    text = "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path) or "/"
    return text if text.isascii() else text.encode("utf-8", "backslashreplace").decode("utf-8")
