"""The linter's verdict on one pattern or policy equals the checker's own verdict on the text.

The linter first checks a plain value (a fast path) and goes back to the text only on failure; over the
shared corpora of valid and invalid patterns, filter policies and data-protection policies, it must reject
exactly what ``compile_pattern`` / ``compile_policy`` reject, and locate the finding where they do.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support.shared import shared_path

import tamis
from tamis.grammar.text import LineIndex
from tamis.lint.check import check
from tamis.lint.targets import IdentityMapper, Target


def _lines(*parts: str) -> list[dict[str, Any]]:
    path = shared_path(*parts)
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _target(kind: str, text: str, options: dict[str, str] | None = None) -> Target:
    return Target(
        kind=kind,
        text=text,
        file="t.json",
        mapper=IdentityMapper(LineIndex(text)),
        anchor=(1, 1),
        label="t.json",
        options=options or {},
    )


def _expected(func: Any, text: str, **kwargs: Any) -> tuple[int, int] | None:
    """Where the checker rejects ``text`` (None when it accepts)."""
    try:
        func(text, **kwargs)
    except tamis.TamisError as exc:
        return (exc.line or 1, exc.column or 1)
    return None


def _compare(kind: str, text: str, func: Any, options: dict[str, str] | None = None, **kwargs: Any) -> None:
    errors = [d for d in check(_target(kind, text, options)) if d.severity == "error"]
    expected = _expected(func, text, **kwargs)
    if expected is None:
        assert errors == [], (text, errors)
    else:
        assert len(errors) == 1, (text, errors)
        assert (errors[0].line, errors[0].column) == expected, text


def test_event_patterns_valid_and_invalid() -> None:
    cases = _lines("conformance", "event_patterns", "invalid_patterns.jsonl")
    cases += _lines("conformance", "event_patterns", "docs_examples.jsonl")
    seen_invalid = 0
    for case in cases:
        pattern = case["pattern"]
        text = pattern if isinstance(pattern, str) else json.dumps(pattern, indent=1)
        _compare("eventbridge-pattern", text, tamis.compile_pattern, dialect="eventbridge")
        seen_invalid += "error_hint" in case
    assert seen_invalid > 50


def test_sns_filter_policies_valid_and_invalid() -> None:
    cases = _lines("conformance", "event_patterns", "sns_invalid_filter_policies.jsonl")
    cases += _lines("conformance", "event_patterns", "sns_filter_policy.jsonl")
    for case in cases:
        scope = case.get("filter_policy_scope") or "MessageAttributes"
        kind = "sns-filter-policy-body" if scope == "MessageBody" else "sns-filter-policy"
        text = json.dumps(case["filter_policy"], indent=1)
        _compare(kind, text, tamis.compile_pattern, {"scope": scope}, dialect="sns", scope=scope)


def test_data_protection_policies_valid_and_invalid() -> None:
    folder = shared_path("data_protection", "policies")
    cases = [
        (c["service"], c["policy_text"] if "policy_text" in c else json.dumps(c["policy"], indent=1))
        for c in _lines("data_protection", "policies", "invalid_policies.jsonl")
    ]
    index = json.loads((folder / "index.json").read_text())
    for entry in index["valid_policies"]:
        cases.append((entry["service"], (folder / entry["file"]).read_text(encoding="utf-8")))
    for service, text in cases:
        dialect = "sns" if service == "sns" else "cloudwatch-logs"
        kind = "sns-data-protection-policy" if dialect == "sns" else "cloudwatch-logs-data-protection-policy"
        _compare(kind, text, tamis.compile_policy, dialect=dialect)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": [1], "a": [2]}',  # a repeated key: only the text path sees it
        '{"a": [NaN]}',
        '{"a": [1.50000000000000000001]}',
        '{"a": [{"numeric": [">", 1e400]}]}',
    ],
)
def test_texts_the_fast_path_declines_still_get_the_checkers_verdict(text: str) -> None:
    _compare("eventbridge-pattern", text, tamis.compile_pattern, dialect="eventbridge")


def test_large_patterns_take_the_text_path_with_its_size_limit(tmp_path: Path) -> None:
    text = json.dumps({"source": [f"value-{i:05d}" for i in range(400)]})
    _compare("eventbridge-pattern", text, tamis.compile_pattern, dialect="eventbridge")


def test_state_machines_match_validate_asl() -> None:
    """Every fifth definition of the shared ASL corpus: the same findings, at the same places."""
    folder = shared_path("conformance", "asl")
    index = _lines("conformance", "asl", "index.jsonl")[::5]
    assert len(index) > 100
    for case in index:
        path = folder / case["file"]
        if path.suffix != ".json":
            continue
        text = path.read_text(encoding="utf-8")
        expected = sorted(
            (d.code, d.severity, d.line, d.column) for d in tamis.validate_asl(text, source="t.json")
        )
        got = sorted((d.code, d.severity, d.line, d.column) for d in check(_target("state-machine", text)))
        assert got == expected, case["file"]
