"""What a JSON reader sees of a message: its text with every string escape decoded, and the map back.

Detection runs on this view of a JSON message that holds a backslash, so that a value or a keyword spelled
with escapes (``\\u0034539...``, ``\\u0040`` for "@", ``\\u002d`` for "-") is found as any JSON reader
downstream would read it. Each finding is mapped back to the raw message's characters, covering whole
escape sequences, so that masking or removing it leaves no spelling of the value and no half escape: the
output stays valid JSON (json_rewrite.py rewrites inside string literals only).

In valid JSON a backslash occurs only inside a string and always starts an escape, so the view is made by
reading the escapes left to right; structure and plain characters are kept as they are.
"""

from __future__ import annotations

import bisect
from typing import NamedTuple

import orjson

from tamis.runtime.redact.detector import Finding

_SIMPLE = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_HEX = frozenset("0123456789abcdefABCDEF")


class DecodedJson(NamedTuple):
    """A JSON message's decoded view: ``text``, and for each run of it where the two differ (an escape) or
    agree (plain text), where it starts in the view and in the raw message (``view_starts``, ``raw_starts``),
    with ``widths``: the raw length of an escape's one decoded character, 0 for a plain run."""

    text: str
    view_starts: list[int]
    raw_starts: list[int]
    widths: list[int]

    def raw_start(self, at: int) -> int:
        """The raw offset where the view's character ``at`` starts (an escape's backslash)."""
        k = bisect.bisect_right(self.view_starts, at) - 1
        return self.raw_starts[k] + (at - self.view_starts[k] if self.widths[k] == 0 else 0)

    def raw_end(self, at: int) -> int:
        """The raw offset where the view's characters before ``at`` end (after a whole escape)."""
        if at == 0:
            return 0
        k = bisect.bisect_right(self.view_starts, at - 1) - 1
        width = self.widths[k]
        return self.raw_starts[k] + (at - self.view_starts[k] if width == 0 else width)

    def raw_findings(self, found: list[Finding]) -> list[Finding]:
        """The findings in the raw message's offsets, in the same order (the map keeps order)."""
        return [
            tuple.__new__(Finding, (f.identifier, self.raw_start(f.start), self.raw_end(f.end)))
            for f in found
        ]


def looks_like_json(message: str) -> bool:
    """Starts like a JSON object or array (what json_rewrite.py treats as JSON once it parses)."""
    return message.lstrip()[:1] in ("{", "[")


def decoded_json(message: str) -> DecodedJson | None:
    """The decoded view of a JSON message that holds a backslash; None when the message is not JSON (it is
    then scanned as it is, escapes made neutral)."""
    try:
        orjson.loads(message)
    except (orjson.JSONDecodeError, UnicodeEncodeError):
        return None
    parts: list[str] = []
    view_starts: list[int] = []
    raw_starts: list[int] = []
    widths: list[int] = []
    view = raw = 0
    n = len(message)
    while True:
        b = message.find("\\", raw)
        stop = n if b < 0 else b
        if stop > raw:  # a plain run
            parts.append(message[raw:stop])
            view_starts.append(view)
            raw_starts.append(raw)
            widths.append(0)
            view += stop - raw
        if b < 0:
            break
        kind = message[b + 1]
        if kind != "u":
            char, width = _SIMPLE[kind], 2
        else:
            code = int(message[b + 2 : b + 6], 16)
            width = 6
            if (
                0xD800 <= code < 0xDC00
                and message[b + 6 : b + 8] == "\\u"
                and _HEX.issuperset(message[b + 8 : b + 12])
            ):
                low = int(message[b + 8 : b + 12], 16)
                if 0xDC00 <= low < 0xE000:  # a surrogate pair: one character
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    width = 12
            char = chr(code)
        parts.append(char)
        view_starts.append(view)
        raw_starts.append(b)
        widths.append(width)
        view += 1
        raw = b + width
    return DecodedJson("".join(parts), view_starts, raw_starts, widths)
