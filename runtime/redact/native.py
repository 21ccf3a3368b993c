"""The native core's interface (``_redact``, built from runtime/redact/core/): every table handed to it.

The core is optional: where the extension did not build, or ``TAMIS_NATIVE=0``, the Python modules run
alone (``USE_NATIVE``). All that crosses the boundary is built here and read by core/module.cc:

``_redact.Scanner(detectors, keyword_spellings, keyword_owner, max_mem, finding_type, keyword_window,
longest_keyword, anchor_min_range, keyword_pattern, keyword_hit, keyword_variants)``, built
by ``scanner_core``:

- ``detectors``: one ``DetectorRow`` per detector, in the scanner's order (the fields are documented
  there: pattern, group, keyword mode, check and strict check as native code and Python function, reach,
  excluded values, name and its rank, the ``SearchHints`` as ASCII strings and ints, the longest match);
- ``keyword_spellings``: ``keywords.keyword_spellings`` of every keyword of the policy (a tuple of
  lower-case str), or None when no detector takes keywords;
- ``keyword_owner``: normalised keyword (``keywords.norm_keyword``) -> tuple of the indices of the
  detectors it serves;
- ``max_mem``: RE2's memory budget per pattern (the set's: that times the number of detectors);
- ``finding_type``: ``Finding``, the tuple subclass findings are built as;
- ``keyword_window``, ``longest_keyword``, ``anchor_min_range``: ``keywords.KEYWORD_WINDOW``,
  ``keywords.LONGEST_KEYWORD`` and ``ANCHOR_MIN_RANGE`` (below);
- ``keyword_pattern``: ``keywords.keyword_regex`` as UTF-8 bytes (None without keywords): in a text that is
  not ASCII the core asks it, anchored, where its trie cannot decide a hit;
- ``keyword_hit``: ``keywords.keyword_hit`` bound to that regex and the owners (``_keyword_hit``), called
  with (UTF-8 bytes, hit start, hit end) for such a hit, or one with characters that are not ASCII around it;
- ``keyword_variants``: ``keywords.keyword_variants`` (a dict of str): each keyword character -> the
  characters that are not ASCII a case-insensitive match also takes for it. The core keeps, per trie node,
  those of its next characters: where a walk in UTF-8 text stops at one of them, it asks the regex.

Any text is scanned: ASCII as it is, any other as UTF-8 (a text with a lone surrogate has none and goes to
the Python path), its byte offsets made characters by one count per scan; the keyword windows are
``reach`` characters as in scanner.py, and a detector whose hints hold a character that is not ASCII is
searched without them there.

Its methods: ``find(text, allowed)`` -> a ``Found`` held natively, or None for a text with a lone surrogate;
``scan(text, allowed, explain=False)`` -> the sorted findings (with ``explain``, also whether the RE2 set
pass ran and the budget left); ``keyword_hits(text)`` -> per detector its keyword spans;
``set_members()`` -> the detectors the set pass must rule in first. ``keyword_hits`` gives byte offsets of the
UTF-8 text. ``allowed`` is ``allowed_mask``: one
byte per detector, non-zero where its identifier applies, or None for all.

``_redact.rewrite(message, findings, operations)`` -> the message with the findings merged and spliced, or
None where the Python steps must decide; ``findings``: a list of ``Finding`` or a ``Found``;
``operations``: identifier -> ("mask" | "redact", mask character). ``_redact.check(code, text, start,
end)`` -> 1 holds, 0 fails, -1 left to the Python check (``NATIVE_CHECKS`` gives the codes).
``_redact.lone_surrogate(text)`` -> the index of the first lone surrogate, or None (``lone_surrogate``).

Twins (the C++ function follows the Python one step by step; tests/data_protection/test_redact_native.py
holds each pair to the same results):

- core/redact.h ``KeywordTrie`` (with ``keyword_context``) <-> keywords.py ``keyword_regex``;
  core/keywords.cc ``build_trie`` <-> ``keyword_spellings``; ``keyword_bounded`` <-> ``keyword_bounded``;
  ``keyword_hits`` <-> scanner.py ``Scanner._keyword_hits_ascii`` (its shorter-keyword step, through
  ``KeywordTrie::match_at``, <-> keywords.py ``shorter_keyword``); ``keyword_hits_utf8`` (with
  ``next_hit_utf8``) <-> ``Scanner._keyword_hits`` (keywords.py ``keyword_spans`` and ``keyword_hit``, the
  latter called back for the hits the trie leaves);
- core/redact.h ``CharIndex`` <-> scanner.py ``_OffsetMap`` (and the windows' ``encode`` in ``_scan_python``);
- core/redact.h ``Near`` <-> keywords.py ``near_sorted``;
- core/search.cc ``search_from`` (and ``spans_into`` around it) <-> search.py ``spans_into``;
- core/scanner.cc ``scan_into`` <-> scanner.py ``Scanner._scan_python``;
- core/checks.cc ``native_check`` <-> checks.py, code by code (``NATIVE_CHECKS``); within it ``luhn_ok``
  <-> ``luhn_ok``, ``standalone_number`` <-> ``_standalone_number``, ``issuer_ok`` <-> ``_issuer_ok``,
  ``vin_value`` <-> ``_VIN_VALUES``, ``country_code_at`` <-> ``has_country_code``;
- core/module.cc ``lone_surrogate`` <-> runtime/json_values.py ``lone_surrogate``;
- core/rewrite.cc ``rewrite`` <-> redactor.py ``merged_spans`` then json_rewrite.py
  ``splice_inside_plain_strings`` (a message that starts like JSON) or ``splice`` (any other).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import re2

from tamis.runtime import NATIVE_ALLOWED, cores, json_values
from tamis.runtime.redact.checks import (
    check_aws_secret,
    check_credit_card,
    check_email,
    check_expiry,
    check_has_digit,
    check_ipv4,
    check_luhn,
    check_number,
    check_phone_any,
    check_phone_nanp,
    check_ssn_us,
    check_vin,
    has_country_code,
)
from tamis.runtime.redact.detector import Check, Detector, Finding, SearchHints
from tamis.runtime.redact.keywords import (
    KEYWORD_WINDOW,
    LONGEST_KEYWORD,
    keyword_hit,
    keyword_spellings,
    keyword_variants,
)
from tamis.runtime.redact.search import re2_options

UNAVAILABLE = ""  # why the core did not load, where it did not
try:  # the native core (runtime/redact/core/, on the RE2 inside the google-re2 wheel)
    from tamis.runtime.redact import _redact
except ImportError as exc:
    _redact = None  # type: ignore[assignment]
    UNAVAILABLE = cores.unavailable(cores.REDACTOR, exc)

# Whether scanners built from now on use the native core (tests switch it off to check the Python path).
# TAMIS_NATIVE=0 in the environment turns it off for the whole process (tamis.runtime.NATIVE_ALLOWED).
USE_NATIVE = _redact is not None and NATIVE_ALLOWED

# The native core looks for anchors (see SearchHints) only in ranges at least this long (bytes): in a
# keyword's window, about 100 bytes, finding them costs about what the shorter searches save.
ANCHOR_MIN_RANGE = 512

# Checks the native core runs itself (enum Check in core/redact.h: 0 is no check, 1 a call back into the
# Python check); any other check is called from there.
NATIVE_CHECKS: dict[Check, int] = {
    check_credit_card: 2,
    check_luhn: 3,
    check_number: 4,
    check_ssn_us: 5,
    check_ipv4: 6,
    check_phone_nanp: 7,
    check_phone_any: 8,
    check_vin: 9,
    check_expiry: 10,
    check_email: 11,
    check_aws_secret: 12,
    check_has_digit: 13,
    has_country_code: 14,
}

# Detector.keyword_mode -> enum Mode in core/redact.h
MODES = {"none": 0, "required": 1, "relaxes": 2}


class DetectorRow(NamedTuple):
    """One detector as ``_redact.Scanner`` reads it (core/module.cc ``scanner_init``, in this order)."""

    pattern: bytes  # the RE2 pattern, UTF-8
    group: int  # the group that holds the value, 0-9
    mode: int  # MODES[Detector.keyword_mode]
    check: int  # check_code(Detector.check)
    check_fn: Check | None  # the Python check, called where the code is 1 or the native form is undecided
    strict: int  # check_code(Detector.strict_check)
    strict_fn: Check | None
    reach: int  # characters around a keyword searched for a value: keyword window + longest value + 2
    exclude: tuple[str, ...]  # values never reported
    rank: int  # the name's position in sorted order: findings sort by (start, -end, name)
    name: str
    # Detector.hints, their ASCII characters only (a match in ASCII text holds ``count`` of those)
    required: str
    count: int
    alphabet: str
    run_alphabet: str
    run_lead: str
    value_lead: str
    word_start: str
    streak_min: int
    streak_max: int
    max_len: int  # Detector.max_len, -1 when unknown
    max_bytes: int  # Detector.max_bytes, -1 when unknown
    # Every character of the hints above was ASCII: they then hold in any text (in a text that is not ASCII
    # the core searches a detector without its hints otherwise)
    hints_ascii: bool


def lone_surrogate(text: str) -> int | None:
    """``json_values.lone_surrogate`` on the core where it loaded: the Python definition encodes the whole
    text to find out, which for a message that is not ASCII costs more than the core's whole scan."""
    if USE_NATIVE:
        return _redact.lone_surrogate(text)  # type: ignore[no-any-return]
    return json_values.lone_surrogate(text)


def check_code(check: Check | None) -> int:
    """A check's code for the core: 0 none, 1 the Python check, 2-14 a native form (``NATIVE_CHECKS``)."""
    return 0 if check is None else NATIVE_CHECKS.get(check, 1)


def _ascii(chars: frozenset[str]) -> str:
    """The ASCII ones of a hint's characters, as the native core takes them (its tables are per byte; a
    detector with any other is searched without its hints in a text that is not ASCII: ``hints_ascii``)."""
    return "".join(sorted(c for c in chars if c.isascii()))


def _hints_ascii(hints: SearchHints) -> bool:
    sets = (
        hints.required,
        hints.alphabet,
        hints.run_alphabet,
        hints.run_lead,
        hints.value_lead,
        hints.word_start,
    )
    return all(c.isascii() for chars in sets for c in chars)


def scanner_core(
    detectors: Sequence[Detector],
    reaches: Sequence[int],
    keywords: list[str],
    keyword_owner: Mapping[str, frozenset[int]],
    max_mem: int,
    keyword_pattern: bytes | None,
) -> _redact.Scanner | None:
    """The native scanner of these detectors (``reaches``: each one's, as the Python path computes it);
    None where the core cannot take them (the Python path runs)."""
    spellings = keyword_spellings(keywords) if keywords else None
    if keywords and spellings is None:  # too many for the core's trie
        return None
    ranks = {name: i for i, name in enumerate(sorted({det.name for det in detectors}))}
    rows = []
    for det, reach in zip(detectors, reaches, strict=True):
        mode = MODES.get(det.keyword_mode)
        if mode is None or not 0 <= det.group <= 9:
            return None
        hints = det.hints
        rows.append(
            DetectorRow(
                det.pattern.encode(),
                det.group,
                mode,
                check_code(det.check),
                det.check,
                check_code(det.strict_check),
                det.strict_check,
                reach,
                tuple(det.exclude),
                ranks[det.name],
                det.name,
                _ascii(hints.required),
                hints.count,
                _ascii(hints.alphabet),
                _ascii(hints.run_alphabet),
                _ascii(hints.run_lead),
                _ascii(hints.value_lead),
                _ascii(hints.word_start),
                hints.streak_min,
                hints.streak_max,
                det.max_len if det.max_len is not None else -1,
                det.max_bytes if det.max_bytes is not None else -1,
                _hints_ascii(hints),
            )
        )
    owner = {k: tuple(v) for k, v in keyword_owner.items()}
    hit = None
    if keyword_pattern is not None:
        regex = re2.compile(keyword_pattern, re2_options(max_mem, longest=True))
        hit = functools.partial(_keyword_hit, regex, keyword_owner)
    try:
        return _redact.Scanner(
            rows,
            spellings,
            owner,
            max_mem,
            Finding,
            KEYWORD_WINDOW,
            LONGEST_KEYWORD,
            ANCHOR_MIN_RANGE,
            keyword_pattern if spellings is not None else None,
            hit if spellings is not None else None,
            keyword_variants(keywords) if spellings is not None else {},
        )
    except ValueError:  # a pattern this RE2 build rejects: keep to the binding
        return None


def _keyword_hit(
    regex: re2._Regexp, owner: Mapping[str, frozenset[int]], data: bytes, hit: int, end: int
) -> tuple[int, int, tuple[int, ...]] | None:
    """``keywords.keyword_hit`` as the core takes it back: the detectors as a tuple."""
    got = keyword_hit(regex, owner, data, hit, end)
    return None if got is None else (got[0], got[1], tuple(got[2]))


def allowed_mask(names: Sequence[str], only: frozenset[str]) -> bytes:
    """The core's ``allowed`` table: one byte per detector, 1 where its identifier is in ``only``."""
    return bytes(name in only for name in names)
