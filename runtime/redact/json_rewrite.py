"""Rewriting a message's de-identified spans so that a JSON message stays valid JSON.

In a JSON message a span is only ever rewritten inside string literals (whole escape sequences: a span is
widened rather than cut through ``\\n`` or ``\\u00e9``) or as a whole number token (masked as a string of
mask characters, redacted as ``""``); the structure around them is left alone. Any other message is
spliced as it is. The spans come merged and sorted (``redactor.merged_spans``).
"""

from __future__ import annotations

import bisect
import itertools

import orjson

# Strength of the de-identifying operations: merged spans take the strongest.
STRENGTH = {"mask": 1, "redact": 2}


def rewrite(message: str, spans: list[tuple[int, int, str, str]]) -> str:
    stripped = message.lstrip()
    if stripped[:1] in ("{", "["):
        # When every span lies inside one string literal, away from quotes and escapes, the JSON
        # rewrite would cut exactly the spans: the result is the same JSON or not, so the
        # (whole-message) JSON validation is not needed.
        plain = splice_inside_plain_strings(message, spans)
        if plain is not None:
            return plain
        if is_json(message):
            return _rewrite_json(message, spans)
    return splice(message, spans)


def _rewrite_json(message: str, spans: list[tuple[int, int, str, str]]) -> str:
    if "\\\\" in message:  # escaped backslashes: locate every string delimiter exactly
        return _rewrite_json_slow(message, spans)
    # Fast path: without "\\\\", a quote is escaped exactly when a backslash precedes it, so the
    # parity of delimiters before any point is a count of '"' minus a count of '\\"' (C speed).
    pieces: list[tuple[int, int, str, str]] = []
    scanned, inside = 0, False
    n = len(message)
    backslash = "\\" in message
    for s, e, op, ch in spans:
        if s > scanned:
            quotes = message.count('"', scanned, s)
            if backslash:
                quotes -= message.count('\\"', max(0, scanned - 1), s)
            inside ^= quotes % 2 == 1
            scanned = s
        cursor = s
        while cursor < e:
            if message[cursor] == '"' and (cursor == 0 or message[cursor - 1] != "\\"):
                inside = not inside  # a delimiter itself is never rewritten
                cursor += 1
                continue
            q = message.find('"', cursor)
            while backslash and q > 0 and message[q - 1] == "\\":
                q = message.find('"', q + 1)
            seg_end = min(e, q if q >= 0 else n)
            if inside:
                cs, ce = cursor, seg_end
                if backslash and "\\" in message[max(0, cs - 6) : ce + 6]:
                    start = message.rfind('"', 0, cs)
                    while start > 0 and message[start - 1] == "\\":
                        start = message.rfind('"', 0, start)
                    cs, ce = _escape_aligned(message, start + 1, q if q >= 0 else n, cs, ce)
                pieces.append((cs, ce, op, ch))
            else:
                _number_pieces(message, cursor, seg_end, op, ch, pieces)
            cursor = seg_end
        scanned = max(scanned, cursor)
    return splice(message, _merge_pieces(pieces))


def _rewrite_json_slow(message: str, spans: list[tuple[int, int, str, str]]) -> str:
    quotes = _quote_positions(message)
    pieces: list[tuple[int, int, str, str]] = []
    for s, e, op, ch in spans:
        pos = s
        while pos < e:
            k = bisect.bisect_right(quotes, pos)  # quotes at or before pos
            if k and quotes[k - 1] == pos:  # a string delimiter itself: never rewritten
                pos += 1
                continue
            if k % 2 == 1:  # inside a string literal opened at quotes[k-1]
                close = quotes[k] if k < len(quotes) else len(message)
                seg_end = min(e, close)
                cs, ce = _escape_aligned(message, quotes[k - 1] + 1, close, pos, seg_end)
                pieces.append((cs, ce, op, ch))
                pos = seg_end if seg_end > pos else pos + 1
            else:  # outside strings: rewrite whole number tokens, leave structure alone
                seg_end = min(e, quotes[k] if k < len(quotes) else len(message))
                _number_pieces(message, pos, seg_end, op, ch, pieces)
                pos = seg_end
    return splice(message, _merge_pieces(pieces))


def splice_inside_plain_strings(message: str, spans: list[tuple[int, int, str, str]]) -> str | None:
    """``splice(message, spans)`` when, read as JSON, each span lies inside a string literal with no
    quote in it and no backslash within six characters (what ``_rewrite_json``'s fast path leaves
    exactly as it is); None otherwise.

    The parity of delimiters is counted as ``_rewrite_json``'s fast path counts it (a quote is escaped
    exactly when a backslash precedes it, true when the text holds no escaped backslash).
    """
    if "\\\\" in message:
        return None
    backslash = "\\" in message
    count, find = message.count, message.find
    scanned, inside = 0, False
    parts: list[str] = []
    append = parts.append
    for s, e, op, ch in spans:
        if s > scanned:
            quotes = count('"', scanned, s)
            if backslash:
                quotes -= count('\\"', max(0, scanned - 1), s)
            inside ^= quotes % 2 == 1
        if not inside or find('"', s, e) >= 0:
            return None
        if backslash and "\\" in message[max(0, s - 6) : e + 6]:
            return None
        append(message[scanned:s])
        if op == "mask":
            append(ch * (e - s))
        scanned = e
    append(message[scanned:])
    return "".join(parts)


_NUMBER_CHARS = frozenset("0123456789+-.eE")


def _number_pieces(
    message: str, start: int, end: int, op: str, ch: str, pieces: list[tuple[int, int, str, str]]
) -> None:
    """Whole number tokens touched by ``[start, end)`` outside strings (structure is left alone)."""
    i = start
    while i < end:
        if message[i] in _NUMBER_CHARS:
            ts = i
            while ts > 0 and message[ts - 1] in _NUMBER_CHARS:
                ts -= 1
            te = i
            while te < len(message) and message[te] in _NUMBER_CHARS:
                te += 1
            pieces.append((ts, te, "json-" + op, ch))
            i = te
        else:
            i += 1


def _quote_positions(message: str) -> list[int]:
    """Offsets of the unescaped double quotes of a JSON text (string delimiters), in order."""
    pieces = message.split('"')
    positions = list(itertools.accumulate(len(p) + 1 for p in pieces[:-1]))
    quotes = [p - 1 for p in positions]
    if "\\" not in message:
        return quotes
    # A quote preceded by an odd run of backslashes is escaped: it is part of a string, not a delimiter.
    out = []
    for q in quotes:
        run = 0
        while q - run - 1 >= 0 and message[q - run - 1] == "\\":
            run += 1
        if run % 2 == 0:
            out.append(q)
    return out


def is_json(message: str) -> bool:
    try:
        orjson.loads(message)
    except (orjson.JSONDecodeError, UnicodeEncodeError):
        return False
    return True


def _escape_covering(text: str, lo: int, p: int) -> tuple[int, int] | None:
    """The JSON escape sequence (``\\n``, ``\\u00e9``) strictly around position ``p``, if any.

    Local: only the few characters before ``p`` are looked at, so rewriting stays linear.
    """
    for j in range(p - 1, max(lo, p - 6) - 1, -1):
        if text[j] != "\\":
            continue
        k = j
        while k > lo and text[k - 1] == "\\":
            k -= 1
        if (j - k) % 2 == 0:  # an even run of backslashes before j: j starts an escape
            width = 6 if text[j + 1 : j + 2] == "u" else 2
            if j < p < j + width:
                return j, j + width
    return None


def _escape_aligned(text: str, content_start: int, content_end: int, s: int, e: int) -> tuple[int, int]:
    """Widen ``[s, e)`` so that it never cuts a JSON escape sequence (``\\n``, ``\\u00e9``) in two."""
    around = _escape_covering(text, content_start, s)
    if around is not None:
        s = around[0]
    around = _escape_covering(text, content_start, e)
    if around is not None:
        e = min(around[1], content_end)
    return s, e


def _merge_pieces(pieces: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    pieces.sort()
    out: list[tuple[int, int, str, str]] = []
    for p in pieces:
        if out and p[0] < out[-1][1]:
            ps, pe, pop, pch = out[-1]
            if STRENGTH[p[2].removeprefix("json-")] > STRENGTH[pop.removeprefix("json-")]:
                pop, pch = p[2], p[3]  # the stronger operation wins, as for findings
            out[-1] = (ps, max(pe, p[1]), pop, pch)
        else:
            out.append(p)
    return out


def splice(message: str, spans: list[tuple[int, int, str, str]]) -> str:
    parts: list[str] = []
    append = parts.append
    pos = 0
    for s, e, op, ch in spans:
        append(message[pos:s])
        n = e - s
        if op == "mask":
            append(ch * n)
        elif op == "json-mask":
            append('"' + ch * (n - 2) + '"' if n >= 2 else "0")
        elif op == "json-redact":
            append('""')
        # "redact": nothing
        pos = e
    parts.append(message[pos:])
    return "".join(parts)
