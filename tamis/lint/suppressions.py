"""Inline suppressions: ``# tamis: ignore`` and ``# tamis: ignore[CODE, PREFIX*]`` comments (``//`` too) in
the YAML and Terraform files where findings are reported, and whether one silences a finding. Old spellings
of codes still silence their findings; :func:`deprecated_spellings` finds them for the run to note.
"""

from __future__ import annotations

from tamis.errors import Diagnostic
from tamis.lint.config import canonical_code, code_listed, unknown_spelling

_MARKER = "tamis: ignore"


def parse_suppressions(text: str) -> dict[int, set[str] | None]:
    """Line -> codes silenced there (None: every code), from ``# tamis: ignore[CODE, ...]`` comments.

    A comment at the end of a line covers that line; a comment on a line of its own also covers the next
    line that is not blank or a comment. A silenced line that starts a value (a property key) covers the
    whole value, through each finding's anchor lines.
    """
    out: dict[int, set[str] | None] = {}
    if _MARKER not in text:
        return out
    lines = text.split("\n")
    for n, line in enumerate(lines, start=1):
        at = line.find(_MARKER)
        if at < 0:
            continue
        before = line[:at].rstrip()
        if not (before.endswith("#") or before.endswith("//")):
            continue
        rest = line[at + len(_MARKER) :]
        codes: set[str] | None = None
        if rest.startswith("["):
            close = rest.find("]")
            codes = {c.strip() for c in rest[1 : close if close > 0 else len(rest)].split(",") if c.strip()}
        targets = [n]
        comment_start = before[:-2].rstrip() if before.endswith("//") else before[:-1].rstrip()
        if not comment_start:  # a comment line of its own: it also covers the next code line
            for m in range(n + 1, len(lines) + 1):
                s = lines[m - 1].strip()
                if s and not s.startswith(("#", "//")):
                    targets.append(m)
                    break
        for t in targets:
            if t in out and out[t] is None:
                continue
            out[t] = None if codes is None else (out.get(t) or set()) | codes
    return out


def deprecated_spellings(text: str) -> list[tuple[int, int, str, str]]:
    """(line, column, old, new) of each old spelling of a code in a suppression comment of ``text``."""
    return [(n, c, spelling, new) for n, c, spelling, new, _ in _spellings(text) if new]


def unknown_spellings(text: str) -> list[tuple[int, int, str, str]]:
    """(line, column, spelling, why) of each code in a suppression comment of ``text`` that names none."""
    return [(n, c, spelling, why) for n, c, spelling, _, why in _spellings(text) if why]


def _spellings(text: str) -> list[tuple[int, int, str, str, str]]:
    """(line, column, spelling, new code if old spelling else "", why unknown else "") of each code."""
    out: list[tuple[int, int, str, str, str]] = []
    if _MARKER not in text:
        return out
    for n, line in enumerate(text.split("\n"), start=1):
        at = line.find(_MARKER + "[")
        if at < 0:
            continue
        start = at + len(_MARKER) + 1
        close = line.find("]", start)
        inside = line[start : close if close > 0 else len(line)]
        offset = start
        for part in inside.split(","):
            spelling = part.strip()
            if spelling:
                new, old = canonical_code(spelling)
                why = unknown_spelling(spelling) or ""
                if old or why:
                    column = offset + part.find(spelling) + 1
                    out.append((n, column, spelling, ", ".join(new) if old else "", why))
            offset += len(part) + 1
    return out


def is_suppressed(d: Diagnostic, sup: dict[int, set[str] | None]) -> bool:
    """Whether a comment silences ``d``: on its own line or on one of its anchor lines (the key that
    starts the value it was found in)."""
    lines = [d.line] if d.line is not None else []
    lines.extend(d.extra.get("anchor_lines", ()) if d.extra else ())
    for line in lines:
        if line in sup:
            codes = sup[line]
            if codes is None or code_listed(d.code, codes):
                return True
    return False
