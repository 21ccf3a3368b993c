"""What the linter checks: a *target* (one pattern, policy or state machine found somewhere) and the map
from the JSON text handed to a checker back to the line and column of the file the user edits.

A target's text is always JSON: a stand-alone file as written, a JSON string embedded in YAML or HCL
(mapped character by character), or a structured value (a YAML mapping, an HCL ``jsonencode`` argument)
serialized here with a span per JSON path, each span mapped to where that value was written.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tamis.grammar.text import LineIndex

Path_ = tuple[str | int, ...]


class Mapper:
    """Maps an offset of a target's text to (line, column) in the edited file."""

    def __call__(self, offset: int) -> tuple[int, int]:  # pragma: no cover - interface
        raise NotImplementedError


class IdentityMapper(Mapper):
    """The target's text is the file's text (a stand-alone JSON file)."""

    def __init__(self, index: LineIndex) -> None:
        self.index = index

    def __call__(self, offset: int) -> tuple[int, int]:
        return self.index.line_col(offset)


class OffsetsMapper(Mapper):
    """The target's text is a string written in the file: ``offsets[i]`` is where character i was written."""

    def __init__(self, index: LineIndex, offsets: list[int] | None, fallback: tuple[int, int]) -> None:
        self.index = index
        self.offsets = offsets
        self.fallback = fallback

    def __call__(self, offset: int) -> tuple[int, int]:
        if not self.offsets:
            return self.fallback
        offset = min(max(offset, 0), len(self.offsets) - 1)
        return self.index.line_col(self.offsets[offset])


class SpansMapper(Mapper):
    """The target's text was serialized here from a structured value: each JSON path's span in the text
    maps to where that value (or key) was written in the file."""

    def __init__(self, spans: list[tuple[int, int, tuple[int, int]]], fallback: tuple[int, int]) -> None:
        # (start, end, file position); sorted by start, ties broken so inner spans come later.
        self.spans = sorted(spans, key=lambda s: (s[0], -s[1]))
        self.starts = [s[0] for s in self.spans]
        self.fallback = fallback

    def __call__(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.starts, offset) - 1
        while i >= 0:
            start, end, pos = self.spans[i]
            if start <= offset < end or (offset == end and start == end):
                return pos
            i -= 1
        return self.fallback


@dataclass
class Target:
    """One thing to check, with everything needed to report on it in the file the user edits."""

    kind: str
    text: str
    file: str  # display path of the file the user edits
    mapper: Mapper
    anchor: tuple[int, int]  # where the value starts in the file (for errors without a position)
    label: str  # what was found, for messages: "AWS::Events::Rule OrdersRule EventPattern"
    options: dict[str, str] = field(default_factory=dict)
    # What the enclosing template says about how the service judges the value, passed to the checker as
    # keyword arguments: a state machine's ``machine_type`` and the ``substitutions`` its deployment makes.
    context: dict[str, Any] = field(default_factory=dict)
    # Text ranges that stand for placeholders or unresolved intrinsics: an error inside them is a note.
    unresolved: list[tuple[int, int]] = field(default_factory=list)
    # Lines of the file that anchor the value (the property key): a suppression comment there covers it.
    anchor_lines: tuple[int, ...] = ()
    # The text as written, where placeholders stand in ``text`` as numbers (placeholder_ranges): a checker
    # that reads ``${...}`` itself is given them back.
    raw_text: str | None = None
    # A Terraform template with %{...} directives: it is JSON only once rendered, so a syntax error is a note.
    lenient_syntax: bool = False
    # JSON path -> position in the file, for diagnostics that carry a pointer but no line.
    pointer_positions: Callable[[str], tuple[int, int] | None] | None = None
    # A structured value (placeholders included) whose text is serialized only when it is needed.
    value: Any = None
    lazy: Callable[[], tuple[str, Mapper, list[tuple[int, int]]]] | None = None

    def materialize(self) -> None:
        """Serialize a structured value into the text (with its map) handed to a checker."""
        if self.lazy is not None:
            self.text, self.mapper, self.unresolved = self.lazy()
            self.lazy = None

    @classmethod
    def structured(
        cls,
        value: Any,
        value_pos: Callable[[Path_], tuple[int, int] | None],
        key_pos: Callable[[Path_], tuple[int, int] | None],
        anchor: tuple[int, int],
        **fields: Any,
    ) -> Target:
        return cls(
            text="",
            mapper=SpansMapper([], anchor),
            anchor=anchor,
            value=value,
            lazy=lambda: serialize(value, value_pos, key_pos, anchor),
            **fields,
        )

    def in_unresolved(self, offset: int, *, placeholders: bool = True) -> bool:
        """Whether a finding at ``offset`` falls on a placeholder, or on a string that contains one.

        ``placeholders=False``, for a checker that reads ``${...}`` in values itself (the ASL validator, as
        validate-asl runs it): a value with a placeholder is its to judge, and only a key (a state name built
        by the template) or what it cannot see as a placeholder (a stand-in number, a blanked directive)
        makes a finding a note."""
        if not self.unresolved:
            return False
        ranges = self.unresolved
        end = offset
        if 0 <= offset < len(self.text) and self.text[offset] == '"':
            end = offset + 1  # a finding on a string (a state name, a key) covers the whole string
            while end < len(self.text) and self.text[end] != '"':
                end += 2 if self.text[end] == "\\" else 1
        if not placeholders and not self.text[end + 1 : end + 64].lstrip().startswith(":"):
            ranges = [(a, b) for a, b in ranges if "${" not in self.text[a:b]]
        return any(a <= end and offset <= b for a, b in ranges)


# --- located serialization of structured values ----------------------------------------------------


class Placeholder:
    """A value that cannot be known before deployment (an intrinsic, a Terraform reference).

    It serializes as a JSON string of its ``text`` and marks its span as unresolved.
    """

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"Placeholder({self.text!r})"


def serialize(
    value: Any,
    value_pos: Callable[[Path_], tuple[int, int] | None],
    key_pos: Callable[[Path_], tuple[int, int] | None],
    fallback: tuple[int, int],
) -> tuple[str, SpansMapper, list[tuple[int, int]]]:
    """Serialize ``value`` as JSON text, recording a span per path (and per key)."""
    parts: list[str] = []
    spans: list[tuple[int, int, tuple[int, int]]] = []
    unresolved: list[tuple[int, int]] = []
    length = 0

    def emit(s: str) -> None:
        nonlocal length
        parts.append(s)
        length += len(s)

    def walk(v: Any, path: Path_, depth: int) -> None:
        start = length
        if depth > 200:
            emit("null")
        elif isinstance(v, dict):
            emit("{")
            for n, (k, item) in enumerate(v.items()):
                if n:
                    emit(", ")
                key_start = length
                emit(json.dumps(str(k), ensure_ascii=False))
                kp = key_pos((*path, k))
                if kp is not None:
                    spans.append((key_start, length, kp))
                emit(": ")
                walk(item, (*path, k), depth + 1)
            emit("}")
        elif isinstance(v, list):
            emit("[")
            for n, item in enumerate(v):
                if n:
                    emit(", ")
                walk(item, (*path, n), depth + 1)
            emit("]")
        elif isinstance(v, Placeholder):
            emit(json.dumps(v.text, ensure_ascii=False))
            unresolved.append((start, length))
        elif v is True:
            emit("true")
        elif v is False:
            emit("false")
        elif v is None:
            emit("null")
        elif isinstance(v, int):
            emit(str(v))
        elif isinstance(v, Decimal):
            emit(_decimal_text(v))
        elif isinstance(v, float):
            emit(repr(v) if v == v and v not in (float("inf"), float("-inf")) else "null")
        else:
            emit(json.dumps(str(v), ensure_ascii=False))
        pos = value_pos(path)
        if pos is not None:
            spans.append((start, length, pos))

    walk(value, (), 0)
    return "".join(parts), SpansMapper(spans, fallback), unresolved


def _decimal_text(d: Decimal) -> str:
    if not d.is_finite():
        return "null"
    text = str(d)
    return text if "E" not in text else text.replace("E", "e")


def pointer_path(pointer: str) -> list[str]:
    """The reference tokens of a JSON pointer (RFC 6901)."""
    if not pointer or pointer == "/":
        return [] if not pointer else [""]
    body = pointer[1:] if pointer.startswith("/") else pointer
    return [p.replace("~1", "/").replace("~0", "~") for p in body.split("/")]


def plain(value: Any, *, exact: bool = True) -> Any:
    """``value`` with placeholders as their text (and, unless ``exact``, decimals as floats)."""
    if isinstance(value, dict):
        return {k: plain(v, exact=exact) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v, exact=exact) for v in value]
    if isinstance(value, Placeholder):
        return value.text
    if not exact and isinstance(value, Decimal):
        return float(value)
    return value
