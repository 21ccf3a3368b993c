""" "Did you mean" hints for a name that is not one of the names a rule allows (operators, fields,
identifier names, state names), shared by every language's compiler."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The allowed name ``word`` most likely misspells: one differing only in case, else the closest by
    edit similarity (difflib's ratio of at least 0.75: one or two letters wrong, missing or swapped)."""
    names = [c for c in candidates if c != word]
    folded = word.casefold()
    for name in names:
        if name.casefold() == folded:
            return name
    match = difflib.get_close_matches(word, names, n=1, cutoff=0.75)
    return match[0] if match else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """``'; did you mean "X"?'`` for the closest allowed name, or ``""`` when none is close."""
    name = closest(word, candidates)
    return f'; did you mean "{name}"?' if name is not None else ""
