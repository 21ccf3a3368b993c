"""The native redactor core (runtime/redact/core/, built as ``_redact``) against its definition, the
Python modules of runtime/redact/ (scanner.py, keywords.py, checks.py, redactor.py, json_rewrite.py): the
same findings, the same rewritten messages, the same decisions of every check, on generated policies and
texts and on the labelled corpus.

The core builds wherever a C++17 compiler is (it uses the RE2 inside the google-re2 wheel); `.ci/run` sets
TAMIS_REQUIRE_REDACT_CORE=1 so that a build that lost the core fails here instead of getting slower.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import gc
import json
import os
import random
import string
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import re2
from hypothesis import given, settings
from hypothesis import strategies as st
from support.identifier_examples import EXAMPLES
from support.shared import shared_path

import tamis
from tamis.compiler.data_protection.managed.catalogue import MANAGED_TABLE
from tamis.compiler.data_protection.managed.detectors import detectors_for
from tamis.compiler.data_protection.managed.patterns import NOT_DETECTED_LOCALLY
from tamis.runtime import json_values
from tamis.runtime.redact import checks, json_rewrite, keywords, redactor
from tamis.runtime.redact import native as native_api
from tamis.runtime.redact.detector import Check, Detector, Finding, FoundList, SearchHints
from tamis.runtime.redact.scanner import Scanner

ARN = "arn:aws:dataprotection::aws:data-identifier/"
DETECTABLE = sorted(n for n in MANAGED_TABLE if n not in NOT_DETECTED_LOCALLY)
CUSTOM = {
    "EmployeeId": "EID-\\d{9}-US",
    "Digits": "\\d+",  # unbounded: the longest possible match is unknown
    "Ticket": "\\b[A-Z]{2,4}-\\d{3,6}\\b",
    "Secret": "[Ss]ecret=\\s*\\S{4,12}",
    "Anywhere": "ab|b",
}


@pytest.fixture(autouse=True, scope="module")
def _core() -> None:
    if native_api._redact is None:
        if os.environ.get("TAMIS_REQUIRE_REDACT_CORE") == "1":
            pytest.fail(
                f"TAMIS_REQUIRE_REDACT_CORE=1 but the redactor core did not load: {native_api.UNAVAILABLE}"
            )
        pytest.skip(f"the native redactor core did not load: {native_api.UNAVAILABLE}")
    if not native_api.USE_NATIVE:
        pytest.skip("TAMIS_NATIVE=0: the native redactor core is switched off for this process")


def test_ci_insists_on_the_core() -> None:
    if os.environ.get("TAMIS_REQUIRE_REDACT_CORE") != "1":
        pytest.skip("TAMIS_REQUIRE_REDACT_CORE is not set (only CI insists)")
    assert native_api._redact is not None and native_api.USE_NATIVE


def _doc(statements: list[dict[str, Any]], custom: dict[str, str] | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {"Name": "native", "Version": "2021-06-01", "Statement": statements}
    if custom:
        doc["Configuration"] = {"CustomDataIdentifier": [{"Name": k, "Regex": v} for k, v in custom.items()]}
    return doc


def _refs(names: list[str]) -> list[str]:
    return [ARN + n if n in MANAGED_TABLE else n for n in names]


def _statement(names: list[str], operation: dict[str, Any]) -> dict[str, Any]:
    return {
        "DataDirection": "Inbound",
        "Principal": ["*"],
        "DataIdentifier": _refs(names),
        "Operation": operation,
    }


MASK = {"Deidentify": {"MaskConfig": {"MaskWithCharacter": "#"}}}


@contextlib.contextmanager
def _native_setting(name: str, value: Any) -> Iterator[None]:
    """``tamis.runtime.redact.native.<name>`` set to ``value`` for the scanners built meanwhile."""
    saved = getattr(native_api, name)
    setattr(native_api, name, value)
    try:
        yield
    finally:
        setattr(native_api, name, saved)


def _pair(doc: dict[str, Any]) -> tuple[tamis.Policy, tamis.Policy]:
    """The policy compiled twice: on the native core, and on the Python definition alone."""
    native = tamis.compile_policy(doc)
    with _native_setting("USE_NATIVE", False):
        twin = tamis.compile_policy(doc)
    assert native._redactor.scanner.native
    assert not twin._redactor.scanner.native
    return native, twin


def _outcome(fn: Callable[[], Any]) -> Any:
    try:
        return ("ok", fn())
    except Exception as exc:  # both engines must fail alike, if ever
        return ("raises", type(exc).__name__)


# Every detectable identifier and the custom ones, masked.
ALL_DOC = _doc([_statement(DETECTABLE + list(CUSTOM), MASK)], CUSTOM)


@functools.cache
def _all() -> tuple[tamis.Policy, tamis.Policy]:
    """ALL_DOC on both engines (built once, when the core is there)."""
    return _pair(ALL_DOC)


ALL_KEYWORDS = sorted({k for row in MANAGED_TABLE.values() for k in row[4]})
KEYWORDS = [k for k in ALL_KEYWORDS if k.isascii()]
PUNCTUATION = [
    " ",
    ": ",
    '"',
    '":"',
    '{"',
    "}",
    ",",
    "\n",
    "_",
    "-",
    ".",
    "/",
    "+1 ",
    "00",
    "$",
    "%",
    "@",
    "(",
    ")",
]
ESCAPES = ["\\n", '\\"', "\\\\", "\\u00e9", "\\/"]
VALUES = st.sampled_from(sorted(set(EXAMPLES.values())))
# An identifier's keyword and its value about the window's width apart (30 characters), on either side.
KEYED = sorted(n for n in EXAMPLES if n in MANAGED_TABLE and any(k.isascii() for k in MANAGED_TABLE[n][4]))
NEAR_WINDOW = st.sampled_from(KEYED).flatmap(
    lambda name: st.builds(
        lambda k, gap, after: (EXAMPLES[name] + gap + k) if after else (k + gap + EXAMPLES[name]),
        st.sampled_from([k for k in MANAGED_TABLE[name][4] if k.isascii()]),
        st.integers(29, 31).flatmap(lambda n: st.sampled_from([" " * n, "_" * n, "-" * n, "x" * n])),
        st.booleans(),
    )
)


def _spell(keyword: str, seps: list[str], cases: list[bool]) -> str:
    out = []
    for i, ch in enumerate(keyword):
        if ch == " ":
            out.append(seps[i % len(seps)])
        else:
            out.append(ch.upper() if cases[i % len(cases)] else ch)
    return "".join(out)


# Keywords as messages spell them: any case, separators dropped, doubled or swapped, camelCase joins,
# glued to letters and digits on either side.
KEYWORD_SPELLINGS = st.builds(
    lambda before, k, seps, cases, after: before + _spell(k, seps, cases) + after,
    st.sampled_from(["", " ", "a", "z", "my", "X", "1", "_", '"', "-"]),
    st.sampled_from(KEYWORDS),
    st.lists(st.sampled_from(["", " ", "_", "-", "__", " -"]), min_size=1, max_size=3),
    st.lists(st.booleans(), min_size=1, max_size=4),
    st.sampled_from(["", " ", "s", "S", "x", "1", ":", "_", "Number", "d"]),
)
FRAGMENTS = st.one_of(
    VALUES,
    NEAR_WINDOW,
    KEYWORD_SPELLINGS,
    st.sampled_from(KEYWORDS),
    st.sampled_from(KEYWORDS).map(lambda k: k.replace(" ", "_").upper()),
    st.sampled_from(PUNCTUATION + ESCAPES),
    st.from_regex(r"[0-9]{1,19}", fullmatch=True),
    st.text(alphabet=string.ascii_letters + string.digits + " -_.:/@+", max_size=8),
)
ASCII_TEXTS = st.lists(FRAGMENTS, max_size=24).map("".join)
OTHER = st.sampled_from(["é", "Ω", "\u2028", *(k for k in ALL_KEYWORDS if not k.isascii())])
TEXTS = st.one_of(ASCII_TEXTS, st.lists(st.one_of(FRAGMENTS, OTHER), max_size=16).map("".join))


MESSAGES = st.one_of(
    TEXTS,
    st.dictionaries(st.sampled_from(KEYWORDS), TEXTS, max_size=4).map(json.dumps),
    st.lists(st.sampled_from(KEYWORDS), max_size=6).map(json.dumps),
)


@given(ASCII_TEXTS)
def test_every_identifier_same_findings(text: str) -> None:
    native, twin = _all()
    assert _outcome(lambda: native.scan(text)) == _outcome(lambda: twin.scan(text))


@given(st.lists(NEAR_WINDOW, min_size=1, max_size=3).map(" ".join))
def test_keyword_windows_same_findings(text: str) -> None:
    # the window's edges (a keyword exactly 30 characters away counts, 31 does not) drawn on purpose
    native, twin = _all()
    assert native.scan(text) == twin.scan(text)


# Digit-dense noise around values: timestamps, amounts, digit runs and groups near the patterns' longest
# matches, so that the native core's anchors (runs of required characters) gather into clusters whose
# edges fall inside and next to real values.
DENSE = st.one_of(
    st.from_regex(r"\A20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z\Z"),
    st.from_regex(r"\A[0-9]{1,25}\Z"),
    st.from_regex(r"\A[0-9]{1,4}([ .()/+-][0-9]{1,4}){1,6}\Z"),
    st.from_regex(r"\A[0-9A-Za-z/+]{30,44}\Z"),
    st.from_regex(r"\A[a-z0-9.]{1,12}@[a-z0-9.-]{1,12}\Z"),
    # hexadecimal digits, colons and dots: IPv6 addresses and what their runs and leads must tell apart
    st.from_regex(r"\A[0-9A-Fa-f:.]{2,30}\Z"),
    st.from_regex(r"\A20[0-9]{2}-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9]\Z"),
)
LONG_TEXTS = st.lists(st.one_of(FRAGMENTS, DENSE), min_size=30, max_size=90).map("".join)


@functools.cache
def _anchored() -> tuple[tamis.Policy, tamis.Policy]:
    """``_all()`` with the native core looking for anchors in every range, however short."""
    with _native_setting("ANCHOR_MIN_RANGE", 0):
        return _pair(ALL_DOC)


# A long text costs a scan of hundreds of characters on both engines: a fifth of the profile's examples
# (and never fewer than the CI profile's) keeps the thorough run within its time.
LONG_EXAMPLES = max(settings.default.max_examples // 5, min(settings.default.max_examples, 150))


@settings(max_examples=LONG_EXAMPLES)
@given(LONG_TEXTS)
def test_long_dense_texts_same_findings(text: str) -> None:
    # Long enough (hundreds of characters) for the whole-message searches to go by anchors.
    native, twin = _all()
    assert _outcome(lambda: native.scan(text)) == _outcome(lambda: twin.scan(text))


@settings(max_examples=LONG_EXAMPLES)
@given(st.one_of(ASCII_TEXTS, st.lists(NEAR_WINDOW, min_size=1, max_size=3).map(" ".join), LONG_TEXTS))
def test_anchors_in_every_range_same_findings(text: str) -> None:
    # The keyword windows too searched by anchors (in use they are shorter than ANCHOR_MIN_RANGE).
    native, twin = _anchored()
    assert _outcome(lambda: native.scan(text)) == _outcome(lambda: twin.scan(text))


def test_dense_report_same_findings_both_ways() -> None:
    rows = []
    for i in range(60):
        rows.append(
            f'{{"at": "2024-05-{i % 28 + 1:02d}T12:00:{i % 60:02d}Z", "phone": "(609) 932-{7000 + i}", '
            f'"email": "a{i}@example.com", "ip": "10.0.{i}.1", "credit_card_number": "6011885775987736", '
            f'"cvv": "{100 + i}", "expiry": "12/{20 + i % 10}", "ssn": "643-41-{9000 + i}", "zip code": '
            f'"{46500 + i}", "amount": {i}.27}}'
        )
    text = "[" + ", ".join(rows) + "]"
    assert len(text) > 10 * native_api.ANCHOR_MIN_RANGE
    want = _all()[1].scan(text)
    assert len(want) > 400  # every kind of value, many times over
    assert _all()[0].scan(text) == want
    assert _anchored()[0].scan(text) == want


# Fillers that hold none of the values, or only digits and separators the anchors count.
FILLERS = [" ", "x", "1", "1.", "a-", "::"]


def test_values_at_the_edges_of_ranges_and_blocks_same_findings() -> None:
    # Each example value at the start of the message (where the search cursor starts), glued after itself
    # (the cursor at the end of a match), at every offset across two 16-byte blocks, and at the end, in
    # a message long enough for anchors and with anchors everywhere.
    values = sorted({v for v in EXAMPLES.values() if v.isascii()})
    native, twin = _all()
    anchored = _anchored()[0]
    checked = found = 0
    for value in values:
        for filler in FILLERS:
            pad = (filler * native_api.ANCHOR_MIN_RANGE)[: native_api.ANCHOR_MIN_RANGE]
            texts = [value + pad, value + value + pad, pad + value, pad + value + value]
            texts += [pad[:offset] + value + pad for offset in range(0, 34, 3)]
            for text in texts:
                want = twin.scan(text)
                assert native.scan(text) == want, (value, filler, text[:40])
                assert anchored.scan(text) == want, (value, filler, text[:40])
                checked += 1
                found += bool(want)
    assert checked > 1000 and found > checked // 3


def test_a_value_group_ending_before_its_anchor_same_findings() -> None:
    # An unbounded pattern whose value (group 1) ends before the required character its match holds: the
    # next search starts before that character, which must still count as the first one after the cursor.
    det = Detector(
        name="T",
        pattern="(a)a*b",
        group=1,
        hints=SearchHints(frozenset("b"), 1, frozenset("ab")),
    )
    native = Scanner([det])
    with _native_setting("USE_NATIVE", False):
        twin = Scanner([det])
    assert native.native and not twin.native
    for text in ["aaab " * 200, "x" * 600 + "aaaab", "aaab" * 150 + " b aab", "ab" * 300]:
        want = twin.scan(text)
        assert len(want) >= 2
        assert native.scan(text) == want


def test_keyword_spellings_follow_the_keyword_pattern() -> None:
    # The native core walks these spellings as a trie where the Python path runs the keyword regex.
    spellings = keywords.keyword_spellings(KEYWORDS)
    assert spellings is not None
    words = {k.lower().strip() for k in KEYWORDS}
    assert len(spellings) <= sum(4 ** k.count(" ") for k in words)  # different keywords may share spellings
    for k in words:  # each separator spelled every way: the four uniform ones at least
        assert {k.replace(" ", sep) for sep in ("", " ", "_", "-")} <= set(spellings), k
    plain = {k: re2.compile("(?i)" + keywords._keyword_pattern(k)) for k in words}
    by_norm: dict[str, list[str]] = {}
    for k in plain:
        by_norm.setdefault(keywords.norm_keyword(k), []).append(k)
    for spelling in spellings:
        assert spelling == spelling.lower()
        assert any(plain[k].fullmatch(spelling) for k in by_norm[keywords.norm_keyword(spelling)]), spelling
    assert keywords.keyword_spellings(["a b c d e f g h i j"]) is None  # 4**9 spellings: the Python path


@given(
    st.lists(st.one_of(KEYWORD_SPELLINGS, VALUES), min_size=1, max_size=8).map("".join).filter(str.isascii)
)
def test_keyword_spellings_same_keyword_hits(text: str) -> None:
    # the native keyword pass against the Python one, hit by hit, for every detector that takes keywords
    scanner = _all()[0]._redactor.scanner
    assert scanner.scan(text) == _all()[1]._redactor.scanner.scan(text)
    want = scanner._keyword_hits(text, text.encode(), None)  # the keyword regex, hit by hit
    got = scanner._native.keyword_hits(text)
    assert {i: [(s, e, s, e) for s, e in spans] for i, spans in enumerate(got) if spans} == want


# Characters that are not ASCII where they matter most: letters in both cases next to keywords and values
# (a letter ends a keyword's word by its Unicode category), letters whose case folds to an ASCII one (the
# keyword regex matches "ſ" for "s" and the Kelvin sign for "k"), digits and numbers that are not ASCII
# (str.isdigit holds for "²" and "٣"), separators and symbols, and characters of two, three and four bytes.
UNICODE_CHARS = st.sampled_from(
    [
        "é",
        "É",
        "ß",
        "ſ",
        "\u212a",
        "İ",
        "Σ",
        "ǅ",
        "\u00a0",
        "٣",
        "²",
        "Ⅳ",
        "ª",
        "µ",
        "—",
        "中",
        "😀",
        "\u2028",
    ]
)
NON_ASCII_KEYWORDS = [k for k in ALL_KEYWORDS if not k.isascii()]
# Keywords that are not ASCII as messages spell them: in any case, glued to letters on either side.
NON_ASCII_SPELLINGS = st.builds(
    lambda before, k, cases, after: before + _spell(k, ["", " ", "_"], cases) + after,
    st.sampled_from(["", " ", "a", "é", "É", "_", '"', "1"]),
    st.sampled_from(NON_ASCII_KEYWORDS),
    st.lists(st.booleans(), min_size=1, max_size=4),
    st.sampled_from(["", " ", "é", "x", ":", "1", "Number"]),
)
# ASCII keywords with a letter swapped for one of the same case orbit (the regex's, not str.lower's).
ORBIT_SPELLINGS = st.sampled_from([k for k in KEYWORDS if "s" in k or "k" in k]).flatmap(
    lambda k: st.sampled_from(
        [k.replace("s", "ſ", 1), k.replace("k", "\u212a", 1), k.upper().replace("S", "ſ")]
    )
)
UNICODE_FRAGMENTS = st.one_of(UNICODE_CHARS, NON_ASCII_SPELLINGS, ORBIT_SPELLINGS, OTHER)
UNICODE_TEXTS = (
    st.lists(st.one_of(FRAGMENTS, UNICODE_FRAGMENTS), min_size=1, max_size=24)
    .map("".join)
    .filter(lambda t: not t.isascii())
)
# Values with a character that is not ASCII right before or after them, or inside their window.
UNICODE_NEAR = st.builds(
    lambda before, v, after: before + v + after,
    st.one_of(UNICODE_FRAGMENTS, st.just("")),
    st.one_of(VALUES, NEAR_WINDOW),
    st.one_of(UNICODE_FRAGMENTS, st.just("")),
)


@given(st.one_of(UNICODE_TEXTS, st.lists(UNICODE_NEAR, min_size=1, max_size=6).map("".join)))
def test_non_ascii_texts_same_findings(text: str) -> None:
    native, twin = _all()
    assert native._redactor.scanner._native.scan(text, None) is not None  # the core reads any UTF-8
    assert native.scan(text) == twin.scan(text)


@given(st.lists(st.one_of(FRAGMENTS, DENSE, UNICODE_FRAGMENTS), min_size=30, max_size=90).map("".join))
def test_long_non_ascii_texts_same_findings(text: str) -> None:
    native, twin = _all()
    assert native.scan(text) == twin.scan(text)


@given(st.lists(st.one_of(KEYWORD_SPELLINGS, VALUES, UNICODE_FRAGMENTS), min_size=1, max_size=8).map("".join))
def test_non_ascii_texts_same_keyword_hits(text: str) -> None:
    # the native keyword pass on UTF-8 (its trie where the text around is ASCII, the regex elsewhere)
    # against the Python one, hit by hit, in bytes
    scanner = _all()[0]._redactor.scanner
    data = text.encode()
    want = scanner._keyword_hits(text, data, None if text.isascii() else lambda b: b)
    got = scanner._native.keyword_hits(text)
    assert {i: [(s, e, s, e) for s, e in spans] for i, spans in enumerate(got) if spans} == want


# Characters of two, three and four bytes: Latin letters in both cases (a keyword after one is no hit unless
# camelCase), signs and separators (a context), a Greek capital, an ideograph, an emoji, and the variants
# of "s" and "k" a case-insensitive match takes.
WIDE = ["é", "ô", "Ô", "ß", "Ł", "×", "\u00a0", "Ω", "—", "’", "中", "😀", "ſ", "\u212a"]
WIDE_KEYWORDS = ["tel", "ssn", "card number", "passeport", "numéro de passeport", "kontonummer"]


def test_keywords_next_to_characters_of_every_width_same_hits() -> None:
    # The native keyword pass finds its places sixteen bytes at a time whatever the bytes: each keyword in
    # three cases, glued to a wide character or after a space, at every offset of a 16-byte block, at the
    # start and the end of the message, hit by hit against the Python pass.
    scanner = _all()[0]._redactor.scanner
    compared = 0
    for k in WIDE_KEYWORDS:
        for form in (k, k.upper(), k[0].upper() + k[1:]):
            for c in WIDE:
                for pad in range(18):
                    lead = "." * pad
                    for text in (
                        lead + c + form,
                        lead + "h" + c + form + c,
                        lead + c + " " + form + "a" + c,
                        lead + "a" + form + c + "1",
                        c + form + lead,
                    ):
                        data = text.encode()
                        want = scanner._keyword_hits(text, data, None if text.isascii() else lambda b: b)
                        got = scanner._native.keyword_hits(text)
                        same = {i: [(s, e, s, e) for s, e in sp] for i, sp in enumerate(got) if sp}
                        assert same == want, text
                        compared += 1
    assert compared == len(WIDE_KEYWORDS) * 3 * len(WIDE) * 18 * 5


@pytest.mark.parametrize("c", WIDE)
def test_values_and_windows_next_to_characters_of_every_width_same_findings(c: str) -> None:
    # Values glued to a wide character on either side, keyword windows whose edge (30 characters) falls on
    # or just past one, and wide characters at the message's ends, on both engines, offsets in characters.
    native, twin = _all()
    cases = [("card number", "4539894458086459"), ("ssn", "123-45-6789"), ("tel", "+1 202-555-0147")]
    compared = 0
    for keyword, value in cases:
        for gap in (28, 29, 30, 31):
            for wide_at in range(0, gap, 7):
                filler = "x" * wide_at + c + "x" * (gap - wide_at - 1)
                for text in (
                    keyword + filler + value,
                    value + filler + keyword,
                    c + keyword + " " + value + c,
                    c + value + c + " " + keyword + c,
                    keyword + ": " + c * 3 + value + c * 3,
                    "." * gap + c + keyword + c + value,
                ):
                    assert native.scan(text) == twin.scan(text), text
                    compared += 1
    assert compared == 3 * 4 * 5 * 6 - 3 * 6  # gap 28 has four places for the wide character, the others five


def test_lone_surrogates_found_as_the_python_definition_finds_them() -> None:
    # Policy.apply looks for one in every message that is not ASCII (the core, eight characters at a time)
    compared = 0
    for wide in ["", "é", "ł", "\ud7ff", "\ue000", "😀"]:  # strs of one, two and four bytes a character
        for length in (1, 7, 8, 9, 17, 33):
            for at in [None, *range(length)]:
                for surrogate in ("\ud800", "\udbff", "\udc00", "\udfff"):
                    chars = list((wide + "abcdefgh" * 5)[:length])
                    if at is not None:
                        chars[at] = surrogate
                    text = "".join(chars)
                    assert native_api._redact.lone_surrogate(text) == json_values.lone_surrogate(text), text
                    compared += 1
    assert compared == 6 * 4 * (6 + 1 + 7 + 8 + 9 + 17 + 33)


def test_lone_surrogates_take_the_python_path() -> None:
    native, twin = _all()
    text = "card number 4111 1111 1111 1111 \ud800"
    assert native._redactor.scanner._native.scan(text, None) is None  # no UTF-8 form: the Python path's
    assert native.scan(text) == twin.scan(text) != []


@given(
    st.lists(st.sampled_from(DETECTABLE + list(CUSTOM)), min_size=1, max_size=12, unique=True),
    st.lists(st.sampled_from(["mask#", "mask*", "redact", "deny", "audit"]), min_size=1, max_size=3),
    st.data(),
)
def test_random_policies_same_findings_and_messages(
    names: list[str], ops: list[str], data: st.DataObject
) -> None:
    statements = []
    for op in ops:
        chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, unique=True))
        if op == "audit" and any("Audit" in st_["Operation"] for st_ in statements):
            continue  # at most one Audit statement
        operation = {
            "redact": {"Deidentify": {"RedactConfig": {}}},
            "deny": {"Deny": {}},
            "audit": {"Audit": {"SampleRate": 99, "FindingsDestination": {}}},
        }.get(op) or {"Deidentify": {"MaskConfig": {"MaskWithCharacter": op[-1]}}}
        statements.append(_statement(chosen, operation))
    custom = {k: v for k, v in CUSTOM.items() if k in names}
    native, twin = _pair(_doc(statements, custom))
    for _ in range(3):
        text = data.draw(MESSAGES)
        got = _outcome(lambda text=text: _inbound(native, text))
        want = _outcome(lambda text=text: _inbound(twin, text))
        if got[0] == "ok":
            got = ("ok", _decision(got[1]))
            want = ("ok", _decision(want[1]))
        assert got == want


def _inbound(policy: tamis.Policy, text: str) -> redactor.Outcome:
    """The policy applied Inbound, sampling for an Audit statement with the same draws every time."""
    return policy.apply(text, direction="Inbound", principal="p", rng=random.Random(7), message_id="m")


def _decision(out: redactor.Outcome) -> tuple[Any, ...]:
    """What an outcome decided, its audit record without the time it was made."""
    audit = None if out.audit is None else {k: v for k, v in out.audit.items() if k != "auditTimestamp"}
    return (out.message, out.action, out.findings, out.error, audit)


IDENTS = ["A", "B", "C", "D"]


@given(
    MESSAGES,
    st.dictionaries(
        st.sampled_from(IDENTS),
        st.tuples(st.sampled_from(["mask", "redact"]), st.sampled_from(["#", "*", "X"])),
    ),
    st.data(),
)
def test_rewrite_is_the_merge_and_splice_it_replaces(
    message: str, ops: dict[str, tuple[str, str]], data: st.DataObject
) -> None:
    n = len(message)
    found = []
    for _ in range(data.draw(st.integers(0, 8))):  # spans inside the message, often overlapping
        start = data.draw(st.integers(0, n))
        end = data.draw(st.integers(start, min(n, start + 12)))
        found.append(Finding(data.draw(st.sampled_from(IDENTS)), start, end))
    found.sort()
    got = native_api._redact.rewrite(message, found, ops)
    spans = redactor.merged_spans(found, ops)
    want = json_rewrite.rewrite(message, spans) if spans else message
    if got is not None:  # None: the core leaves the message to the Python steps (not ASCII, escapes...)
        assert got == want
    elif message.isascii() and message.lstrip()[:1] not in ("{", "["):
        pytest.fail("a plain ASCII message is always rewritten natively")


def test_rewrite_counts_quotes_across_long_json_messages() -> None:
    # The native rewrite counts the quotes before each span (sixteen bytes at a time) to know it lies in a
    # string: long messages with spans inside values, every value length, must come out as Python's.
    ops = {"A": ("mask", "#"), "B": ("redact", "*")}
    for width in range(1, 40):
        doc = {f"k{i}": "v" * (i % width) + f" {1000 + i} " + "w" * (i % 7) for i in range(60)}
        message = json.dumps(doc)
        found = []
        for i in range(0, 60, 3):
            at = message.index(f" {1000 + i} ") + 1
            found.append(Finding("A" if i % 2 else "B", at, at + 4))
        got = native_api._redact.rewrite(message, found, ops)
        assert got is not None  # every span inside a plain string: the core rewrites it
        assert got == json_rewrite.rewrite(message, redactor.merged_spans(found, ops))
        assert json.loads(got).keys() == doc.keys()
        key = message.index('"k7"')
        outside = [*found, Finding("A", key, key + 2)]  # over a key's opening quote
        outside.sort()
        assert native_api._redact.rewrite(message, outside, ops) is None


def test_rewrite_covers_json_and_plain_messages() -> None:
    ops = {"A": ("mask", "#"), "B": ("redact", "*")}
    found = [Finding("A", 9, 13), Finding("B", 11, 15), Finding("C", 0, 2)]
    # A and B overlap: one span [9, 15) that takes the stronger operation (redact); C has no operation
    assert native_api._redact.rewrite('{"card":"12345678"}', found, ops) == '{"card":"78"}'
    assert native_api._redact.rewrite("card 12345678 ok", found, ops) == "card 1234k"
    assert native_api._redact.rewrite("card 12345678 ok", found[:1], ops) == "card 1234#### ok"
    assert native_api._redact.rewrite('{"a": 12345678901234}', found, ops) is None  # a number: Python decides
    assert native_api._redact.rewrite("é 12345678", found, ops) is None


@pytest.mark.parametrize("wide", ["é", "ł", "中", "😀"])  # a str of one, two and four bytes a character
@pytest.mark.parametrize("json_text", [False, True])
def test_rewrite_of_text_that_is_not_ascii_gives_the_smallest_kind(wide: str, json_text: bool) -> None:
    # The core writes the result at the message's kind; where the spans took every character that needed
    # it, the result must be the narrower str Python makes (a str of a wider kind than its characters need
    # compares unequal to the same characters).
    ops = {"A": ("mask", "#"), "B": ("redact", "#")}
    compared = 0
    for tail in ["", " é", " ł", " 中"]:
        body = f"x{wide}12{wide}{wide}yz 34{tail}"
        message, shift = (json.dumps({"k": body}, ensure_ascii=False), 7) if json_text else (body, 0)
        places = [i for i, ch in enumerate(body) if ch == wide]  # 1, 4, 5
        for a in ("A", "B", None):
            for b in ("A", "B", None):
                found = [Finding(a, places[0] + shift, places[0] + shift + 1)] if a else []
                if b:
                    found.append(Finding(b, places[1] + shift, places[2] + shift + 1))
                found.sort()
                got = native_api._redact.rewrite(message, found, ops)
                merged = redactor.merged_spans(found, ops)
                want = json_rewrite.rewrite(message, merged) if merged else message
                assert got == want and got.isascii() == want.isascii(), (message, found)
                compared += 1
    assert compared == 4 * 9


# Values shaped like what the checks judge (digit groups with separators, boundary numbers, addresses,
# VINs, e-mails, country codes) between the context characters the checks look at.
CHECK_VALUES = st.one_of(
    st.from_regex(r"\A[0-9]{1,4}([ .()/+-]{0,2}[0-9]{1,4}){0,5}\Z"),
    st.from_regex(r"\A(000|666|899|900|901|123)-(00|45)-(0000|6789)\Z"),
    st.from_regex(r"\A[0-9]{1,4}(\.[0-9]{1,4}){2,4}\Z"),
    st.from_regex(r"\A[0-9A-Z]{15,18}\Z"),
    st.from_regex(r"\A[a-z.-]{0,4}@[a-z.-]{0,6}(@[a-z]{0,2})?\Z"),
    st.from_regex(r"\A(\+|00|0)[0-9]{0,12}\Z"),
    st.sampled_from(sorted(set(EXAMPLES.values()))).filter(str.isascii),
    st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=20),
)
CONTEXT = st.sampled_from(
    ["", " ", "$", "%", "/", ".", "-", ":", "+", ",", "a", "1", "/1", ".5", " 1", "1 ", ":x"]
)


# Every check drawn by the one property (the grid test below takes each check in turn, exhaustively).
CHECKS = sorted(native_api.NATIVE_CHECKS, key=lambda f: f.__name__)


@given(check=st.sampled_from(CHECKS), before=CONTEXT, value=CHECK_VALUES, after=CONTEXT, data=st.data())
def test_each_native_check_decides_as_the_python_check(
    check: Check, before: str, value: str, after: str, data: st.DataObject
) -> None:
    text = before + value + after
    start, end = len(before), len(before) + len(value)
    if data.draw(st.integers(0, 9)) == 0:  # now and then any span of the text
        start = data.draw(st.integers(0, len(text) - 1))
        end = data.draw(st.integers(start + 1, len(text)))
    native = native_api._redact.check(native_api.NATIVE_CHECKS[check], text, start, end)
    python = _outcome(lambda: bool(check(text, start, end)))
    if native == -1:  # undecided natively: the core calls the Python check itself
        return
    assert python == ("ok", bool(native))


# Boundary values for every native check: deterministic, so each decision at an edge is compared on every run.
GRID_VALUES = [
    *(
        f"{a}-{g}-{s}"
        for a in ("000", "001", "665", "666", "667", "899", "900")
        for g in ("00", "01")
        for s in ("0000", "0001")
    ),
    *("4539894458086459", "4539894458086458", "4111 1111 1111 1111", "378282246310005", "6011111111111117"),
    *("5555555555554444", "2221000000000009", "3530111333300000", "6200000000000005", "36227206271667"),
    *("400000000006", "4000000000006", "4000000000000002", "4000000000000000006", "40000000000000000006"),
    *("5019717010103742", "6221260000000000"),
    *("10.0.0.254", "255.255.255.255", "256.1.1.1", "01.2.3.4", "0.0.0.0", "1.2.3", "1.2.3.4.5", "1..2.3"),
    *("(480) 483-2125", "480-483-2125", "1-480-483-2125", "2-480-483-2125", "080-483-2125", "480-183-2125"),
    *("+44 20 7946 0958", "0044 20 7946 0958", "0004420794", "00", "001", "+", "1234567", "12345678"),
    *("123456789012345", "1234567890123456", "1HGCM82633A004352", "1HGCM82633A004353", "WVWZZZ1JZXW000001"),
    *("1M8GDM9AXKP042788", "1IGCM82633A004352", "ABCDEFGHJKLMNPRST", "04/27", "4/2027", "12/31"),
    *("a@b.c", "a@b", "@b.c", "a..b@c.d", "a@-b.c", "a@b@c.d", "a.b@c..d"),
    *("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "abcdef0123456789abcdef0123456789abcdef01", "ABC", "abc1"),
]
GRID_CONTEXTS = [
    "",
    " ",
    "$",
    "%",
    "/",
    ".",
    "-",
    ":",
    "+",
    ",",
    "a",
    "1",
    "/1",
    ".5",
    " 1",
    "1 ",
    ":x",
    ",7",
]


@pytest.mark.parametrize(
    "check", sorted(native_api.NATIVE_CHECKS, key=lambda f: f.__name__), ids=lambda f: f.__name__
)
def test_each_native_check_at_its_edges(check: Check) -> None:
    code = native_api.NATIVE_CHECKS[check]
    decided = 0
    for value in GRID_VALUES:
        for before in GRID_CONTEXTS:
            for after in GRID_CONTEXTS:
                text = before + value + after
                native = native_api._redact.check(code, text, len(before), len(before) + len(value))
                if native == -1:
                    continue
                decided += 1
                python = _outcome(lambda: bool(check(text, len(before), len(before) + len(value))))  # noqa: B023
                assert python == ("ok", bool(native)), (check.__name__, text)
    assert decided > len(GRID_VALUES) * len(GRID_CONTEXTS) ** 2 // 2  # the core decided most of them itself


@pytest.mark.parametrize("json_text", [False, True])
def test_rewrite_merges_every_pair_of_operations_as_python_does(json_text: bool) -> None:
    body = "abcdefghijklmnopqrstuvwxyz"
    message, shift = (json.dumps({"k": body}), 7) if json_text else (body, 0)
    choices = [("mask", "#"), ("mask", "*"), ("redact", "#"), ("redact", "*")]
    spans = [(s, e) for s in range(0, 12, 3) for e in range(s, s + 9, 2)]
    compared = 0
    for op_a in choices:
        for op_b in choices:
            ops = {"A": op_a, "B": op_b}
            for sa, ea in spans:
                for sb, eb in spans:
                    found = sorted(
                        [
                            Finding("A", sa + shift, ea + shift),
                            Finding("B", sb + shift, eb + shift),
                        ]
                    )
                    got = native_api._redact.rewrite(message, found, ops)
                    merged = redactor.merged_spans(found, ops)
                    assert got == (json_rewrite.rewrite(message, merged) if merged else message)
                    compared += 1
    assert compared == 16 * len(spans) ** 2


def test_checks_decide_natively_on_their_examples() -> None:
    # the property above must not pass by leaving everything to Python
    code = native_api.NATIVE_CHECKS
    assert native_api._redact.check(code[checks.check_credit_card], "4539894458086459", 0, 16) == 1
    assert native_api._redact.check(code[checks.check_credit_card], "4539894458086458", 0, 16) == 0
    assert native_api._redact.check(code[checks.check_ipv4], "10.0.0.254", 0, 10) == 1
    assert native_api._redact.check(code[checks.check_ipv4], "10.0.0.256", 0, 10) == 0
    assert native_api._redact.check(code[checks.check_vin], "1HGCM82633A004352", 0, 17) == 1
    assert native_api._redact.check(code[checks.check_email], "a@b.c", 0, 5) == 1
    assert native_api._redact.check(code[checks.has_country_code], "00", 0, 2) == 1  # "" in "1..9" holds


def test_the_labelled_corpus_same_findings_one_by_one_and_as_one_long_message() -> None:
    path = shared_path("data_protection", "detection_corpus.jsonl")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    custom = {"MyCompanyEmployeeId": "EID-\\d{9}-US"}
    doc = _doc([_statement(DETECTABLE, MASK)], None)
    doc["Statement"][0]["DataIdentifier"].append("MyCompanyEmployeeId")
    doc["Configuration"] = {"CustomDataIdentifier": [{"Name": k, "Regex": v} for k, v in custom.items()]}
    native, twin = _pair(doc)
    ascii_rows = 0
    for row in rows:
        ascii_rows += row["text"].isascii()
        assert native.scan(row["text"]) == twin.scan(row["text"]), row["id"]
        a = native.apply(row["text"], direction="Inbound", principal="p")
        b = twin.apply(row["text"], direction="Inbound", principal="p")
        assert (a.message, a.findings) == (b.message, b.findings), row["id"]
    assert ascii_rows > len(rows) // 2  # most rows went through the core
    joined = "\n".join(r["text"] for r in rows if r["text"].isascii())
    found = native.scan(joined)
    assert len(found) > 500 and found == twin.scan(joined)


def test_concurrent_scans_agree_with_one_at_a_time() -> None:
    # The core runs RE2 without the GIL: scans from many threads at once must not disturb each other.
    values = [EXAMPLES[n] for n in sorted(EXAMPLES) if EXAMPLES[n].isascii()]
    pairs = zip(KEYWORDS, values * 3, strict=False)  # as many as there are keywords
    texts = [f"{k}: {v} and more text " * (1 + i % 5) for i, (k, v) in enumerate(pairs)]
    native, twin = _all()
    want = [twin.scan(t) for t in texts]
    assert len(texts) > 50 and sum(map(bool, want)) > 25
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        for _ in range(3):
            assert list(pool.map(native.scan, texts)) == want


HINTED = sorted(
    {(d.pattern, d.group, d.hints, d.max_len) for n in DETECTABLE for d in detectors_for(n) if d.hints.count},
    key=lambda p: (p[0], p[1]),
)
# A pattern with one of the strings it matches in full (ASCII: the core only scans ASCII messages).
MATCHES = st.sampled_from(HINTED).flatmap(
    lambda ph: st.tuples(
        st.just(ph), st.from_regex(ph[0], fullmatch=True, alphabet=st.characters(codec="ascii"))
    )
)


MEASURED = sorted(
    {
        (d.pattern, d.max_len, d.max_bytes)
        for n in DETECTABLE
        for d in detectors_for(n)
        if d.max_bytes is not None
    }
)


@given(
    st.sampled_from(MEASURED).flatmap(
        lambda m: st.tuples(
            st.just(m), st.from_regex(m[0], fullmatch=True, alphabet=st.characters(codec="utf-8"))
        )
    )
)
def test_every_match_fits_its_longest_utf8_width(case: tuple[tuple[str, int, int], str]) -> None:
    # In text that is not ASCII the core searches max_bytes around an anchor: every string RE2 matches
    # (any characters, where the pattern lets them in) must be no longer in UTF-8.
    (pattern, max_len, max_bytes), value = case
    assert max_len <= max_bytes <= 4 * max_len
    if re2.compile(pattern).fullmatch(value) is not None:  # (Python's \d takes other digits: RE2's does not)
        assert len(value.encode()) <= max_bytes, (pattern, value)


def test_longest_utf8_widths_of_patterns_with_a_lead() -> None:
    # the lead of a phone number or a secret key may be any character: three bytes more than in ASCII
    widths = {
        d.name: d.max_bytes - d.max_len for n in ("PhoneNumber-US", "AwsSecretKey") for d in detectors_for(n)
    }
    assert widths == {"PhoneNumber-US": 3, "AwsSecretKey": 6}


def test_most_managed_patterns_have_hints() -> None:
    hinted = {p for p, _, h, _ in HINTED if h.count}
    patterns = {d.pattern for n in DETECTABLE for d in detectors_for(n)}
    assert len(hinted) > len(patterns) * 3 // 4
    counts = {h.count for _, _, h, _ in HINTED}
    assert max(counts) >= 13 and 1 in counts  # digit runs (card numbers) and lone characters ("@")
    # run alphabets for most, the value's own where a group carries leading context (phone numbers)
    assert sum(bool(h.run_alphabet) for _, _, h, _ in HINTED) > len(HINTED) // 2
    assert any(g and h.run_alphabet and not h.alphabet for _, g, h, _ in HINTED)
    leads = {p for p, _, h, _ in HINTED if h.run_lead}  # IPv6 addresses, secret keys
    assert detectors_for("IpAddress")[1].hints.run_lead and len(leads) >= 2
    # the value from the whole match: phone numbers, IPv6 addresses, latitude and longitude; not the
    # secret key, whose pattern goes on past its value
    by_match = {n for n in DETECTABLE for d in detectors_for(n) if d.hints.value_lead}
    assert {"PhoneNumber-US", "PhoneNumber-FR", "IpAddress", "LatLong"} <= by_match
    assert "AwsSecretKey" not in by_match
    # patterns that start with \b and a word character: searched from word starts in keyword windows
    by_word = {n for n in DETECTABLE for d in detectors_for(n) if d.hints.word_start}
    assert {
        "CreditCardNumber",
        "CreditCardSecurityCode",
        "Ssn-US",
        "ZipCode-US",
        "VehicleIdentificationNumber",
    } <= by_word
    assert not by_word & {"EmailAddress", "PhoneNumber-US", "DateOfBirth"}  # "." first; a lead; (?i)
    # the run of digits a match starts with: five for a ZIP code, three or four for a security code
    zip_code, security_code = (detectors_for(n)[0].hints for n in ("ZipCode-US", "CreditCardSecurityCode"))
    assert (zip_code.streak_min, zip_code.streak_max) == (5, 5)
    assert (security_code.streak_min, security_code.streak_max) == (3, 4)


@given(MATCHES)
def test_every_match_holds_its_hints(
    case: tuple[tuple[str, int, SearchHints, int | None], str],
) -> None:
    # The core searches only near anchors (``count`` required characters within the longest match, in one
    # run of the value's alphabet; with a lead, the value starting its run after none of the lead's
    # characters) and from the start of the run of alphabet characters before one: sound only if every
    # string the (tamis-written) pattern matches holds ``count`` required characters, only alphabet
    # characters, and is no longer than the longest match, and its value (group) holds ``count`` required
    # characters and only run-alphabet ones, after a character not in the lead.
    (pattern, group, hints, max_len), value = case
    assert sum(ch in hints.required for ch in value) >= hints.count, (pattern, value)
    if hints.alphabet:
        assert set(value) <= hints.alphabet, (pattern, value)
    if max_len is not None:
        assert len(value) <= max_len, (pattern, value)
    found = re2.compile(pattern).fullmatch(value)
    assert found is not None, (pattern, value)
    start, end = found.span(group)
    if hints.run_alphabet:
        assert set(value[start:end]) <= hints.run_alphabet, (pattern, value)
        assert sum(ch in hints.required for ch in value[start:end]) >= hints.count, (pattern, value)
    if hints.run_lead:
        assert hints.run_alphabet <= hints.run_lead
        assert start == 0 or value[start - 1] not in hints.run_lead, (pattern, value)
    if hints.word_start:  # the core asks for a match only where one of these starts a word
        assert value[0] in hints.word_start and pattern.startswith("\\b"), (pattern, value)
        # ... where the run of required characters there is as long as a match's first one can be
        streak = len(value) - len(value.lstrip("".join(hints.required)))
        assert hints.streak_min <= streak, (pattern, value)
        if hints.streak_max >= 0:
            assert streak <= hints.streak_max, (pattern, value)
            # a match that is one run ends where \b says the text's run does
            assert streak < len(value) or pattern.endswith("\\b"), (pattern, value)
    if hints.value_lead:  # the core takes the value from the whole match: its first character off or not
        assert (found.start() + (value[found.start()] not in hints.value_lead), found.end()) == (start, end)


def test_the_set_pass_decides_only_for_detectors_searched_over_the_whole_message() -> None:
    # Detectors with anchors, keyword windows or a literal prefix (which RE2 finds with memchr) are
    # searched without the set pass; the others (no hints, no prefix) go through it, so a policy of
    # such custom regexes still reads a message once to rule them all out.
    custom = {
        "Prefixed": "EID-\\d{9}-US",
        "Free": "[A-Z]{3}\\d{5}",
        "Either": "ab|b",
        "Cased": "[Ss]ecret=\\S+",
    }
    names = ["CreditCardNumber", "EmailAddress", "PhoneNumber-US", "IpAddress", "Name", *custom]
    native, twin = _pair(_doc([_statement(names, MASK)], custom))
    scanner = native._redactor.scanner
    members = {scanner.detectors[i].name for i in scanner._native.set_members()}
    assert members == {"Free", "Either", "Cased"}
    texts = ["", "nothing here", "EID-123456789-US and ABC12345 ab secret=hunter2 4111 1111 1111 1111"]
    texts += ["x" * 300 + t for t in texts]
    for text in texts:
        assert native.scan(text) == twin.scan(text)
    assert {f.identifier for f in native.scan(texts[2])} >= {"Prefixed", "Free", "Either", "Cased"}


def test_values_after_each_kind_of_lead_same_findings() -> None:
    # The anchors of IPv6 addresses and phone numbers count only the required characters of one run of
    # the value's characters, and an IPv6 address's run must start after a character that may lead it:
    # each value after each kind of character (one that may lead it, one of its run, a letter), at the
    # start of the message and at every offset across a 16-byte block, in a message long enough for
    # anchors.
    values = ["2001:db8::1", "::1", "a::", "fe80::1ff:fe23:4567:890a", "1:2:3:4:5:6:7:8", "10.0.0.1"]
    values += ["(609) 932-7559", "+1 609-932-7559", "609.932.7559", "6099327559", "2024-05-27T12:00:00Z"]
    leads = ["", " ", '"', "=", "x", "G", "1", "f", ":", ".", "(", "+", "-", "\n"]
    native, twin = _all()
    anchored = _anchored()[0]
    pad = ("z " * native_api.ANCHOR_MIN_RANGE)[: native_api.ANCHOR_MIN_RANGE]
    checked = found = 0
    for value in values:
        for lead in leads:
            for text in [
                lead + value + pad,
                *(pad[:offset] + lead + value + " " + pad for offset in range(17)),
            ]:
                want = twin.scan(text)
                assert native.scan(text) == want, (value, lead, text[:40])
                assert anchored.scan(text) == want, (value, lead, text[:40])
                checked += 1
                found += any(f.identifier in ("IpAddress", "PhoneNumber-US") for f in want)
    assert checked > 2000 and found > checked // 3


def test_findings_are_left_out_of_the_cycle_collector() -> None:
    # A dense message gives thousands of findings; each holds a str and two ints, so the core untracks
    # them and a service that keeps results does not make every collection follow them.
    native, twin = _all()
    text = " ".join(f"card number 4111 1111 1111 1111 mail a{i}@example.com" for i in range(50))
    found = native.scan(text)
    assert len(found) > 100 and found == twin.scan(text)
    assert not any(gc.is_tracked(f) for f in found)
    gc.collect()
    assert found == twin.scan(text)


@given(TEXTS, st.lists(st.sampled_from(DETECTABLE + list(CUSTOM)), max_size=6, unique=True))
def test_found_records_are_the_scan_findings(text: str, only: list[str]) -> None:
    # Scanner.find keeps the findings as the core's records (apply rewrites from them): made into tuples,
    # they are scan's findings, on both engines, for ASCII text and any other.
    native, twin = (p._redactor.scanner for p in _all())
    for subset in (None, frozenset(only)):
        want = twin.scan(text, subset)
        for scanner in (native, twin):
            found = scanner.find(text, subset)
            listed = found.findings()
            assert listed == want and len(found) == len(want)
            assert found.identifiers() == {f.identifier for f in want}
            listed.clear()  # a new list each time: the caller may keep or change it
            assert found.findings() == want
    assert not isinstance(native.find(text), FoundList)  # the core took it, ASCII or not


@given(MESSAGES, st.data())
def test_rewrite_from_records_is_the_rewrite_from_tuples(message: str, data: st.DataObject) -> None:
    native = _all()[0]._redactor.scanner
    names = sorted({f.identifier for f in native.scan(message)})
    ops = (
        {
            n: data.draw(st.tuples(st.sampled_from(["mask", "redact"]), st.sampled_from(["#", "*"])))
            for n in data.draw(st.lists(st.sampled_from(names), unique=True))
            if names
        }
        if names
        else {}
    )
    found = native.find(message)
    assert native.rewrite(message, found, ops) == native.rewrite(message, found.findings(), ops)


def test_rewrite_refuses_records_found_in_another_text() -> None:
    native = _all()[0]._redactor.scanner
    found = native.find("contact a@example.com or b@example.com")
    ops = {"EmailAddress": ("mask", "#")}
    assert (
        native.rewrite("contact a@example.com or b@example.com", found, ops)
        == "contact ############# or #############"
    )
    assert native.rewrite("contact a@example.com", found, ops) is None  # spans past its end: not applied
    with pytest.raises(TypeError):
        native_api._redact.rewrite("text", ("A", 0, 1), ops)


def test_outcome_findings_are_made_when_first_read() -> None:
    # apply hands its Outcome the core's records; the Finding tuples are made on first reading, once.
    native, twin = _all()
    text = '{"card": "4111 1111 1111 1111", "mail": "a@example.com", "ssn": "123-45-6789"}'
    got = native.apply(text, direction="Inbound", principal="p")
    want = twin.apply(text, direction="Inbound", principal="p")
    assert isinstance(got._found, type(native._redactor.scanner.find(text))) and got._findings is None
    assert got == want and repr(got) == repr(want)
    assert got.findings is got.findings and got._found is None
    got.findings = []
    assert got.findings == [] and got != want
    assert redactor.Outcome("m", "accept") == redactor.Outcome("m", "accept", [], None, None)


# Phone numbers count as found near a keyword, or anywhere with a country code ("+", "00" and 1-9): the
# core searches only there, from the last character before that no phone number holds (a letter, a quote,
# a colon...). Texts with long runs of the characters a phone number holds (digits, spaces, dots,
# dashes, brackets, "+"), keywords just inside and outside the window, country codes inside runs, and
# values cut at the edges of what is searched.
PHONE_KEYWORDS = sorted({k for n in DETECTABLE if n.startswith("PhoneNumber") for k in MANAGED_TABLE[n][4]})
PHONE_RUNS = st.from_regex(r"\A[0-9 .()+-]{1,60}\Z")
PHONE_VALUES = st.sampled_from(
    [
        *("(609) 932-7559", "+1 609-932-7559", "609.932.7559", "6099327559", "+33 1 23 45 67 89"),
        *("0049 30 1234567", "01 23 45 67 89", "+44 20 7946 0958", "(11) 98765-4321", "+39 312 345 6789"),
        "0034 612 345 678",
    ]
)
PHONE_TEXTS = st.lists(
    st.one_of(
        PHONE_RUNS,
        PHONE_VALUES,
        st.sampled_from(PHONE_KEYWORDS),
        st.sampled_from([" ", ": ", '"', "x", "a1", "+", "00", "001", "000", "\n", "T", " " * 29, "-" * 31]),
    ),
    max_size=30,
).map("".join)


@settings(max_examples=LONG_EXAMPLES)
@given(PHONE_TEXTS, st.integers(0, 40))
def test_phone_numbers_searched_where_they_can_be_reported_same_findings(text: str, pad: int) -> None:
    native, twin = _all()
    anchored = _anchored()[0]
    for t in (text, "1" * pad + text, text + " 5" * pad, "x" * 600 + text):
        want = twin.scan(t)
        assert native.scan(t) == want and anchored.scan(t) == want


def test_phone_numbers_far_from_keywords_and_country_codes_cost_nothing() -> None:
    # 20,000 characters of 13-digit runs: every one is an anchor of a phone number and none holds one, so
    # searching there would be charged to the budget (until it ran the set pass). No phone number there
    # could be reported, so none is searched for; after a keyword, what is near it is (and charged), from
    # the last ";" before it (no phone number holds one). A policy built afresh for each text: the core
    # learns from its scans whether to run the set pass.
    filler = "6099327559123; " * 1400
    for text, charged, found_any in [
        (filler, False, False),
        (filler + "phone: 6099327559123", True, False),
        (filler + "phone: 609 932 7559", None, True),  # charged or not: what is searched first fails
        (filler + "+1 609 932 7559", None, True),
        ("phone " + filler, True, False),
        (filler.replace(";", " ") + "phone: 609 932 7559", None, True),  # one run: searched from its start
    ]:
        native, twin = _pair(_doc([_statement(["PhoneNumber-US"], MASK)]))
        found, ran, left = native._redactor.scanner._native.scan(text, None, True)
        assert found == twin.scan(text) and bool(found) == found_any, text[-30:]
        if charged is not None:
            assert not ran and (left < len(text) + 4096) == charged, text[-30:]


def test_values_starting_their_run_or_after_it_same_findings() -> None:
    # E-mail and IPv4 addresses are asked for first at the start of the run of characters they can hold
    # before their anchor; where the value starts later in that run, the search goes on after it.
    native, twin = _all()
    pad = ("z " * native_api.ANCHOR_MIN_RANGE)[: native_api.ANCHOR_MIN_RANGE]
    values = ["a@example.com", ".a@example.com", "-.a@b.co", "%x@y.io", "a@b", "1.2.3.4", "1.2.3.4.5.6"]
    values += ["999.1.1.1", "01.2.3.4", "1.2.3.4.", ".1.2.3.4", "256.256.256.256 10.0.0.1"]
    for value in values:
        for lead in ["", " ", ".", "-", "a", "1", '"']:
            text = pad + lead + value + " " + pad
            assert native.scan(text) == twin.scan(text), (lead, value)


def test_values_in_keyword_windows_among_other_digits_same_findings() -> None:
    # In a keyword's window the core asks RE2 for a match only at word starts with enough required
    # characters after them: values after other digit groups (which start words too and fail), glued to
    # letters, digits or "_" (no word start), after "-", "/", "." and at the window's edges.
    native, twin = _all()
    values = ["643-41-9028", "432", "1234", "46582", "46582-1234", "12/31", "6011885775987736"]
    values += ["4111 1111 1111 1111", "1HGCM82633A004352", "AB123456C"]
    noise = ["", "609 ", "7559-", "6011885775987736 ", "12/31 ", "a", "_", "9", "-", "/", ".", "x1 "]
    keywords = ["ssn", "cvv", "zip code", "credit card number", "expiry", "vin", "national insurance"]
    checked = found = 0
    for keyword in keywords:
        for value in values:
            for before in noise:
                for after in ["", " ", "1", "a", "-1", " 432"]:
                    for text in [
                        f"{keyword}: {before}{value}{after}",
                        f"{before}{value}{after} is the {keyword}",
                    ]:
                        want = twin.scan(text)
                        assert native.scan(text) == want, text
                        checked += 1
                        found += bool(want)
    assert checked > 5000 and found > checked // 4


def test_values_at_every_offset_of_the_digit_starts_same_findings() -> None:
    # Keyword windows find the digits that start a word from bits worked out 64 bytes at a time: values
    # and the digits before them at every offset across two such blocks and at the end of the text.
    native, twin = _all()
    tail = 'ssn: 123-45-6789, "cvv": "432", zip 46582-1234 card number 4111 1111 1111 1111'
    checked = 0
    for offset in range(140):
        for pad in ["x" * offset, ("7 " * offset)[:offset], ("a1" * offset)[:offset]]:
            for text in [pad + tail, pad + tail[:40], tail[offset % len(tail) :] + pad]:
                assert native.scan(text) == twin.scan(text), text
                checked += 1
    assert checked == 140 * 9


def test_custom_regexes_with_a_literal_prefix_same_findings() -> None:
    # Every match of these starts with the same bytes: the core finds them with memchr and memcmp and asks
    # RE2 for a match anchored at each (prefixes repeated, overlapping, cut by the text's end, in words).
    custom = {
        "EmployeeId": "EID-\\d{9}-US",
        "Order": "ORD-[A-Z]{3}-\\d{6}",
        "Repeat": "abab[ab]*c",
        "Start": "^HDR=\\d+",
        "Word": "\\bKEY_[0-9a-f]{8}\\b",
        "Either": "xy[12]\\d",
    }
    native, twin = _pair(_doc([_statement(list(custom), MASK)], custom))
    core = native._redactor.scanner._native
    assert core.set_members() == ()  # all prefixed: none needs the set pass
    pieces = ["EID-123456789-US", "EID-EID-123456789-US", "EID-12345678-US", "ORD-ABC-123456", "ORD-AB-1"]
    pieces += ["ababababc", "abababab", "HDR=42", "KEY_0123abcd", "aKEY_0123abcd", "xy13", "xy2x", "E", "EI"]
    for a in pieces:
        for b in pieces:
            for sep in ["", " ", "-"]:
                for text in [a + sep + b, "HDR=7 " + a + sep + b, a + sep + b[: len(b) // 2]]:
                    assert native.scan(text) == twin.scan(text), text


def _managed() -> tuple[tamis.Policy, tamis.Policy]:
    """Every detectable managed identifier and one custom one with a literal prefix: no detector needs
    the set pass before it is searched. Built afresh: the core learns from its scans whether to run the
    set pass first."""
    custom = {"EmployeeId": CUSTOM["EmployeeId"]}
    return _pair(_doc([_statement([*DETECTABLE, "EmployeeId"], MASK)], custom))


VALUES_AT_THE_END = " 2001:db8::1 card number 6011885775987736 ssn 643-41-9028 a@example.com EID-123456789-US"


@pytest.mark.parametrize(
    "unit", ["1:", "a1:", "1", "A1b2/", "1 2 ", "1.", "2024-05-27T12:00:00Z ", "ssn 123 "]
)
def test_searching_for_absent_values_past_a_set_pass_runs_it(unit: str) -> None:
    # Texts where every character is an anchor of something that does not occur: the searches stop
    # once they have cost about a set pass, the set pass rules out what does not occur, and a detector
    # stopped half-way is searched again whole when it does occur (the values at the end). The scans
    # after that run the set pass first.
    filler = (unit * (20000 // len(unit) + 1))[:20000]
    for tail in ["", VALUES_AT_THE_END]:
        native, twin = _managed()
        core = native._redactor.scanner._native
        assert core.set_members() == ()
        text = filler + tail
        want = twin.scan(text)
        found, ran, left = core.scan(text, None, True)
        assert found == want and ran and left < 0, (unit, tail)
        found, ran, left = core.scan(text, None, True)
        assert found == want and ran and left == len(text) + 4096, (unit, tail)
        if tail:
            assert {"IpAddress", "CreditCardNumber", "Ssn-US", "EmailAddress", "EmployeeId"} <= {
                f.identifier for f in found
            }


def _report_rows(count: int) -> str:
    rows = [
        f'{{"at": "2024-05-{i % 28 + 1:02d}T12:00:{i % 60:02d}Z", "msg": "GET /api/v1/items/{i} 200", '
        f'"credit_card_number": "6011885775987736", "ip": "10.0.{i}.1", "phone": "(609) 932-{7000 + i}", '
        f'"ms": {i}.27}}'
        for i in range(count)
    ]
    return "[" + ",\n".join(rows) + "]"


DOZEN = [
    *("CreditCardNumber", "CreditCardSecurityCode", "EmailAddress", "IpAddress", "Ssn-US", "PhoneNumber-US"),
    *("AwsSecretKey", "ZipCode-US", "VehicleIdentificationNumber", "EmployeeId"),
]


def _dozen() -> tuple[tamis.Policy, tamis.Policy]:
    """A policy of about a dozen identifiers, as the benchmark's; built afresh (see _managed)."""
    return _pair(_doc([_statement(DOZEN, MASK)], {"EmployeeId": CUSTOM["EmployeeId"]}))


def test_ordinary_messages_are_searched_without_the_set_pass() -> None:
    # A JSON report of log lines for a policy of a dozen identifiers: the searches for values that do not
    # occur (IPv6 addresses near colons, secret keys and VINs near their keywords) stay far below the
    # cost of a set pass.
    native, twin = _dozen()
    core = native._redactor.scanner._native
    text = _report_rows(200)
    for _ in range(3):
        found, ran, left = core.scan(text, None, True)
        assert found == twin.scan(text) and len(found) >= 600
        assert not ran and left > len(text) // 2


def test_the_core_learns_when_to_run_the_set_pass_first() -> None:
    # After a scan that spent its budget, the next ones run the set pass first; every sixteenth scan goes
    # without it again, and from an ordinary message on the scans go without it. Findings never change.
    native, twin = _dozen()
    core = native._redactor.scanner._native
    costly, ordinary = "1:" * 10000, _report_rows(20)
    runs = []
    for k in range(20):
        text = costly if k == 0 else ordinary
        found, ran, left = core.scan(text, None, True)
        assert found == twin.scan(text)
        runs.append((ran, left < len(text) + 4096))  # set pass, searches charged to the budget
    assert runs[0] == (True, True)  # the first scan tries without it, and spends the budget
    assert runs[1:16] == [(True, False)] * 15  # then the set pass first, nothing charged
    assert runs[16:] == [(False, True)] * 4  # the sixteenth tries again: no need any more
