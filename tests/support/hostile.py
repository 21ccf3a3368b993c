"""Hostile inputs for every public entry point: the drivers the fuzz tests (tests/fuzz/) and the atheris
harness (fuzz/atheris_harness.py) share, and their seeds from ../shared.

Each driver takes one input, calls one entry point and returns the outcome class: ``"answer"`` (a result),
``"typed"`` (a TamisError subclass, or the documented ValueError/TypeError for a wrong argument type).
Anything else propagates: that is a finding.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tamis
from tamis.errors import TamisError

SHARED = Path(__file__).resolve().parents[2].parent / "shared"

PATTERN_DIALECTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("eventbridge", {}),
    ("sns", {}),
    ("sns", {"scope": "MessageBody"}),
    ("lambda", {}),
)

EMAIL = "arn:aws:dataprotection::aws:data-identifier/EmailAddress"
CARD = "arn:aws:dataprotection::aws:data-identifier/CreditCardNumber"
POLICY = json.dumps(
    {
        "Name": "fuzz",
        "Version": "2021-06-01",
        "Statement": [
            {
                "Sid": "mask",
                "DataDirection": "Inbound",
                "Principal": ["*"],
                "DataIdentifier": [EMAIL, CARD],
                "Operation": {"Deidentify": {"MaskConfig": {}}},
            }
        ],
    }
)


def _lines(*parts: str, limit: int = 400) -> list[dict[str, Any]]:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        return []
    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                out.append(json.loads(line))
            if len(out) >= limit:
                break
    return out


def seed_patterns() -> list[str]:
    """Pattern texts from the conformance corpora (empty when ../shared is absent)."""
    rows = _lines("conformance", "event_patterns", "event_ruler_tests.jsonl")
    rows += _lines("conformance", "event_patterns", "sns_filter_policy.jsonl", limit=100)
    out = [json.dumps(r.get("pattern", r.get("filter_policy"))) for r in rows]
    return sorted({p for p in out if p != "null"})


def seed_events() -> list[str]:
    rows = _lines("conformance", "event_patterns", "event_ruler_tests.jsonl")
    return sorted({json.dumps(r["event"]) for r in rows if "event" in r})


def seed_messages() -> list[str]:
    return [r["text"] for r in _lines("data_protection", "detection_corpus.jsonl", limit=200) if "text" in r]


def seed_policies() -> list[str]:
    folder = SHARED / "data_protection" / "policies"
    texts = [POLICY]
    if folder.is_dir():
        texts += [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.json"))[:40]]
    return texts


def seed_definitions() -> list[str]:
    folder = SHARED / "conformance" / "asl" / "valid"
    if not folder.is_dir():
        return ['{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}']
    return [p.read_text(encoding="utf-8", errors="replace") for p in sorted(folder.glob("*.json"))[:60]]


# -- drivers: one per entry point -------------------------------------------------------------------------
Outcome = str


def classify(call: Callable[[], Any]) -> Outcome:
    try:
        call()
    except TamisError:
        return "typed"
    return "answer"


def compile_pattern(pattern: Any, dialect: int = 0) -> Outcome:
    name, options = PATTERN_DIALECTS[dialect % len(PATTERN_DIALECTS)]
    return classify(lambda: tamis.compile_pattern(pattern, dialect=name, **options))


def rule_set(patterns: list[Any], events: list[Any], dialect: int = 0) -> Outcome:
    """Patterns added one by one (a refused one must leave the set working), then events matched."""
    name, options = PATTERN_DIALECTS[dialect % len(PATTERN_DIALECTS)]
    rules = tamis.RuleSet(name, options.get("scope"))
    for i, pattern in enumerate(patterns):
        before = rules.names
        try:
            rules.add(f"r{i}", pattern)
        except TamisError:
            assert rules.names == before, "a refused rule changed the set"
    outcome = "answer"
    for event in events:
        if classify(lambda event=event: rules.matches(event)) == "typed":
            outcome = "typed"
    return outcome


def match_event(pattern: Any, event: Any, dialect: int = 0) -> Outcome:
    name, options = PATTERN_DIALECTS[dialect % len(PATTERN_DIALECTS)]
    try:
        compiled = tamis.compile_pattern(pattern, dialect=name, **options)
    except TamisError:
        return "typed"
    return classify(lambda: compiled.matches(event))


def service_payloads(text: str) -> list[Outcome]:
    """One text as every service payload: SNS body and String.Array/Number.Array values, Lambda body, data
    and whole record."""
    body = tamis.compile_pattern({"a": [{"exists": True}]}, dialect="sns", scope="MessageBody")
    attrs = tamis.compile_pattern({"a": [{"exists": True}]}, dialect="sns")
    lam = tamis.compile_pattern({"body": {"a": [{"exists": True}]}}, dialect="lambda")
    data = tamis.compile_pattern({"data": {"a": [{"exists": True}]}}, dialect="lambda")
    encoded = base64.b64encode(text.encode("utf-8", "surrogatepass")).decode()
    return [
        classify(lambda: body.matches(text)),
        classify(lambda: attrs.matches({"a": {"Type": "String.Array", "Value": text}})),
        classify(lambda: attrs.matches({"a": {"Type": "Number.Array", "Value": text}})),
        classify(lambda: attrs.matches({"a": {"Type": "Number", "Value": text}})),
        classify(lambda: lam.matches({"body": text})),
        classify(lambda: data.matches({"data": encoded})),
        classify(lambda: lam.matches(text)),
    ]


_POLICY_CACHE: dict[str, Any] = {}


def policy_message(message: str | bytes) -> Outcome:
    policy = _POLICY_CACHE.get("p")
    if policy is None:
        policy = _POLICY_CACHE["p"] = tamis.compile_policy(POLICY)
    findings = policy.scan(message)
    out = policy.apply(message, direction="Inbound")
    out.message.encode("utf-8")  # what comes out is always UTF-8 text
    assert all(0 <= f.start <= f.end for f in findings)
    return "answer"


def compile_policy(policy: Any, dialect: int = 0) -> Outcome:
    name = ("sns", "cloudwatch-logs")[dialect % 2]
    return classify(lambda: tamis.compile_policy(policy, dialect=name))


def validate_asl(definition: Any) -> Outcome:
    """validate_asl reports, it does not raise: every outcome is a list of diagnostics."""
    diagnostics = tamis.validate_asl(definition)
    assert all(d.code != "TOO_DEEPLY_NESTED" for d in diagnostics), "nesting past the bounded limit"
    for d in diagnostics:
        str(d).encode("utf-8")
    return "typed" if any(d.severity == "error" for d in diagnostics) else "answer"


# -- values ------------------------------------------------------------------------------------------------
def nest(value: Any, levels: int, kind: int = 0) -> Any:
    """``value`` under ``levels`` objects (kind 0), arrays (1) or both in turn (2), built in a loop."""
    for i in range(levels):
        value = {"a": value} if kind == 0 or (kind == 2 and i % 2) else [value]
    return value


def nest_text(inner: str, levels: int, kind: int = 0) -> str:
    opens = "".join('{"a":' if kind == 0 or (kind == 2 and i % 2) else "[" for i in range(levels))
    closes = "".join("}" if o == "{" else "]" for o in reversed(opens.replace('{"a":', "{")))
    return opens + inner + closes
