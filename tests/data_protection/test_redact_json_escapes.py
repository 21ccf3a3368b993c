"""Redaction reads a JSON message as a JSON reader does: a value or keyword spelled with string escapes
(``\\u0034539...``, ``\\u0040`` for "@") is found, and the output holds no spelling of it, stays valid
JSON, and is the same on both engines (runtime/redact/json_strings.py)."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.identifier_examples import EXAMPLES

import tamis
from tamis.compiler.data_protection.managed.catalogue import MANAGED_TABLE
from tamis.runtime.redact import native
from tamis.runtime.redact.json_strings import decoded_json

ARN = "arn:aws:dataprotection::aws:data-identifier/"
# Identifiers with an example value, and each one's first ASCII keyword (the message's key carries it).
NAMES = sorted(n for n in EXAMPLES if n in MANAGED_TABLE and any(k.isascii() for k in MANAGED_TABLE[n][4]))
KEYWORD = {n: next(k for k in MANAGED_TABLE[n][4] if k.isascii()) for n in NAMES}


def _policy(names: list[str], operation: dict[str, Any]) -> dict[str, Any]:
    return {
        "Name": "escapes",
        "Version": "2021-06-01",
        "Statement": [
            {
                "DataDirection": "Inbound",
                "Principal": ["*"],
                "DataIdentifier": [ARN + n for n in names],
                "Operation": operation,
            }
        ],
    }


MASK = {"Deidentify": {"MaskConfig": {"MaskWithCharacter": "#"}}}
REDACT = {"Deidentify": {"RedactConfig": {}}}


def _engines(doc: dict[str, Any]) -> list[tamis.Policy]:
    """The policy on every engine there is: the native core where it is built, and the Python definition."""
    policies = []
    if native.USE_NATIVE:
        policies.append(tamis.compile_policy(doc))
    saved, native.USE_NATIVE = native.USE_NATIVE, False
    try:
        policies.append(tamis.compile_policy(doc))
    finally:
        native.USE_NATIVE = saved
    return policies


POLICIES = {op: _engines(_policy(NAMES, operation)) for op, operation in (("mask", MASK), ("redact", REDACT))}


def _escaped(text: str, rng: random.Random, rate: float) -> str:
    """A JSON string literal of ``text`` with characters escaped at random (``\\uXXXX`` in either case of
    hex, ``\\/`` for "/"); what must be escaped always is."""
    out = ['"']
    for ch in text:
        if ch in '"\\' or ch < " " or rng.random() < rate:
            if ch == "/" and rng.random() < 0.5:
                out.append("\\/")
            elif ord(ch) > 0xFFFF:
                code = ord(ch) - 0x10000
                out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04X}")
            else:
                hex4 = f"{ord(ch):04x}"
                out.append("\\u" + (hex4.upper() if rng.random() < 0.5 else hex4))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _message(pairs: list[tuple[str, str]], rng: random.Random, rate: float) -> str:
    body = ", ".join(f"{_escaped(k, rng, rate)}: {_escaped(v, rng, rate)}" for k, v in pairs)
    return "{" + body + "}"


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@given(
    st.lists(st.sampled_from(NAMES), min_size=1, max_size=5),
    st.sampled_from(["mask", "redact"]),
    st.floats(0.05, 1.0),
    st.randoms(use_true_random=False),
)
def test_escaped_values_never_leak(names: list[str], op: str, rate: float, rng: random.Random) -> None:
    pairs = [(KEYWORD[n] + " ", EXAMPLES[n]) for n in names]
    plain = _message(pairs, rng, 0.0)
    message = _message(pairs, rng, rate)
    assert json.loads(message) == json.loads(plain)  # the same document for any JSON reader
    outcomes = [p.apply(message, direction="Inbound", principal="p") for p in POLICIES[op]]
    want = [p.apply(plain, direction="Inbound", principal="p") for p in POLICIES[op]]
    detected = {plain[f.start : f.end] for f in want[-1].findings}
    for out, plain_out in zip(outcomes, want, strict=True):
        # the same identifiers found as in the plain message, each over whole escapes of the raw one
        assert [f.identifier for f in out.findings] == [f.identifier for f in plain_out.findings]
        view = decoded_json(message)
        assert view is not None
        assert {view.text[s:e] for s, e in _view_spans(view, out.findings)} == detected
        loaded = json.loads(out.message)  # still JSON
        for value in detected:
            assert not any(value in s for s in _strings(loaded)), value
    assert len({(o.message, tuple(o.findings)) for o in outcomes}) == 1  # both engines alike


def _view_spans(view: Any, findings: list[Any]) -> list[tuple[int, int]]:
    """The findings' raw spans as spans of the decoded view (each starts and ends at an escape's edge)."""
    inverse_start = {view.raw_start(i): i for i in range(len(view.text) + 1) if i < len(view.text)}
    inverse_end = {view.raw_end(i): i for i in range(len(view.text) + 1)}
    return [(inverse_start[f.start], inverse_end[f.end]) for f in findings]


@pytest.mark.parametrize(
    ("message", "value"),
    [
        ('{"credit_card_number": "\\u0034539894458086459"}', "4539894458086459"),
        ('{"email": "bob\\u0040example.com"}', "bob@example.com"),
        ('{"ssn": "123\\u002d45\\u002d6789"}', "123-45-6789"),
        ('{"ip": "10\\u002e1\\u002E2.3"}', "10.1.2.3"),
        ('{"\\u0063ard number": "4539 8944 5808 6459"}', "4539 8944 5808 6459"),  # an escaped keyword
        ('["x\\n", {"card number": "\\u0034\\u0035\\u0033\\u0039894458086459"}]', "4539894458086459"),
    ],
)
def test_the_reported_bypasses_are_closed(message: str, value: str) -> None:
    names = ["CreditCardNumber", "EmailAddress", "Ssn-US", "IpAddress"]
    for policy in _engines(_policy(names, MASK)):
        out = policy.apply(message, direction="Inbound", principal="p")
        assert out.findings, message
        assert not any(value in s for s in _strings(json.loads(out.message)))


def test_escapes_outside_json_stay_neutral() -> None:
    # A log line is no JSON: its escapes are blanked, not decoded (what a reader of the line sees).
    line = "card number\\n4539894458086459 and \\u0034539894458086459"
    for policy in _engines(_policy(["CreditCardNumber"], MASK)):
        found = policy.scan(line)
        assert [line[f.start : f.end] for f in found] == ["4539894458086459"]


def test_the_decoded_view_maps_back_whole_escapes() -> None:
    raw = '{"a\\"b": "\\ud83d\\ude00x\\\\y\\u00e9"}'
    view = decoded_json(raw)
    assert view is not None
    assert view.text == '{"a"b": "😀x\\yé"}'
    at = view.text.index("😀")
    assert raw[view.raw_start(at) : view.raw_end(at + 1)] == "\\ud83d\\ude00"
    at = view.text.index("é")
    assert raw[view.raw_start(at) : view.raw_end(at + 1)] == "\\u00e9"
    assert decoded_json('{"a": "\\u0041"') is None  # not JSON: scanned as it is
