"""equals-ignore-case as the services implement it.

Each UTF-16 unit of the rule's text may appear in the event as its lower-case or its upper-case form
(Java's ``toLowerCase``/``toUpperCase`` with the root locale, which may expand: ``ß`` upper-cases to
``SS``). This is not Unicode case folding: ``ß`` matches ``SS`` but not ``ss``, and a character outside
the Basic Multilingual Plane is two lone surrogates that UTF-8 encoding turns into ``??``.
"""

from __future__ import annotations

import re2


def _units(text: str) -> list[str]:
    out = []
    for ch in text:
        if ord(ch) > 0xFFFF or 0xD800 <= ord(ch) <= 0xDFFF:
            out.extend("?" * (2 if ord(ch) > 0xFFFF else 1))
        else:
            out.append(ch)
    return out


def ignore_case_regex(text: str, mode: str = "eq") -> str:
    """RE2 source matching what an ignore-case rule matches; ``mode`` is eq, prefix or suffix."""
    parts = []
    for unit in _units(text):
        forms = sorted({unit.lower(), unit.upper()} if unit != "?" else {"?"})
        if len(forms) == 1:
            parts.append(re2.escape(forms[0]))
        else:
            parts.append("(?:" + "|".join(re2.escape(f) for f in forms) + ")")
    body = "".join(parts)
    if mode == "prefix":
        return "^" + body
    if mode == "suffix":
        return body + "$"
    return body


def fold(s: str) -> str:
    """Each character of ``s`` lower-cased on its own (no context, so no final-sigma rule)."""
    return s.lower() if s.isascii() else "".join(ch.lower() for ch in s)


def fold_key(text: str) -> str | None:
    """The ``fold`` that every string an equals-ignore-case rule on ``text`` matches shares, or None when
    its forms do not fold alike (``ß``: "ß" and "SS"). Each unit's lower and upper form must fold to the
    same text; then a matching string, a run of such forms, folds to their concatenation. A string with
    that fold is a candidate only: the rule's regex decides (a title-case letter folds alike too)."""
    key = []
    for unit in _units(text):
        if unit == "?":
            key.append("?")
            continue
        low, up = fold(unit.lower()), fold(unit.upper())
        if low != up:
            return None
        key.append(low)
    return "".join(key)
