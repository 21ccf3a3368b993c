"""Input text: bytes decoded as UTF-8 (a leading byte-order mark dropped), and the one map between offsets
and 1-based (line, column) that every reader, compiler and the linter use.

A column counts characters (code points) in text and bytes in undecodable input, as the positions of
located_json and located_yaml do; a line ends at ``\\n`` only (a ``\\r`` before it belongs to the line).
"""

from __future__ import annotations

import bisect
from itertools import accumulate
from typing import Any

from tamis.errors import TamisError


class LineIndex:
    """Offsets <-> 1-based (line, column) over one text (or the bytes of one undecoded input).

    Nothing is computed until asked: the first few lookups count line breaks (C speed, nothing kept: a
    validator reporting one fault in a large file pays for no table); later ones build the table of line
    starts once and bisect it.
    """

    __slots__ = ("_lookups", "_starts", "text")
    DIRECT_LOOKUPS = 8  # lookups answered by counting before the table pays for itself

    def __init__(self, text: str | bytes) -> None:
        self.text = text
        self._starts: list[int] | None = None
        self._lookups = 0

    @property
    def starts(self) -> list[int]:
        """The offset at which each line starts (the first line starts at 0)."""
        starts = self._starts
        if starts is None:
            newline = b"\n" if isinstance(self.text, bytes) else "\n"
            # line k+1 starts one past the end of line k: accumulate (length + 1) over the lines
            starts = list(accumulate(map((1).__add__, map(len, self.text.split(newline))), initial=0))
            starts.pop()  # (the offset one past the end of the last line)
            self._starts = starts
        return starts

    def line_col(self, offset: int) -> tuple[int, int]:
        if self._starts is None and self._lookups < self.DIRECT_LOOKUPS:
            self._lookups += 1
            text: Any = self.text
            newline = b"\n" if isinstance(text, bytes) else "\n"
            return text.count(newline, 0, offset) + 1, offset - (text.rfind(newline, 0, offset) + 1) + 1
        starts = self.starts
        line = bisect.bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    def offset(self, line: int, column: int) -> int:
        starts = self.starts
        line = min(max(line, 1), len(starts))
        return min(starts[line - 1] + max(column, 1) - 1, len(self.text))

    def line_text(self, line: int) -> Any:
        """The text of a line, without its line break or a ``\\r`` before it (empty past the end)."""
        starts = self.starts
        if not 1 <= line <= len(starts):
            return self.text[:0]
        start = starts[line - 1]
        end = starts[line] - 1 if line < len(starts) else len(self.text)
        text: Any = self.text
        return text[start:end].rstrip(b"\r" if isinstance(text, bytes) else "\r")


def line_col(text: str | bytes, offset: int) -> tuple[int, int]:
    """1-based (line, column) of one offset (several lookups in one text: keep a :class:`LineIndex`)."""
    return LineIndex(text).line_col(offset)


class NotUTF8(ValueError):
    """Input bytes that are not UTF-8: where the first offending byte is (a byte column)."""

    def __init__(self, offset: int, line: int, column: int) -> None:
        super().__init__(f"not valid UTF-8 at line {line}, column {column}")
        self.offset = offset
        self.line = line
        self.column = column


def decode(data: str | bytes | bytearray) -> str:
    """The text of an input: bytes decoded as UTF-8, a leading byte-order mark dropped. Raises NotUTF8."""
    if isinstance(data, bytes | bytearray):
        raw = bytes(data)
        try:
            data = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line, column = line_col(raw, exc.start)
            raise NotUTF8(exc.start, line, column) from None
    return data.removeprefix("\ufeff")


def decode_or_raise(
    data: str | bytes | bytearray,
    *,
    error: type[TamisError],
    source: str | None,
    rule: str,
    located: bool = True,
) -> str:
    """:func:`decode`, raising ``error("input is not valid UTF-8")`` for undecodable bytes; ``located``
    puts the first bad byte's line and column on it (readers that never reported one keep not doing so)."""
    try:
        return decode(data)
    except NotUTF8 as exc:
        line, column = (exc.line, exc.column) if located else (None, None)
        raise error("input is not valid UTF-8", line=line, column=column, source=source, rule=rule) from None
