"""Strict JSON parsed with a Lark grammar into plain values plus a position table.

Every language in tamis starts here when its input comes as text: the compilers work on plain
Python values and, when they reject something, ask the table where that value was written.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from tamis.errors import TamisError
from tamis.grammar.text import decode_or_raise, line_col
from tamis.json_number import JSONNumber

JSONPath = tuple[str | int, ...]
# Deeper documents are rejected before Python's recursion limit could turn them into a traceback.
MAX_NESTING = 200
_INT_MAX_CHARS = sys.get_int_max_str_digits() or 4300  # digits, not counting a sign: "-" costs one less


class Located:
    """What every located document offers: positions by path and values by path. Subclasses hold
    ``value``, ``spans`` (path -> (line, column, ...)) and ``keys`` (path -> (line, column) of the key)."""

    value: Any
    spans: dict[Any, tuple[int, ...]]
    keys: dict[Any, tuple[int, int]]

    def position(self, path: tuple[Any, ...], *, key: bool = False) -> tuple[int | None, int | None]:
        """Line and column of ``path`` (of its key when ``key``), else of its nearest known ancestor."""
        if key and path in self.keys:
            return self.keys[path]
        p = tuple(path)
        while True:
            span = self.spans.get(p)
            if span is not None:
                return span[0], span[1]
            if not p:
                return None, None
            p = p[:-1]

    def value_at(self, path: tuple[Any, ...]) -> Any:
        """The value at ``path``, or None when the path leads nowhere."""
        node = self.value
        for part in path:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return None
        return node


@dataclass
class LocatedJSON(Located):
    """A parsed JSON document: its value and where each part of it was written."""

    value: Any
    text: str
    source: str | None = None
    # path -> (line, column, start offset, end offset) of the value; 1-based line and column.
    spans: dict[JSONPath, tuple[int, int, int, int]] = field(default_factory=dict)
    # path -> (line, column) of the member's key, for object members.
    keys: dict[JSONPath, tuple[int, int]] = field(default_factory=dict)
    # (path, line, column) of every member whose key repeats an earlier one (the last one wins).
    duplicates: list[tuple[JSONPath, int, int]] = field(default_factory=list)

    def raw(self, path: JSONPath) -> str:
        """The exact source text of the value at ``path``."""
        span = self.spans[tuple(path)]
        return self.text[span[2] : span[3]]

    def string_offsets(self, path: JSONPath) -> list[int] | None:
        """Source offset of each character of the string at ``path``, plus one for its end (as
        :meth:`LocatedYAML.string_offsets <tamis.grammar.located_yaml.LocatedYAML.string_offsets>`);
        None when no string was written there."""
        span = self.spans.get(tuple(path))
        if span is None:
            return None
        return string_token_offsets(self.text[span[2] : span[3]], span[2])


@cache
def _parser() -> Lark:
    grammar = (Path(__file__).with_name("json.lark")).read_text(encoding="utf-8")
    # LALR + contextual lexer: linear time, and cache=True keeps start-up cheap for the CLI.
    return Lark(grammar, parser="lalr", lexer="contextual", propagate_positions=True, cache=True)


def _describe(exc: UnexpectedInput, text: str) -> str:
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        return "invalid JSON: unexpected end of input"
    if isinstance(exc, UnexpectedCharacters):
        ch = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else ""
        if ch == "'":
            return "invalid JSON: strings and keys must use double quotes, not single quotes"
        return f"invalid JSON: unexpected character {ch!r}"
    if isinstance(exc, UnexpectedToken):
        return f"invalid JSON: unexpected {exc.token.value!r}"
    return "invalid JSON"


def parse_json(
    text: str | bytes,
    *,
    source: str | None = None,
    error: type[TamisError] = TamisError,
    exact_numbers: bool = True,
) -> LocatedJSON:
    """Parse ``text`` as strict JSON, keeping positions.

    With ``exact_numbers`` integers become ``int`` and other numbers ``JSONNumber`` (a ``Decimal`` that
    keeps its spelling); otherwise non-integers become ``float``. Raises ``error``, located, on bad input.
    """
    text = decode_or_raise(text, error=error, source=source, rule="json")
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as exc:
        line, column = exc.line, exc.column
        if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
            line, column = _end_position(text)
        raise error(_describe(exc, text), line=line, column=column, source=source, rule="json") from None
    doc = LocatedJSON(value=None, text=text, source=source)
    number = (lambda s: int(s) if _is_int(s) else JSONNumber(s)) if exact_numbers else _plain_number
    doc.value = _build(tree, (), doc, number, error, 0)
    return doc


def policy_text(
    policy: object,
    *,
    name: str,
    error: type[TamisError],
    max_chars: int,
    source: str | None,
) -> str:
    """A policy given as JSON text or UTF-8 bytes, as text of at most ``max_chars`` characters; ``name``
    says which policy it is in messages. Raises ``error``, located, when it is neither or too long."""
    if isinstance(policy, bytes | bytearray):
        try:
            policy = bytes(policy).decode("utf-8")
        except UnicodeDecodeError:
            raise error(f"{name} is not valid UTF-8", line=1, column=1, source=source, rule="json") from None
    if not isinstance(policy, str):
        raise error(f"{name} must be JSON text, bytes or a dict", rule="json", source=source)
    if len(policy) > max_chars:
        raise error(
            f"{name} is {len(policy):,} characters long; at most {max_chars:,} are allowed",
            line=1,
            column=1,
            source=source,
            rule="size",
        )
    return policy


def refuse_repeated_keys(doc: LocatedJSON, error: type[TamisError]) -> None:
    """Raise ``error`` at the first key an object repeats: the services keep one of the two values, so
    what the author meant is unknown."""
    if doc.duplicates:
        path, line, column = doc.duplicates[0]
        raise error(
            f"key {path[-1]!r} appears twice in the same object",
            line=line,
            column=column,
            source=doc.source,
            rule="json",
        )


def _end_position(text: str) -> tuple[int, int]:
    """Line and column just after the last non-blank character: where the input stopped short."""
    return line_col(text, len(text.rstrip()))


def _is_int(s: str) -> bool:
    # An integer longer than the interpreter writes or reads as text (4,300 digits) stays a spelled number.
    return "." not in s and "e" not in s and "E" not in s and len(s) <= _INT_MAX_CHARS


def _plain_number(s: str) -> int | float:
    return int(s) if _is_int(s) else float(s)


def _build(
    node: Tree | Token, path: JSONPath, doc: LocatedJSON, number: Any, error: type[TamisError], depth: int
) -> Any:
    if isinstance(node, Token):  # only reachable for a bare top-level scalar token
        raise AssertionError("unexpected bare token")
    meta = node.meta
    if depth > MAX_NESTING:
        raise error(
            f"JSON nesting deeper than {MAX_NESTING} levels",
            line=meta.line,
            column=meta.column,
            source=doc.source,
            rule="json-nesting",
        )
    doc.spans[path] = (meta.line, meta.column, meta.start_pos, meta.end_pos)
    kind = node.data
    if kind == "object":
        out: dict[str, Any] = {}
        for member in node.children:
            if member is None:
                continue
            key_tok, value = member.children
            key = _string(key_tok, doc, error)
            child = (*path, key)
            if key in out:
                doc.duplicates.append((child, key_tok.line, key_tok.column))
            doc.keys[child] = (key_tok.line, key_tok.column)
            out[key] = _build(value, child, doc, number, error, depth + 1)
        return out
    if kind == "array":
        items = [c for c in node.children if c is not None]
        return [_build(c, (*path, i), doc, number, error, depth + 1) for i, c in enumerate(items)]
    if kind == "string":
        return _string(node.children[0], doc, error)
    if kind == "number":
        return number(str(node.children[0]))
    if kind == "true":
        return True
    if kind == "false":
        return False
    if kind == "null":
        return None
    raise AssertionError(kind)


def _string(tok: Token, doc: LocatedJSON, error: type[TamisError]) -> str:
    try:
        return json.loads(tok)
    except json.JSONDecodeError as exc:
        raise error(
            f"invalid JSON string: {exc.msg}",
            line=tok.line,
            column=(tok.column or 0) + exc.pos,
            source=doc.source,
            rule="json",
        ) from None


# -- strings written as JSON tokens -------------------------------------------------------------------

_JSON_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def string_token_offsets(raw: str, start: int) -> list[int] | None:
    """Offsets (in the file) of each character of the JSON string token ``raw`` written at ``start``."""
    if len(raw) < 2 or raw[0] != '"':
        return None
    out: list[int] = []
    i = 1
    end = len(raw) - 1
    while i < end:
        c = raw[i]
        if c != "\\":
            out.append(start + i)
            i += 1
            continue
        e = raw[i + 1 : i + 2]
        if e in _JSON_ESCAPES:
            out.append(start + i)
            i += 2
        elif e == "u":
            code = int(raw[i + 2 : i + 6], 16)
            out.append(start + i)
            i += 6
            if 0xD800 <= code < 0xDC00 and raw[i : i + 2] == "\\u":  # surrogate pair: one character
                i += 6
        else:
            return None
    out.append(start + end)
    return out
