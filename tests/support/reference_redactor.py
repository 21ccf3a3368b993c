"""Deliberately plain references for property tests of the data-protection runtime.

``reference_deidentify``: character by character, each character takes the strongest operation of
any finding covering it (redact over mask; within a merged run, the leftmost finding's mask
character), then masked characters are replaced and redacted ones dropped.

``reference_scan``: no RE2 set, no keyword pass, no windows: every detector's pattern is searched
over the whole message, every keyword is looked for at every position (a space in a keyword
matching nothing, ' ', '_' or '-'), and a candidate is kept when its check holds and a keyword lies
within the window.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

import re2

from tamis.runtime.redact.detector import Detector
from tamis.runtime.redact.keywords import KEYWORD_WINDOW

STRENGTH = {"mask": 1, "redact": 2}


def merged_runs(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of half-open intervals, by brute force over positions."""
    covered: set[int] = set()
    for s, e in spans:
        covered.update(range(s, e))
    runs: list[tuple[int, int]] = []
    for pos in sorted(covered):
        if runs and runs[-1][1] == pos:
            runs[-1] = (runs[-1][0], pos + 1)
        else:
            runs.append((pos, pos + 1))
    return runs


def reference_deidentify(
    text: str,
    findings: Sequence[tuple[str, int, int]],
    operations: dict[str, tuple[str, str]],
) -> str:
    """``operations`` maps identifier -> (operation, mask character); others are left alone."""
    # Sorted like the documented rule: within a merged run, the leftmost finding's mask character.
    relevant = sorted(
        ((ident, s, e) for ident, s, e in findings if ident in operations and s < e),
        key=lambda f: (f[1], f[2], *operations[f[0]]),
    )
    runs = merged_runs((s, e) for _, s, e in relevant)
    out = []
    pos = 0
    for rs, re_ in runs:
        out.append(text[pos:rs])
        best: tuple[str, str] | None = None
        for ident, s, e in relevant:
            if s < re_ and rs < e:
                op = operations[ident]
                if best is None or STRENGTH[op[0]] > STRENGTH[best[0]]:
                    best = op
        assert best is not None
        if best[0] == "mask":
            out.append(best[1] * (re_ - rs))
        pos = re_
    out.append(text[pos:])
    return "".join(out)


def _keyword_ends(text: str, pos: int, keyword: str) -> list[int]:
    """Every end of ``keyword`` matched at ``pos`` (case-insensitive, flexible separators)."""
    ends: list[int] = []

    def walk(i: int, k: int) -> None:
        if k == len(keyword):
            ends.append(i)
            return
        ch = keyword[k]
        if ch == " ":
            walk(i, k + 1)  # no separator
            if i < len(text) and text[i] in " _-":
                walk(i + 1, k + 1)
            return
        if i < len(text) and text[i].lower() == ch:
            walk(i + 1, k + 1)

    walk(pos, 0)
    return ends


def _lower(ch: str) -> bool:
    return unicodedata.category(ch) == "Ll"


def _upper(ch: str) -> bool:
    return unicodedata.category(ch) == "Lu"


def _starts_word(text: str, pos: int) -> bool:
    if pos == 0 or not text[pos - 1].isalnum():
        return True
    return _lower(text[pos - 1]) and _upper(text[pos])


def _ends_word(text: str, start: int, end: int) -> bool:
    if end >= len(text) or not text[end].isalnum() or not text[end - 1].isalnum():
        return True
    if _lower(text[end - 1]) and _upper(text[end]):
        return True
    last = text[start:end].replace("_", " ").replace("-", " ").split(" ")[-1]
    return len(last) == 1


def keyword_spans(text: str, keywords: tuple[str, ...]) -> list[tuple[int, int]]:
    out = []
    kws = {k.lower().strip() for k in keywords if k.strip()}
    for pos in range(len(text)):
        if not _starts_word(text, pos):
            continue
        for kw in kws:
            for end in _keyword_ends(text, pos, kw):
                if end > pos and _ends_word(text, pos, end):
                    out.append((pos, end))
    return out


def blank_escapes(text: str) -> str:
    """Left to right, as a JSON reader would: each backslash escape becomes spaces of its length."""
    out, i, n = [], 0, len(text)
    while i < n:
        if text[i] == "\\" and i + 1 < n and text[i + 1] in '\\"/bfnrt':
            out.append("  ")
            i += 2
        elif (
            text[i] == "\\"
            and text[i + 1 : i + 2] == "u"
            and len(text[i + 2 : i + 6]) == 4
            and all(c in "0123456789abcdefABCDEF" for c in text[i + 2 : i + 6])
        ):
            out.append("      ")
            i += 6
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def reference_scan(text: str, detectors: list[Detector]) -> set[tuple[str, int, int]]:
    text = blank_escapes(text)
    found = set()
    for det in detectors:
        kw = keyword_spans(text, det.keywords) if det.keyword_mode != "none" else []
        for m in re2.finditer(det.pattern, text):
            start, end = m.span(det.group)
            if start < 0 or start == end:
                continue
            if det.exclude and "".join(c for c in text[start:end] if c.isdigit()) in det.exclude:
                continue
            if det.check is not None and not det.check(text, start, end):
                continue
            near = any(
                (ke <= start and start - ke <= KEYWORD_WINDOW) or (ks >= end and ks - end <= KEYWORD_WINDOW)
                for ks, ke in kw
            )
            if det.keyword_mode == "required" and not near:
                continue
            relaxed_fails = det.strict_check is not None and not det.strict_check(text, start, end)
            if det.keyword_mode == "relaxes" and not near and relaxed_fails:
                continue
            found.add((det.name, start, end))
    return found
