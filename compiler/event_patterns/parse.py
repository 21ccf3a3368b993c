"""Reading one event pattern, given as JSON text, bytes or a dict, into its compiled sub-rules.

Well-formed text takes the C JSON decoder; text it refuses, and any pattern the compiler rejects, is
read again by the located parser so that the error names its line and column. The service's size limit
is checked on the text as written (on a dict, on its compact serialisation).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson

from tamis.compiler.event_patterns.compiler import compile_rule
from tamis.errors import PatternError
from tamis.grammar.located_json import MAX_NESTING, parse_json
from tamis.grammar.text import line_col
from tamis.json_number import JSONNumber
from tamis.runtime.events.conditions import SubRule
from tamis.runtime.json_values import INT_MAX_DIGITS, first_problem, pointer, text_may_be_deeper

if TYPE_CHECKING:
    from tamis.compiler.event_patterns.dialects import Dialect

PatternInput = str | bytes | bytearray | dict[str, Any]


def pattern_text(value: str | bytes | bytearray, source: str | None = None) -> str:
    """Pattern text from text or UTF-8 bytes; bytes that are not UTF-8 raise a located ``PatternError``."""
    if isinstance(value, bytes | bytearray):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError as exc:
            line, column = line_col(bytes(value), exc.start)
            raise PatternError(
                "the pattern is not valid UTF-8", rule="json", line=line, column=column, source=source
            ) from None
    return value


def parse_pattern(
    pattern: PatternInput,
    dialect: Dialect,
    source: str | None = None,
    transform: Callable[[Any], Any] | None = None,
) -> list[SubRule]:
    """Check one pattern and return its compiled sub-rules; raises a located ``PatternError``."""
    if isinstance(pattern, dict):
        # One pass at C speed settles nearly every pattern: orjson refuses what the walk of first_problem
        # looks for (keys that are not strings, lone surrogates, integers past 64 bits), and counting
        # brackets bounds the depth; anything else gets the walk, which says where.
        try:
            raw: bytes | None = orjson.dumps(pattern)
        except (TypeError, orjson.JSONEncodeError):
            raw = None
        if raw is None or text_may_be_deeper(raw, MAX_NESTING):
            _check_value(pattern, dialect, source)
        limit = dialect.max_pattern_chars
        if limit is not None:
            # The service sees JSON text: measure the compact serialisation (orjson writes non-finite
            # floats as null, so those are measured as Python writes them).
            if raw is not None and b"null" not in raw:
                size = len(raw.decode("utf-8"))
            else:
                size = len(json.dumps(pattern, separators=(",", ":"), ensure_ascii=False, default=str))
            if size > limit:
                raise PatternError(
                    f"the pattern is {size} characters long as JSON; {dialect.name} accepts at most {limit}",
                    source=source,
                    rule="pattern-size",
                )
        return compile_rule(transform(pattern) if transform else pattern, dialect, source=source)
    if not isinstance(pattern, str | bytes | bytearray):
        raise PatternError(
            f"a pattern must be JSON text or a dict, got {type(pattern).__name__}", rule="pattern-type"
        )
    text = pattern_text(pattern, source)
    limit = dialect.max_pattern_chars
    if limit is not None and len(text) > limit:
        raise PatternError(
            f"the pattern is {len(text)} characters long; {dialect.name} accepts at most {limit}",
            line=1,
            column=1,
            source=source,
            rule="pattern-size",
        )
    value = _decode_valid(text)
    # ASCII text without escapes holds no lone surrogate, and a bracket count bounds its depth: the walk
    # of first_problem is for the rest.
    sound = text.isascii() and "\\u" not in text and not text_may_be_deeper(text, MAX_NESTING)
    if value is not _INVALID and (sound or first_problem(value, MAX_NESTING) is None):
        try:
            return compile_rule(transform(value) if transform else value, dialect, source=source)
        except PatternError:
            pass  # compile again below, with positions, to say where
    doc = parse_json(text, source=source, error=PatternError)
    _check_value(doc.value, dialect, source, lambda path, key: doc.position(path, key=key))
    value = transform(doc.value) if transform else doc.value
    return compile_rule(value, dialect, lambda path, key: doc.position(path, key=key), source)


_INVALID: Any = object()


def _check_value(
    value: Any,
    dialect: Dialect,
    source: str | None,
    locate: Callable[[tuple[Any, ...], bool], tuple[int | None, int | None]] | None = None,
) -> None:
    """Refuse, located, what no pattern text can hold: nesting deeper than the JSON reader's limit, keys
    that are not strings, strings that are not Unicode (a lone surrogate has no UTF-8 form), integers too
    long to write. Checked before compiling, so that no such value reaches the compiler or the index."""
    problem = first_problem(value, MAX_NESTING)
    if problem is None:
        return
    path, key, message, rule = problem
    if rule == "number-size":
        if dialect.number_limit is not None:
            limit = dialect.number_limit
            message, rule = f"numbers must be between -{limit:.0f} and {limit:.0f}", "number-range"
        else:
            message = (
                f"a number of more than {INT_MAX_DIGITS} digits does not fit in a pattern of at most "
                f"{dialect.max_pattern_chars} characters"
            )
            rule = "pattern-size"
    line, column = locate(path, key) if locate is not None else (None, None)
    raise PatternError(message, line=line, column=column, source=source, rule=rule, pointer=pointer(path))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _decode_valid(text: str) -> Any:
    """Fast path for well-formed patterns: the C decoder, which accepts exactly the JSON the Lark grammar
    (grammar/json.lark) accepts, with the same numbers (exact, spelled) and duplicate-key rule (last
    wins). Anything it refuses, and any pattern the compiler rejects, goes through the Lark parser so the
    error names its line and column."""
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        return json.loads(text, parse_float=JSONNumber, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return _INVALID
