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
