"""What the scanner takes and gives: ``Detector`` (how to find one identifier, with its ``SearchHints``)
and ``Finding`` (one value found), with ``Found``, the findings of one scan as either engine holds them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

# A check takes the message and a candidate's character span and says whether it stands (checks.py).
Check = Callable[[str, int, int], bool]


class Finding(NamedTuple):
    """One detected value: identifier name and character offsets ``[start, end)`` in the message."""

    identifier: str
    start: int
    end: int


class Found(Protocol):
    """The findings of one scan (``Scanner.find``): the native core's records, or ``FoundList``."""

    def __len__(self) -> int: ...

    def findings(self) -> list[Finding]:
        """A new list of the findings, sorted as ``Scanner.scan`` sorts them."""
        ...

    def identifiers(self) -> frozenset[str]:
        """The names of the identifiers found."""
        ...


class FoundList:
    """Findings the Python path made, behind the interface of the native core's records."""

    __slots__ = ("_found",)

    def __init__(self, found: list[Finding]) -> None:
        self._found = found

    def __len__(self) -> int:
        return len(self._found)

    def findings(self) -> list[Finding]:
        return list(self._found)

    def identifiers(self) -> frozenset[str]:
        return frozenset(f.identifier for f in self._found)


class SearchHints(NamedTuple):
    """What the native core may assume about every match of one of tamis's own patterns.

    ``required``: characters of which every match holds at least ``count`` (count 0: nothing known);
    ``alphabet``: every character a match can hold (empty: unknown); ``run_alphabet``: every character the
    value (the reported group) can hold, when the value alone holds ``count`` required characters (empty:
    unknown), so ``count`` of them lie in one run of those characters; ``run_lead`` (empty: unknown): the
    characters that may not come just before the value, when they include the whole run alphabet (the
    value then starts where its run does, after none of them). With the longest match these bound where
    a search can find anything; results are the same, only less text is read. ``value_lead`` (empty:
    unknown): for a pattern ``(?:^|[^E])(value)`` that ends with its value (nothing after it but ``\\b``
    or ``$``) and whose value starts with a character of E, that set E: the value is then the whole match
    less its first character when that one is outside E, so the core asks RE2 for the match alone (a
    search that reports a group costs about three times as much). ``word_start`` (empty: unknown): for a
    pattern that starts with ``\\b`` and then one of these word characters, those characters: a match
    starts only at one of them that follows no word character (a search anchored there costs half an
    unanchored one). ``streak_min`` and ``streak_max`` (-1: unknown), with a word start: a match starts
    with that many ``required`` characters in a row, and the text's run of them there is no longer (the
    match goes on with another character, or ends where ``\\b`` says the run does).
    """

    required: frozenset[str]
    count: int
    alphabet: frozenset[str]
    run_alphabet: frozenset[str] = frozenset()
    run_lead: frozenset[str] = frozenset()
    value_lead: frozenset[str] = frozenset()
    word_start: frozenset[str] = frozenset()
    streak_min: int = 0
    streak_max: int = -1


NO_HINTS = SearchHints(frozenset(), 0, frozenset())


@dataclass(frozen=True)
class Detector:
    """How to find one identifier.

    ``pattern`` is RE2 syntax; ``group`` selects the value when the pattern carries leading context.
    ``keyword_mode``: ``"none"`` (no keyword needed), ``"required"`` (a keyword within the window),
    ``"relaxes"`` (without a keyword, ``strict_check`` must also hold: PhoneNumber's country code).
    """

    name: str
    pattern: str
    group: int = 0
    check: Check | None = None
    keywords: tuple[str, ...] = ()
    keyword_mode: str = "none"
    strict_check: Check | None = None
    exclude: frozenset[str] = field(default_factory=frozenset)
    max_len: int | None = None  # longest possible match in characters, when bounded and known
    max_bytes: int | None = None  # the same in UTF-8 bytes
    # What every match holds (tamis's own patterns only). With ``max_len`` it bounds where a search can
    # find anything: the native core searches only there; results are the same.
    hints: SearchHints = NO_HINTS
